package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Bare is scenario 0 of `make bench`: the machine's durable-ack limit. It
// verifies the GitHub signature and writes one row per request (the delivery
// ID, the body, the time) into one table without secondary indexes, batched:
// every pending request of a moment goes into one INSERT … SELECT FROM unnest,
// one transaction, and is answered once it commits. Nothing of hookgate's
// schema (receipts, audit, search index) is written: whatever the gateway
// costs beyond this is its price.
type Bare struct {
	Source string
	Secret []byte
	Log    *slog.Logger

	pending chan bareRow
}

type bareRow struct {
	id   string
	body []byte
	at   time.Time
	done chan error
}

// bareTable is created, emptied, by Start.
const bareTable = "bench_bare_acks"

// maxBareBatch bounds one INSERT.
const maxBareBatch = 256

// Start creates the table and runs the writer until ctx ends.
func (b *Bare) Start(ctx context.Context, pool *pgxpool.Pool) error {
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+bareTable+` (
		id text PRIMARY KEY, body bytea NOT NULL, received_at timestamptz NOT NULL)`); err != nil {
		return fmt.Errorf("create %s: %w", bareTable, err)
	}
	if _, err := pool.Exec(ctx, `TRUNCATE `+bareTable); err != nil {
		return fmt.Errorf("truncate %s: %w", bareTable, err)
	}
	b.pending = make(chan bareRow, 4096)
	go b.write(ctx, pool)
	return nil
}

// write commits what is pending, as one batch each time.
func (b *Bare) write(ctx context.Context, pool *pgxpool.Pool) {
	for {
		var batch []bareRow
		select {
		case r := <-b.pending:
			batch = append(batch, r)
		case <-ctx.Done():
			return
		}
	more:
		for len(batch) < maxBareBatch {
			select {
			case r := <-b.pending:
				batch = append(batch, r)
			default:
				break more
			}
		}
		ids := make([]string, len(batch))
		bodies := make([][]byte, len(batch))
		ats := make([]time.Time, len(batch))
		for i, r := range batch {
			ids[i], bodies[i], ats[i] = r.id, r.body, r.at
		}
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO `+bareTable+` (id, body, received_at)
				SELECT * FROM unnest($1::text[], $2::bytea[], $3::timestamptz[]) ON CONFLICT (id) DO NOTHING`, ids, bodies, ats)
			return err
		})
		for _, r := range batch {
			r.done <- err
		}
	}
}

func (b *Bare) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/webhooks/"+b.Source {
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, bodyLimit+1))
	if err != nil || len(body) > bodyLimit {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	if !verify(b.Secret, r.Header.Get("X-Hub-Signature-256"), body) {
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	id := r.Header.Get("X-GitHub-Delivery")
	if id == "" || len(id) > 128 {
		http.Error(w, "missing delivery", http.StatusBadRequest)
		return
	}
	done := make(chan error, 1)
	select {
	case b.pending <- bareRow{id: id, body: body, at: time.Now().UTC(), done: done}:
	case <-r.Context().Done():
		return
	}
	if err := <-done; err != nil {
		b.Log.Error("bare commit", "err", err)
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"status":"accepted"}`)
}
