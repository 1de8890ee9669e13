package gateway

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/store"
)

// admit starts every request to /webhooks/{source}: it finds the source (an
// unknown one is answered and charged here), starts the audit record with
// the source's credential headers redacted once, before anything (receipt,
// audit row, log) can keep them, and refuses while draining or when the
// screen's limits say so. ok is false when the request has been answered.
func (g *Gateway) admit(c *gin.Context) (src *Source, rec store.AuditRecord, now time.Time, ok bool) {
	now = g.now()
	src, err := g.source(c)
	if err != nil {
		g.unknownSource(c, now, err)
		return nil, rec, now, false
	}
	rec = auditBase(c, now, src.credentials...)
	rec.Source = src.Name
	if src.bodiless {
		c.Set(bodilessKey, true)
	}
	if g.draining.Load() {
		g.fail(c, nil, rec, errShuttingDown)
		return nil, rec, now, false
	}
	if err := g.screen(c, src, rec.RemoteIP); err != nil {
		g.fail(c, nil, rec, err)
		return nil, rec, now, false
	}
	return src, rec, now, true
}

// verify checks r's signature; a failure (not an outage of the provider's
// keys) is charged to the client's failure budget for the source.
func (g *Gateway) verify(c *gin.Context, src *Source, r *providers.Request, ip string) error {
	err := src.Provider.Verify(c.Request.Context(), r)
	if errors.Is(err, providers.ErrNoSecret) {
		// A secret handed over in a handshake another replica took: read it.
		if ok, rerr := g.secrets.refresh(c.Request.Context(), src, r.Now); rerr != nil {
			return rerr
		} else if ok {
			err = src.Provider.Verify(c.Request.Context(), r)
		}
	}
	if err != nil && !errors.Is(err, providers.ErrUnavailable) {
		err = g.refused(src, ip, err)
	}
	return err
}

// ingest handles POST /webhooks/{source}: limits, verify, identify, commit, ack.
func (g *Gateway) ingest(c *gin.Context) {
	if g.tracer != nil {
		defer g.startSpan(c)()
	}
	src, rec, now, ok := g.admit(c)
	if !ok {
		return
	}
	if err := g.suspect(src, rec.RemoteIP); err != nil {
		g.fail(c, nil, rec, err)
		return
	}
	body, err := readBody(c.Request, src.BodyLimit)
	rec.BodySize = int64(len(body))
	if err != nil {
		g.fail(c, body, rec, err)
		return
	}
	req := &providers.Request{
		Method: c.Request.Method,
		URL:    PublicURL(src.PublicURL, c.Request),
		Header: c.Request.Header,
		Body:   body,
		Now:    now,
	}
	ch, isCheck, err := challenge(src, req)
	if err != nil {
		g.fail(c, body, rec, g.refused(src, rec.RemoteIP, err))
		return
	}
	if isCheck && !ch.Signed {
		g.finishCheck(c, src, body, rec, ch, now)
		return
	}
	// Verified first, whatever the IP's record: an authentic delivery is
	// never refused for someone else's failures. Only what fails is charged,
	// and refused with 429 once its IP spent the source's failure budget.
	if err := g.verify(c, src, req, rec.RemoteIP); err != nil {
		g.fail(c, body, rec, err)
		return
	}
	if isCheck {
		g.finishCheck(c, src, body, rec, ch, now)
		return
	}
	if err := g.admitVerified(c, src); err != nil {
		g.fail(c, body, rec, err)
		return
	}
	// Parsing guards run on authentic bodies only: a forgery costs its
	// signature check and nothing more.
	if err := g.checkDepth(c, body); err != nil {
		g.fail(c, body, rec, err)
		return
	}
	ev, err := src.Provider.Identify(req)
	if err == nil {
		err = providers.CheckEvent(ev) // one rule for every provider's IDs and types
	}
	if err != nil {
		g.fail(c, body, rec, fmt.Errorf("%w: %w", errMalformedBody, err))
		return
	}
	d := store.Delivery{
		Receipt: store.Receipt{
			ID:          uuid.Must(uuid.NewV7()).String(),
			Source:      src.Name,
			Provider:    string(src.ProviderName),
			EventID:     ev.ID,
			EventType:   ev.Type,
			Status:      store.StatusVerified,
			ContentType: c.ContentType(),
			Header:      rec.Header,
			Body:        body,
			ReceivedAt:  now,
		},
		Audit: rec,
	}
	if src.ContentDedupe {
		d.Receipt.ContentKey = ContentKey(req)
		d.ContentWindow = src.ContentWindow
	}
	d.Audit.Status = http.StatusOK
	d.Audit.EventID = ev.ID
	if g.tracer != nil {
		d.Receipt.TraceParent = traceReceipt(c.Request.Context(), &d.Receipt)
	}
	res, fast := g.ackKnown(c.Request.Context(), d)
	if !fast {
		res, err = g.commit.Commit(c.Request.Context(), d)
		g.health.observe(c.Request.Context(), err, now)
	}
	if err != nil {
		// Not audited: the audit store is the store that just failed.
		g.log.Error("commit failed", "source", src.Name, "event_id", ev.ID, "err", err)
		err = fmt.Errorf("%w: %w", errStoreDown, err)
		g.respond(c, err)
		d.Audit.Status, d.Audit.Reason = statusOf(err), reasonOf(err)
		g.observe(c.Request.Context(), d.Audit, store.OutcomeRejected)
		return
	}
	if !fast {
		g.known.add(src.Name, ev.ID, res.ReceiptID)
	}
	if !res.Duplicate && g.notify != nil {
		g.notify.Notify(store.Ref{ID: res.ReceiptID, Source: src.Name, EventID: ev.ID, EventType: ev.Type, TraceParent: d.Receipt.TraceParent})
	}
	g.accept(c, src, req, ev, res)
	d.Audit.Status = c.Writer.Status()
	if res.Duplicate {
		g.observe(c.Request.Context(), d.Audit, store.OutcomeDuplicate)
	} else {
		g.observe(c.Request.Context(), d.Audit, store.OutcomeAccepted)
	}
}

