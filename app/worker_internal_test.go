package app

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"go.temporal.io/sdk/worker"
)

// startCounter is a worker whose Start fails until the given attempt.
type startCounter struct {
	worker.Worker
	attempt, okAt *int
}

func (s startCounter) Start() error {
	*s.attempt++
	if *s.attempt < *s.okAt {
		return errors.New("failed reaching server: connection refused")
	}
	return nil
}

func TestStartWorkerWaitsForTemporal(t *testing.T) {
	workerRetryPause = time.Millisecond
	t.Cleanup(func() { workerRetryPause = time.Second })
	log := slog.New(slog.DiscardHandler)

	attempt, okAt := 0, 3
	build := func() (worker.Worker, error) { return startCounter{attempt: &attempt, okAt: &okAt}, nil }
	w, err := startWorker(context.Background(), build, log)
	if err != nil || w == nil || attempt != 3 {
		t.Fatalf("startWorker = %v, %v after %d attempts; want a worker on the 3rd", w, err, attempt)
	}

	// Temporal never comes back: the context ends the wait, without an error.
	attempt, okAt = 0, 1<<30
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if w, err := startWorker(ctx, build, log); w != nil || err != nil {
		t.Fatalf("startWorker after ctx ended = %v, %v; want nil, nil", w, err)
	}

	// A build error is not retried.
	boom := errors.New("bad config")
	if _, err := startWorker(context.Background(), func() (worker.Worker, error) { return nil, boom }, log); !errors.Is(err, boom) {
		t.Fatalf("startWorker with a build error = %v", err)
	}
}
