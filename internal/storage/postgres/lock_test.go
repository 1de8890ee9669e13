package postgres_test

import (
	"context"
	"testing"

	"github.com/hookgate/hookgate/internal/storage/postgres"
	"github.com/hookgate/hookgate/internal/testing/testenv"
)

func TestLeader(t *testing.T) {
	ctx := context.Background()
	url := testenv.PostgresURL(t)
	a, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const key = 0x686f6f6b // per-test database: no other holder
	la, lb := a.Leader(key), b.Leader(key)
	steps := []struct {
		name   string
		l      *postgres.Leader
		want   bool
		before func()
	}{
		{"a takes the free lock", la, true, nil},
		{"a keeps it", la, true, nil},
		{"b cannot take it", lb, false, nil},
		{"b takes it once a gives it up", lb, true, func() {
			if err := la.Close(); err != nil {
				t.Fatal(err)
			}
		}},
		{"a cannot take it back", la, false, nil},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		got, err := s.l.Lead(ctx)
		if err != nil || got != s.want {
			t.Errorf("%s: Lead = %v, %v; want %v", s.name, got, err, s.want)
		}
	}
	if err := lb.Close(); err != nil {
		t.Fatal(err)
	}
}
