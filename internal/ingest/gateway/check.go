package gateway

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/store"
)

// reasonCheck is the audit reason of an answered provider check; the Kind
// follows it ("check:slack_url_verification").
const reasonCheck = "check"

// challenge asks the source's provider whether r is one of its checks.
func challenge(src *Source, r *providers.Request) (providers.Challenge, bool, error) {
	ch, ok := src.Provider.(providers.Challenger)
	if !ok {
		return providers.Challenge{}, false, nil
	}
	return ch.Challenge(r)
}

// refused wraps a failed verification (or check) for the answer, charging it
// to the client's failure budget for the source.
func (g *Gateway) refused(src *Source, ip string, err error) error {
	err = fmt.Errorf("%w: %w", errVerification, err)
	if refusal := g.failedVerification(ip, src.Name); refusal != nil {
		err = fmt.Errorf("%w: %w", refusal, err)
	}
	return err
}

// finishCheck does what an authenticated check asks for (keep the secret it
// hands over, confirm a subscription), then answers it.
func (g *Gateway) finishCheck(c *gin.Context, src *Source, body []byte, rec store.AuditRecord, ch providers.Challenge, now time.Time) {
	if ch.OfferedSecret != "" {
		if err := g.secrets.keep(c.Request.Context(), src, ch.OfferedSecret, now); err != nil {
			if errors.Is(err, errSecretConflict) {
				g.log.Warn("handshake refused: another secret is kept for the source; forget it (DELETE /v1/sources/{name}/handshake-secret) before creating the webhook again",
					"source", src.Name, "remote_ip", rec.RemoteIP)
			}
			g.fail(c, body, rec, err)
			return
		}
	}
	if ch.Confirm != nil {
		if err := ch.Confirm(c.Request.Context()); err != nil {
			if !errors.Is(err, providers.ErrUnavailable) {
				err = fmt.Errorf("%w: %w", errVerification, err)
			}
			g.fail(c, body, rec, err)
			return
		}
	}
	g.answerCheck(c, body, rec, ch)
}

// answerCheck sends the provider's expected answer to one of its checks and
// audits it; no receipt is stored.
func (g *Gateway) answerCheck(c *gin.Context, body []byte, rec store.AuditRecord, ch providers.Challenge) {
	status := ch.Reply.Status
	if status == 0 {
		status = http.StatusOK
	}
	rec.Status = status
	rec.Outcome = store.OutcomeAccepted
	rec.Reason = reasonCheck + ":" + ch.Kind
	if len(body) > g.bodyCap {
		body = body[:g.bodyCap]
	}
	rec.Body = bytes.Clone(body)
	g.audit.add(rec)
	g.log.Info("provider check answered", "source", rec.Source, "check", ch.Kind, "remote_ip", rec.RemoteIP)
	for k, vs := range ch.Reply.Header {
		for _, v := range vs {
			c.Header(k, v)
		}
	}
	if c.Request.Method == http.MethodHead || (ch.Reply.ContentType == "" && len(ch.Reply.Body) == 0) {
		c.Status(status)
		return
	}
	c.Data(status, ch.Reply.ContentType, ch.Reply.Body)
}

// check handles GET and HEAD /webhooks/{source}: only a provider's check
// (a challenge echo, a liveness probe) is answered; anything else is 405.
func (g *Gateway) check(c *gin.Context) {
	src, rec, now, ok := g.admit(c)
	if !ok {
		return
	}
	req := &providers.Request{
		Method: c.Request.Method,
		URL:    PublicURL(src.PublicURL, c.Request),
		Header: c.Request.Header,
		Now:    now,
	}
	ch, ok, err := challenge(src, req)
	switch {
	case err != nil:
		g.fail(c, nil, rec, g.refused(src, rec.RemoteIP, err))
		return
	case !ok:
		g.fail(c, nil, rec, errMethod)
		return
	}
	if ch.Signed {
		if err := g.verify(c, src, req, rec.RemoteIP); err != nil {
			g.fail(c, nil, rec, err)
			return
		}
	}
	g.finishCheck(c, src, nil, rec, ch, now)
}