// ContentKey is the hex SHA-256 of the raw body: the part of a request every
// scheme signs. Deliveries of one source with the same key carry the same
// signed payload. The URL and headers are left out on purpose: most schemes
// do not sign them, so a replay could vary them (the Host header, a query
// parameter) to dodge the key.
func ContentKey(r *providers.Request) string {
	sum := sha256.Sum256(r.Body)
	return hex.EncodeToString(sum[:])
}

// unknownSourceLabel is the audit source and path segment of requests to a
// source that is not configured: the requested name is attacker-chosen, so
// it is neither stored nor allowed to open a sampling window of its own.
const unknownSourceLabel = "_unknown"

// unknownSource answers a request to a source that is not configured (404,
// or 429 once the IP spent the failure budget that such requests share), and
// audits it under one label whatever name was asked for.
func (g *Gateway) unknownSource(c *gin.Context, now time.Time, err error) {
	rec := auditBase(c, now)
	rec.Source, rec.Path = unknownSourceLabel, "/webhooks/"+unknownSourceLabel
	if refusal := g.failedVerification(rec.RemoteIP, unknownSourceLabel); refusal != nil {
		err = fmt.Errorf("%w: %w", refusal, err)
	}
	g.fail(c, nil, rec, err)
}

func (g *Gateway) source(c *gin.Context) (*Source, error) {
	name := c.Param("source")
	if !config.ValidSourceName(name) {
		return nil, errUnknownSource
	}
	s, ok := g.sources[name]
	if !ok {
		return nil, errUnknownSource
	}
	return s, nil
}

