// Command refserver is the benchmark's durable-ack ceiling: a bare net/http server
// that verifies a GitHub HMAC-SHA256 signature and group-commits the same rows
// hookgate's gateway writes (a receipt and its audit record, through
// internal/storage/postgres Ingest and groupcommit) before answering 200. It has no router,
// no rate limits, no relay and no metrics: whatever hookgate's gateway does beyond
// this costs the difference between the two.
package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/hookgate/hookgate/store"
)

// bodyLimit matches the gateway's GitHub default (25 MiB).
const bodyLimit = 25 << 20

// Committer durably stores a delivery; *groupcommit.Committer implements it.
type Committer interface {
	Commit(ctx context.Context, d store.Delivery) (store.IngestResult, error)
}

// Server is the reference ingest handler for one GitHub source.
type Server struct {
	Source string
	Secret []byte
	Commit Committer
	Log    *slog.Logger
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/webhooks/"+s.Source {
		http.NotFound(w, r)
		return
	}
	now := time.Now().UTC()
	body, err := io.ReadAll(io.LimitReader(r.Body, bodyLimit+1))
	if err != nil || len(body) > bodyLimit {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	if !s.verify(r.Header.Get("X-Hub-Signature-256"), body) {
		// Rejected requests are not stored: the reference measures the
		// accepted path's ceiling.
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	id := r.Header.Get("X-GitHub-Delivery")
	if id == "" || len(id) > 128 {
		http.Error(w, "missing delivery id", http.StatusBadRequest)
		return
	}
	rec := store.AuditRecord{
		ID: uuid.Must(uuid.NewV7()).String(), At: now, Source: s.Source,
		RemoteIP: remoteIP(r), Method: r.Method, Path: r.URL.EscapedPath(),
		Header: r.Header, BodySize: int64(len(body)), Status: http.StatusOK, EventID: id,
	}
	d := store.Delivery{
		Receipt: store.Receipt{
			ID: uuid.Must(uuid.NewV7()).String(), Source: s.Source, Provider: "github",
			EventID: id, EventType: r.Header.Get("X-GitHub-Event"), Status: store.StatusVerified,
			ContentType: r.Header.Get("Content-Type"), Header: r.Header, Body: body, ReceivedAt: now,
		},
		Audit: rec,
	}
	res, err := s.Commit.Commit(r.Context(), d)
	if err != nil {
		s.Log.Error("commit failed", "err", err)
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	status := "accepted"
	if res.Duplicate {
		status = "duplicate"
	}
	_, _ = io.WriteString(w, `{"status":"`+status+`","receipt_id":"`+res.ReceiptID+`"}`)
}

// verify checks "sha256=<hex>" against the body in constant time.
func (s *Server) verify(header string, body []byte) bool { return verify(s.Secret, header, body) }

func verify(secret []byte, header string, body []byte) bool {
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
