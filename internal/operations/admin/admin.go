// Package admin is hookgate's operator API, served on its own listener: receipts
// (list, inspect with attempts and published events, replay), stored events and
// the audit log. Every request needs a bearer token, compared in constant time;
// no response ever carries a secret.
package admin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hookgate/hookgate/internal/processing/relay"
	"github.com/hookgate/hookgate/internal/processing/runs"
	"github.com/hookgate/hookgate/store"
)

// Store is what the admin API needs from the store.
type Store interface {
	ListReceipts(ctx context.Context, f store.Filter) (store.Page, error)
	Receipt(ctx context.Context, id string) (store.Receipt, error)
	Attempts(ctx context.Context, receiptID string) ([]store.Attempt, error)
	Events(ctx context.Context, f store.EventFilter) ([]store.Event, error)
	Replays(ctx context.Context, receiptID string) ([]store.Replay, error)
	ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditRecord, error)
	Requeue(ctx context.Context, receiptID string, at time.Time, mode store.ReplayMode) (int, error)
	RecordReplay(ctx context.Context, r store.Replay) error
	MarkQueued(ctx context.Context, qs []store.Queued) error
}

// Token is a named bearer token.
type Token struct {
	Name  string
	Value string
	// Scopes are what the token may do; empty means DefaultScopes.
	Scopes []Scope
}

// Options configure the admin API.
type Options struct {
	Store Store
	// Starter starts a replayed receipt's new run (relay.Replay); nil leaves
	// replays to the relay's sweep.
	Starter relay.Starter
	// BulkReplays runs bulk replays; nil answers 503 to them (dry runs still work).
	BulkReplays BulkReplayer
	Tokens      []Token
	Logger      *slog.Logger
	Now         func() time.Time
	// Extra lets the process mount more routes (e.g. /metrics) behind the same auth.
	Extra func(r gin.IRoutes)
	// Stats serves GET /v1/stats; nil answers 404.
	Stats StatsStore
	// Secrets serves DELETE /v1/sources/{name}/handshake-secret; nil
	// answers 404.
	Secrets SecretForgetter
}

// SecretForgetter forgets the signing secret a source's provider handed
// over in a handshake (Asana), so that the next handshake is kept.
type SecretForgetter interface {
	ForgetSourceSecret(ctx context.Context, source string) (bool, error)
}

// API is the admin HTTP API.
type API struct {
	o      Options
	tokens []tokenHash
	engine *gin.Engine
}

type tokenHash struct {
	name   string
	sum    [32]byte
	scopes []Scope
}

// New builds the admin API. Without tokens every request is refused.
func New(o Options) *API {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	a := &API{o: o}
	for _, t := range o.Tokens {
		scopes := t.Scopes
		if len(scopes) == 0 {
			scopes = DefaultScopes
		}
		a.tokens = append(a.tokens, tokenHash{name: t.Name, sum: sha256.Sum256([]byte(t.Value)), scopes: scopes})
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.Use(gin.Recovery(), a.auth)
	v1 := e.Group("/v1")
	read, replay := need(ScopeRead), need(ScopeReplay)
	v1.GET("/receipts", read, a.listReceipts)
	v1.GET("/receipts/:id", read, a.getReceipt)
	v1.POST("/receipts/:id/replay", replay, a.replay)
	v1.GET("/events", read, a.listEvents)
	v1.GET("/audit", read, a.listAudit)
	v1.GET("/stats", read, a.stats)
	v1.POST("/replays", replay, a.startBulkReplay)
	v1.GET("/replays/bulk-replay/:id", read, a.bulkReplayProgress)
	v1.DELETE("/replays/bulk-replay/:id", replay, a.cancelBulkReplay)
	v1.DELETE("/sources/:name/handshake-secret", replay, a.forgetSecret)
	if o.Extra != nil {
		o.Extra(e.Group("/", read))
	}
	a.engine = e
	return a
}

// Handler returns the HTTP handler.
func (a *API) Handler() http.Handler { return a.engine }

const actorKey = "hookgate.actor"

// auth checks the bearer token against every configured token in constant time
// (hashes first, so lengths leak nothing either).
func (a *API) auth(c *gin.Context) {
	// The scheme is case-insensitive (RFC 9110, 11.1): "bearer" is Bearer.
	scheme, tok, _ := strings.Cut(c.GetHeader("Authorization"), " ")
	tok = strings.TrimLeft(tok, " ")
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
		c.Header("WWW-Authenticate", `Bearer realm="hookgate"`)
		c.AbortWithStatusJSON(http.StatusUnauthorized, errBody("missing bearer token"))
		return
	}
	sum := sha256.Sum256([]byte(tok))
	var match *tokenHash
	for i := range a.tokens {
		if subtle.ConstantTimeCompare(sum[:], a.tokens[i].sum[:]) == 1 && match == nil {
			match = &a.tokens[i]
		}
	}
	if match == nil {
		c.AbortWithStatusJSON(http.StatusUnauthorized, errBody("invalid token"))
		return
	}
	c.Set(actorKey, match.name)
	c.Set(scopesKey, match.scopes)
	c.Next()
}

