package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hookgate/hookgate/internal/storage/postgres"
	"github.com/hookgate/hookgate/internal/storage/storetest"
	"github.com/hookgate/hookgate/internal/testing/testenv"
)

func open(t testing.TB) storetest.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), testenv.PostgresURL(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return open(t) })
}

func BenchmarkIngest(b *testing.B) {
	storetest.BenchIngest(b, func(b *testing.B) storetest.Store { return open(b) })
}

func TestOpenErrorHidesPassword(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://hookgate:s3cr3t-pw@localhost:5432/db?sslmode=bogus")
	if err == nil {
		t.Fatal("Open with an invalid sslmode succeeded")
	}
	if strings.Contains(err.Error(), "s3cr3t-pw") {
		t.Errorf("error reveals the password: %v", err)
	}
}

func TestPingUnreachable(t *testing.T) {
	// Port 1 on loopback: nothing listens, the connection is refused at once.
	s, err := postgres.Open(context.Background(), "postgres://hookgate:s3cr3t-pw@127.0.0.1:1/db?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatalf("Open does not connect, so it must not fail: %v", err)
	}
	defer s.Close()
	err = s.Ping(context.Background())
	if err == nil {
		t.Fatal("Ping of an unreachable server succeeded")
	}
	if strings.Contains(err.Error(), "s3cr3t-pw") {
		t.Errorf("error reveals the password: %v", err)
	}
}

// TestMigrateConcurrently starts several processes' worth of Migrate on one
// empty database at once, as gateway replicas do: they must take turns.
func TestMigrateConcurrently(t *testing.T) {
	ctx := context.Background()
	url := testenv.PostgresURL(t)
	const n = 4
	errs := make(chan error, n)
	for range n {
		go func() {
			s, err := postgres.Open(ctx, url)
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			errs <- s.Migrate(ctx)
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Migrate: %v", err)
		}
	}
}
