package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hookgate/hookgate/bench/load"
	"github.com/hookgate/hookgate/internal/testing/testenv"
)

// Scenario 0 against a real PostgreSQL: concurrent signed deliveries are all
// acked once their batch commits, one row each; a resend adds no row; a
// forgery is 401 and writes nothing.
func TestBare(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pool, err := pgxpool.New(ctx, testenv.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	secret := []byte("bench-secret")
	b := &Bare{Source: "github", Secret: secret, Log: slog.New(slog.DiscardHandler)}
	if err := b.Start(ctx, pool); err != nil {
		t.Fatal(err)
	}
	post := func(id, sig string, body []byte) int {
		r := httptest.NewRequest(http.MethodPost, "/webhooks/github", strings.NewReader(string(body)))
		r.Header.Set("X-GitHub-Delivery", id)
		r.Header.Set("X-Hub-Signature-256", sig)
		w := httptest.NewRecorder()
		b.ServeHTTP(w, r)
		return w.Code
	}
	var wg sync.WaitGroup
	codes := make([]int, 100)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("bare-%d", i%80) // 20 resends
			body := load.Body(id, 2200)
			codes[i] = post(id, load.Sign(secret, body), body)
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Fatalf("delivery %d: %d", i, c)
		}
	}
	body := load.Body("forged", 2200)
	if c := post("forged", "sha256="+strings.Repeat("0", 64), body); c != http.StatusUnauthorized {
		t.Fatalf("forgery: %d", c)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM `+bareTable).Scan(&n); err != nil || n != 80 {
		t.Fatalf("%d rows (%v), want 80", n, err)
	}
}
