// Package console is hookgate's operator console: server-rendered pages on
// the admin listener that show the webhooks a gateway received — receipts
// with their bodies, attempts and events, and the requests it rejected.
//
// An operator signs in with an admin token, which becomes a session cookie
// (HttpOnly, SameSite=Strict, Secure under TLS, expiring); every form that
// changes state carries the session's CSRF token. Pages are html/template
// output (everything from a webhook is escaped), served with a strict
// Content-Security-Policy: no script runs, inline or not, and the console
// cannot be framed. Assets are embedded: nothing is fetched at run time.
package console

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hookgate/hookgate/internal/processing/relay"
	"github.com/hookgate/hookgate/store"
)

// Store is what the console reads.
type Store interface {
	ListReceipts(ctx context.Context, f store.Filter) (store.Page, error)
	Receipt(ctx context.Context, id string) (store.Receipt, error)
	Attempts(ctx context.Context, receiptID string) ([]store.Attempt, error)
	Events(ctx context.Context, f store.EventFilter) ([]store.Event, error)
	Replays(ctx context.Context, receiptID string) ([]store.Replay, error)
	ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditRecord, error)
	Stats(ctx context.Context, f store.StatsFilter) ([]store.StatusStats, error)
	relay.ReplayStore
}

// Source is what the Sources screen shows of a configured source: never its
// secrets.
type Source struct {
	Name, Provider string
	// URL is the one to paste into the provider's dashboard.
	URL       string
	BodyLimit string
	// Retry describes the source's retry policy ("5 attempts: 1s, 10s, …").
	Retry string
	// Handshake is the check the provider makes of the endpoint, if any.
	Handshake  string
	AllowedIPs []string
}

// Token is an admin token that may sign in (one with the read scope): its
// name is the actor the console records. Bodies says whether it may see
// stored headers and bodies (the read:bodies scope): for schemes without a
// signed timestamp a stored body with its signature is a valid request.
type Token struct {
	Name   string
	Value  string
	Bodies bool
	// Replay says whether it may replay receipts (the replay scope).
	Replay bool
}

// Options configure the console.
type Options struct {
	Store  Store
	Tokens []Token
	// TemporalUI is the Temporal UI's base URL ("http://127.0.0.1:8233");
	// a receipt links to its workflow there. Empty: no link.
	TemporalUI string
	// Namespace is the Temporal namespace of the workflows.
	Namespace string
	// Starter starts a replayed receipt's run (relay.Replay); nil leaves it
	// to the relay's sweep.
	Starter relay.Starter
	// BulkReplays runs bulk replays; nil: only their dry run.
	BulkReplays BulkReplays
	// Sources are the configured sources, for the Sources screen.
	Sources []Source
	// SessionTTL is how long a sign-in lasts (default 8 hours).
	SessionTTL time.Duration
	Logger     *slog.Logger
	Now        func() time.Time
}

// Console is the operator console's HTTP handler.
type Console struct {
	o        Options
	tokens   []tokenHash
	sessions *sessions
	pages    map[string]*template.Template
	mux      *http.ServeMux
}

type tokenHash struct {
	name           string
	sum            [32]byte
	bodies, replay bool
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Serves reports whether path is one of the console's: the admin listener
// sends the rest (/v1/…, /metrics) to the API.
func Serves(path string) bool {
	switch path {
	case "/", "/sign-in", "/sign-out", "/receipts", "/rejected", "/sources", "/dead", "/replay", "/bulk", "/bulk/progress", "/bulk/cancel":
		return true
	}
	return strings.HasPrefix(path, "/receipts/") || strings.HasPrefix(path, "/assets/")
}

// New builds the console. Without tokens nobody can sign in.
func New(o Options) (*Console, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 8 * time.Hour
	}
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	c := &Console{o: o, sessions: newSessions(o.SessionTTL, o.Now), pages: map[string]*template.Template{}}
	for _, t := range o.Tokens {
		c.tokens = append(c.tokens, tokenHash{name: t.Name, sum: sha256.Sum256([]byte(t.Value)), bodies: t.Bodies, replay: t.Replay})
	}
	for _, page := range []string{"signin", "overview", "receipts", "receipt", "rejected", "sources", "dead", "replayed", "bulk", "bulkprogress"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+page+".html")
		if err != nil {
			return nil, err
		}
		c.pages[page] = t
	}
	assets, err := fs.Sub(assetFS, "assets")
	if err != nil {
		return nil, err
	}
	m := http.NewServeMux()
	m.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(assets)))
	m.HandleFunc("GET /sign-in", c.signInForm)
	m.HandleFunc("POST /sign-in", c.signIn)
	m.HandleFunc("POST /sign-out", c.signedIn(c.signOut))
	m.HandleFunc("GET /{$}", c.signedIn(c.overview))
	m.HandleFunc("GET /sources", c.signedIn(c.sources))
	m.HandleFunc("GET /receipts", c.signedIn(c.receipts))
	m.HandleFunc("GET /receipts/{id}", c.signedIn(c.receipt))
	m.HandleFunc("GET /rejected", c.signedIn(c.rejected))
	m.HandleFunc("GET /dead", c.signedIn(c.dead))
	m.HandleFunc("POST /replay", c.signedIn(c.replay))
	m.HandleFunc("GET /bulk", c.signedIn(c.bulk))
	m.HandleFunc("POST /bulk", c.signedIn(c.bulkPost))
	m.HandleFunc("GET /bulk/progress", c.signedIn(c.bulkProgress))
	m.HandleFunc("POST /bulk/cancel", c.signedIn(c.bulkCancel))
	c.mux = m
	return c, nil
}

// ServeHTTP serves the console with its security headers.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	c.mux.ServeHTTP(w, r)
}

// signedIn runs next with the request's session, or sends the browser to
// the sign-in page (a 401 for anything but a page load). A POST must carry
// the session's CSRF token.
func (c *Console) signedIn(next func(http.ResponseWriter, *http.Request, session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		se, ok := c.sessions.get(r)
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/sign-in?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodGet && !sameToken(r.PostFormValue("csrf"), se.csrf) {
			http.Error(w, "missing or wrong CSRF token", http.StatusForbidden)
			return
		}
		next(w, r, se)
	}
}

// token returns the admin token tok, comparing every token's hash in
// constant time.
func (c *Console) token(tok string) (tokenHash, bool) {
	sum := sha256.Sum256([]byte(tok))
	var match tokenHash
	found := false
	for _, t := range c.tokens {
		if subtle.ConstantTimeCompare(sum[:], t.sum[:]) == 1 && !found {
			match, found = t, true
		}
	}
	return match, found
}

// errNotFound is a page that does not exist.
var errNotFound = errors.New("not found")

// fail answers an error page: 404 for what does not exist, 400 for a bad
// filter, 500 (logged, not shown) otherwise.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, errNotFound):
		http.Error(w, "not found", http.StatusNotFound)
	case errors.Is(err, store.ErrInvalid):
		http.Error(w, err.Error(), http.StatusBadRequest)
	default:
		c.o.Logger.Error("console page failed", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// render writes page with data, under the layout.
func (c *Console) render(w http.ResponseWriter, r *http.Request, page string, status int, data map[string]any) {
	var b strings.Builder
	if err := c.pages[page].Execute(&b, data); err != nil {
		c.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}