type errorBody struct {
	Error string `json:"error"`
}

func errBody(msg string) errorBody { return errorBody{Error: msg} }

var (
	errBadRequest  = errors.New("bad request")
	errUnavailable = errors.New("unavailable")
)

// fail maps an error to its status in one place.
func (a *API) fail(c *gin.Context, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, store.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, errBadRequest), errors.Is(err, store.ErrInvalid):
		// store.ErrInvalid: a malformed cursor, status or search term.
		status = http.StatusBadRequest
	case errors.Is(err, store.ErrConflict):
		status = http.StatusConflict
	case errors.Is(err, errUnavailable):
		status = http.StatusServiceUnavailable
	}
	if status == http.StatusInternalServerError {
		a.o.Logger.Error("admin request failed", "path", c.FullPath(), "err", err)
		c.AbortWithStatusJSON(status, errBody("internal error"))
		return
	}
	c.AbortWithStatusJSON(status, errBody(err.Error()))
}

func parseTime(c *gin.Context, key string) (time.Time, error) {
	return runs.ParseWhen(c.Query(key), key, time.Now())
}

func parseLimit(c *gin.Context) (int, error) {
	v := c.Query("limit")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		return 0, fmt.Errorf("%w: limit must be 1..1000", errBadRequest)
	}
	return n, nil
}

// ReceiptView is a receipt as the API shows it: no body unless asked.
type ReceiptView struct {
	ID          string              `json:"id"`
	Source      string              `json:"source"`
	Provider    string              `json:"provider"`
	EventID     string              `json:"event_id"`
	EventType   string              `json:"event_type"`
	Status      store.Status        `json:"status"`
	ContentType string              `json:"content_type,omitempty"`
	WorkflowID  string              `json:"workflow_id,omitempty"`
	Attempts    int                 `json:"attempts"`
	Duplicates  int                 `json:"duplicates"`
	Generation  int                 `json:"generation"` // replays so far: the current run's number
	LastError   string              `json:"last_error,omitempty"`
	ReceivedAt  time.Time           `json:"received_at"`
	QueuedAt    *time.Time          `json:"queued_at,omitempty"`
	StartedAt   *time.Time          `json:"started_at,omitempty"`
	CompletedAt *time.Time          `json:"completed_at,omitempty"`
	Timings     map[string]string   `json:"timings,omitempty"`
	Header      map[string][]string `json:"headers,omitempty"`
	Body        string              `json:"body,omitempty"`
	BodyBase64  string              `json:"body_base64,omitempty"`
}

