package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// Cookie names. The session cookie holds a random ID only; what it grants
// lives in the process (a restart signs everyone out).
const (
	sessionCookie = "hookgate_session"
	// loginCookie carries the sign-in form's CSRF token before a session
	// exists (double submit: the form field must equal the cookie).
	loginCookie = "hookgate_login"
)

// session is one signed-in operator.
type session struct {
	actor   string // the admin token's name: replays record it
	bodies  bool   // the token may see stored headers and bodies
	replay  bool   // the token may replay receipts
	csrf    string
	expires time.Time
}

// sessions holds the signed-in operators, keyed by the SHA-256 of the
// cookie's value, so that a memory dump does not hold usable cookies.
type sessions struct {
	mu  sync.Mutex
	m   map[[32]byte]session
	ttl time.Duration
	now func() time.Time
}

func newSessions(ttl time.Duration, now func() time.Time) *sessions {
	return &sessions{m: map[[32]byte]session{}, ttl: ttl, now: now}
}

// randomToken is 32 random bytes, base64url.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("console: random source failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// create starts a session for actor and returns the cookie value.
func (s *sessions) create(t tokenHash) (string, session) {
	id := randomToken()
	se := session{actor: t.name, bodies: t.bodies, replay: t.replay, csrf: randomToken(), expires: s.now().Add(s.ttl)}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, v := range s.m { // drop expired sessions as new ones come
		if now.After(v.expires) {
			delete(s.m, k)
		}
	}
	s.m[sha256.Sum256([]byte(id))] = se
	return id, se
}

// get returns the live session of the request's cookie.
func (s *sessions) get(r *http.Request) (session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return session{}, false
	}
	key := sha256.Sum256([]byte(c.Value))
	s.mu.Lock()
	defer s.mu.Unlock()
	se, ok := s.m[key]
	if !ok {
		return session{}, false
	}
	if s.now().After(se.expires) {
		delete(s.m, key)
		return session{}, false
	}
	return se, true
}

// end forgets the request's session.
func (s *sessions) end(r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.mu.Lock()
		delete(s.m, sha256.Sum256([]byte(c.Value)))
		s.mu.Unlock()
	}
}

// sameToken compares two tokens in constant time.
func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