// readBody reads the raw body, at most limit bytes. Compressed bodies are refused:
// providers do not compress webhooks, and a decompression bomb must not get in.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if enc := r.Header.Get("Content-Encoding"); enc != "" && enc != "identity" {
		return nil, errEncoding
	}
	if r.ContentLength > limit {
		return nil, errBodyTooLarge
	}
	if r.ContentLength >= 0 {
		// The declared length (net/http ends the body there): one exact read,
		// instead of a buffer that grows once more to see EOF.
		buf := make([]byte, r.ContentLength)
		n, err := io.ReadFull(r.Body, buf)
		if err != nil {
			return buf[:n], fmt.Errorf("%w: %w", errBodyRead, err)
		}
		return buf, nil
	}
	buf := bytes.NewBuffer(make([]byte, 0, 512))
	n, err := buf.ReadFrom(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return buf.Bytes(), fmt.Errorf("%w: %w", errBodyRead, err)
	}
	if n > limit {
		return buf.Bytes()[:limit], errBodyTooLarge
	}
	return buf.Bytes(), nil
}

type ackBody struct {
	Status    string `json:"status"`
	ReceiptID string `json:"receipt_id"`
	EventID   string `json:"event_id"`
}

func (g *Gateway) accept(c *gin.Context, src *Source, req *providers.Request, ev providers.Event, res store.IngestResult) {
	if rp, ok := src.Provider.(providers.Replier); ok {
		if r := rp.Reply(req, ev); r.Status != 0 {
			if r.ContentType == "" && len(r.Body) == 0 {
				c.Status(r.Status)
				return
			}
			c.Data(r.Status, r.ContentType, r.Body)
			return
		}
	}
	status := "accepted"
	if res.Duplicate {
		status = "duplicate"
	}
	c.JSON(http.StatusOK, ackBody{Status: status, ReceiptID: res.ReceiptID, EventID: ev.ID})
}

// fail answers a rejected request and queues its audit record (body capped).
func (g *Gateway) fail(c *gin.Context, body []byte, rec store.AuditRecord, err error) {
	rec.Status = statusOf(err)
	rec.Outcome = store.OutcomeRejected
	rec.Reason = reasonOf(err)
	if len(body) > g.bodyCap {
		body = body[:g.bodyCap]
	}
	rec.Body = bytes.Clone(body)
	g.audit.add(rec)
	if rec.Status >= 500 {
		g.log.Warn("webhook not accepted", "source", rec.Source, "status", rec.Status, "reason", rec.Reason, "err", err)
	} else {
		g.log.Info("webhook rejected", "source", rec.Source, "status", rec.Status, "reason", rec.Reason, "remote_ip", rec.RemoteIP)
	}
	g.respond(c, err)
	g.observe(c.Request.Context(), rec, store.OutcomeRejected)
}

type errorBody struct {
	Error  string `json:"error"`
	Reason string `json:"reason"`
}

// respond writes the error answer. The message is generic: it never reveals which
// secret or signature was expected.
func (g *Gateway) respond(c *gin.Context, err error) {
	status := statusOf(err)
	if !setRetryAfter(c, err) && status == http.StatusServiceUnavailable {
		c.Header("Retry-After", "5")
	}
	if c.GetBool(bodilessKey) {
		c.AbortWithStatus(status)
		return
	}
	c.AbortWithStatusJSON(status, errorBody{Error: http.StatusText(status), Reason: reasonOf(err)})
}

// bodilessKey marks, in the request's gin context, a source whose answers
// carry no body (providers.Bodiless).
const bodilessKey = "hookgate.bodiless"

// auditBase starts the audit record of a request. Its headers are a copy with
// the shared credential headers and credentials (the source's own, canonical)
// redacted.
func auditBase(c *gin.Context, now time.Time, credentials ...string) store.AuditRecord {
	return store.AuditRecord{
		ID:       uuid.Must(uuid.NewV7()).String(),
		At:       now,
		Source:   sourceLabel(c.Param("source")),
		RemoteIP: c.ClientIP(),
		Method:   c.Request.Method,
		Path:     truncate(c.Request.URL.EscapedPath(), 256),
		Header:   redactHeaders(c.Request.Header, credentials...),
	}
}

// sourceLabel keeps a requested source name only when it is a valid name, so that
// hostile path segments never reach SQL, logs or metrics labels verbatim.
func sourceLabel(name string) string {
	if config.ValidSourceName(name) {
		return name
	}
	return ""
}