func opt(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func view(r store.Receipt) ReceiptView {
	v := ReceiptView{
		ID: r.ID, Source: r.Source, Provider: r.Provider, EventID: r.EventID, EventType: r.EventType,
		Status: r.Status, ContentType: r.ContentType, WorkflowID: r.WorkflowID, Attempts: r.Attempts,
		Duplicates: r.Duplicates, Generation: r.Generation, LastError: r.LastError, ReceivedAt: r.ReceivedAt,
		QueuedAt: opt(r.QueuedAt), StartedAt: opt(r.StartedAt), CompletedAt: opt(r.CompletedAt),
	}
	v.Timings = map[string]string{}
	if !r.QueuedAt.IsZero() {
		v.Timings["ack_to_queued"] = r.QueuedAt.Sub(r.ReceivedAt).String()
	}
	if !r.CompletedAt.IsZero() {
		v.Timings["total"] = r.CompletedAt.Sub(r.ReceivedAt).String()
	}
	return v
}

func (a *API) listReceipts(c *gin.Context) {
	f := store.Filter{
		Source: c.Query("source"), Status: store.Status(c.Query("status")),
		EventType: c.Query("event_type"), EventID: c.Query("event_id"), Cursor: c.Query("cursor"),
		Text: c.Query("q"),
	}
	var err error
	if f.Status != "" && !f.Status.Valid() {
		a.fail(c, fmt.Errorf("%w: unknown status %q", errBadRequest, f.Status))
		return
	}
	if err := store.CheckText(f.Text); err != nil {
		a.fail(c, fmt.Errorf("%w: q: %w", errBadRequest, err))
		return
	}
	if f.Since, err = parseTime(c, "since"); err != nil {
		a.fail(c, err)
		return
	}
	if f.Until, err = parseTime(c, "until"); err != nil {
		a.fail(c, err)
		return
	}
	if f.Limit, err = parseLimit(c); err != nil {
		a.fail(c, err)
		return
	}
	page, err := a.o.Store.ListReceipts(c.Request.Context(), f)
	if err != nil {
		a.fail(c, err)
		return
	}
	out := struct {
		Receipts []ReceiptView `json:"receipts"`
		Next     string        `json:"next,omitempty"`
	}{Receipts: make([]ReceiptView, 0, len(page.Receipts)), Next: page.Next}
	for _, r := range page.Receipts {
		out.Receipts = append(out.Receipts, view(r))
	}
	c.JSON(http.StatusOK, out)
}

// EventView is a stored normalized event.
type EventView struct {
	ID          string     `json:"id"`
	ReceiptID   string     `json:"receipt_id"`
	Type        string     `json:"type"`
	Subject     string     `json:"subject,omitempty"`
	Time        time.Time  `json:"time"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	Envelope    any        `json:"envelope"`
}

func eventView(e store.Event) EventView {
	return EventView{ID: e.ID, ReceiptID: e.ReceiptID, Type: e.Type, Subject: e.Subject, Time: e.Time,
		PublishedAt: opt(e.PublishedAt), Envelope: rawJSON(e.Envelope)}
}

type rawJSON []byte

func (r rawJSON) MarshalJSON() ([]byte, error) {
	if len(r) == 0 {
		return []byte("null"), nil
	}
	return r, nil
}

func (a *API) getReceipt(c *gin.Context) {
	ctx := c.Request.Context()
	r, err := a.o.Store.Receipt(ctx, c.Param("id"))
	if err != nil {
		a.fail(c, err)
		return
	}
	attempts, err := a.o.Store.Attempts(ctx, r.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	evs, err := a.o.Store.Events(ctx, store.EventFilter{ReceiptID: r.ID, Limit: 1000})
	if err != nil {
		a.fail(c, err)
		return
	}
	replays, err := a.o.Store.Replays(ctx, r.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	v := view(r)
	bodies := has(c, ScopeReadBodies)
	if c.Query("body") == "1" && !bodies {
		c.AbortWithStatusJSON(http.StatusForbidden, errBody(fmt.Sprintf("body=1 needs the %q scope", ScopeReadBodies)))
		return
	}
	if bodies {
		v.Header = r.Header // signature headers with the body make a valid request
	}
	if c.Query("body") == "1" {
		if isText(r.Body) {
			v.Body = string(r.Body)
		} else {
			v.BodyBase64 = base64.StdEncoding.EncodeToString(r.Body)
		}
	}
	type attemptView struct {
		Run        int        `json:"run"`
		Step       store.Step `json:"step"`
		Attempt    int        `json:"attempt"`
		StartedAt  time.Time  `json:"started_at"`
		FinishedAt time.Time  `json:"finished_at"`
		Duration   string     `json:"duration"`
		Error      string     `json:"error,omitempty"`
	}
	type replayView struct {
		At     time.Time `json:"at"`
		Actor  string    `json:"actor"`
		Reason string    `json:"reason,omitempty"`
	}
	out := struct {
		Receipt  ReceiptView   `json:"receipt"`
		Attempts []attemptView `json:"attempts"`
		Events   []EventView   `json:"events"`
		Replays  []replayView  `json:"replays"`
	}{Receipt: v, Attempts: []attemptView{}, Events: []EventView{}, Replays: []replayView{}}
	for _, at := range attempts {
		out.Attempts = append(out.Attempts, attemptView{at.Run, at.Step, at.Attempt, at.StartedAt, at.FinishedAt, at.FinishedAt.Sub(at.StartedAt).String(), at.Error})
	}
	for _, e := range evs {
		out.Events = append(out.Events, eventView(e))
	}
	for _, rp := range replays {
		out.Replays = append(out.Replays, replayView{rp.At, rp.Actor, rp.Reason})
	}
	c.JSON(http.StatusOK, out)
}

func isText(b []byte) bool {
	for _, c := range string(b) {
		if c == 0xFFFD || (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
			return false
		}
	}
	return true
}

type replayRequest struct {
	Reason string `json:"reason"`
	// Mode is resume (default) or redo (store.ReplayMode).
	Mode store.ReplayMode `json:"mode"`
}

func (a *API) replay(c *gin.Context) {
	ctx := c.Request.Context()
	var req replayRequest
	if c.Request.ContentLength != 0 {
		if err := c.ShouldBindJSON(&req); err != nil {
			a.fail(c, fmt.Errorf("%w: body must be {\"reason\": \"...\"}", errBadRequest))
			return
		}
	}
	if len(req.Reason) > 1000 {
		a.fail(c, fmt.Errorf("%w: reason longer than 1000 bytes", errBadRequest))
		return
	}
	if err := checkMode(req.Mode); err != nil {
		a.fail(c, err)
		return
	}
	r, err := a.o.Store.Receipt(ctx, c.Param("id"))
	if err != nil {
		a.fail(c, err)
		return
	}
	actor := c.GetString(actorKey)
	ref, err := relay.Replay(ctx, a.o.Store, a.o.Starter, r, store.Replay{At: a.o.Now(), Actor: actor, Reason: req.Reason}, req.Mode)
	switch {
	case errors.Is(err, relay.ErrNotStarted):
		// Requeued and recorded: the relay's sweep starts the run.
		a.o.Logger.Warn("receipt replay requested; its run did not start yet", "receipt_id", r.ID, "actor", actor, "err", err)
		c.JSON(http.StatusAccepted, gin.H{"status": "requeued", "receipt_id": r.ID, "generation": ref.Generation, "mode": ref.Mode})
		return
	case err != nil:
		a.fail(c, err)
		return
	}
	a.o.Logger.Info("receipt replayed", "receipt_id", r.ID, "source", r.Source, "actor", actor, "generation", ref.Generation)
	c.JSON(http.StatusAccepted, gin.H{"status": "started", "receipt_id": r.ID, "generation": ref.Generation, "mode": ref.Mode})
}

func (a *API) listEvents(c *gin.Context) {
	f := store.EventFilter{ReceiptID: c.Query("receipt_id"), Type: c.Query("type")}
	var err error
	if f.Since, err = parseTime(c, "since"); err != nil {
		a.fail(c, err)
		return
	}
	if f.Limit, err = parseLimit(c); err != nil {
		a.fail(c, err)
		return
	}
	evs, err := a.o.Store.Events(c.Request.Context(), f)
	if err != nil {
		a.fail(c, err)
		return
	}
	out := make([]EventView, 0, len(evs))
	for _, e := range evs {
		out = append(out, eventView(e))
	}
	c.JSON(http.StatusOK, gin.H{"events": out})
}

func (a *API) listAudit(c *gin.Context) {
	f := store.AuditFilter{Source: c.Query("source"), Outcome: store.Outcome(c.Query("outcome"))}
	var err error
	if f.Since, err = parseTime(c, "since"); err != nil {
		a.fail(c, err)
		return
	}
	if f.Limit, err = parseLimit(c); err != nil {
		a.fail(c, err)
		return
	}
	recs, err := a.o.Store.ListAudit(c.Request.Context(), f)
	if err != nil {
		a.fail(c, err)
		return
	}
	type auditView struct {
		ID        string              `json:"id"`
		At        time.Time           `json:"at"`
		Source    string              `json:"source"`
		RemoteIP  string              `json:"remote_ip"`
		Method    string              `json:"method"`
		Path      string              `json:"path"`
		Status    int                 `json:"status"`
		Outcome   store.Outcome       `json:"outcome"`
		Reason    string              `json:"reason,omitempty"`
		ReceiptID string              `json:"receipt_id,omitempty"`
		EventID   string              `json:"event_id,omitempty"`
		BodySize  int64               `json:"body_size"`
		Header    map[string][]string `json:"headers"`
	}
	out := make([]auditView, 0, len(recs))
	for _, r := range recs {
		h := r.Header
		if !has(c, ScopeReadBodies) {
			h = nil
		}
		out = append(out, auditView{r.ID, r.At, r.Source, r.RemoteIP, r.Method, r.Path, r.Status, r.Outcome, r.Reason, r.ReceiptID, r.EventID, r.BodySize, h})
	}
	c.JSON(http.StatusOK, gin.H{"audit": out})
}

// forgetSecret forgets a source's handshake secret (Asana's X-Hook-Secret):
// 204 when one was kept, 404 when none was. The provider's webhook can then
// be created again, and its handshake's secret is kept; until then the
// source's events are refused.
func (a *API) forgetSecret(c *gin.Context) {
	if a.o.Secrets == nil {
		c.JSON(http.StatusNotFound, errBody("handshake secrets are not kept by this process"))
		return
	}
	name := c.Param("name")
	ok, err := a.o.Secrets.ForgetSourceSecret(c.Request.Context(), name)
	if err != nil {
		a.o.Logger.Error("forget handshake secret", "source", name, "err", err)
		c.JSON(http.StatusServiceUnavailable, errBody("store unavailable"))
		return
	}
	if !ok {
		c.JSON(http.StatusNotFound, errBody("no handshake secret is kept for source "+name))
		return
	}
	actor, _ := c.Get(actorKey)
	a.o.Logger.Warn("handshake secret forgotten: the source refuses events until its provider's next handshake", "source", name, "actor", actor)
	c.Status(http.StatusNoContent)
}
