package e2e

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/hookgate/hookgate/app"
	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/store"
)

// A team activity attached to git.push runs after the publish, on its own
// retry schedule: it fails once, then succeeds, and the receipt completes
// with both attempts recorded under the activity's name.
func TestTeamActivityRunsOnItsOwnSchedule(t *testing.T) {
	var calls atomic.Int64
	var got atomic.Value
	s := setup(t, options{team: app.Team{"NotifyDeploys": func(_ context.Context, ev events.Envelope) error {
		got.Store(string(ev.Type))
		if calls.Add(1) == 1 {
			return errors.New("deploy service busy")
		}
		return nil
	}}})
	id := s.send(t, "github", "push", http.StatusOK)
	r := s.waitStatus(t, "github", id, store.StatusCompleted)
	s.record(t, r.WorkflowID, "history_team")
	if calls.Load() != 2 || got.Load() != string(events.GitPush) {
		t.Errorf("team activity called %d times with %v, want twice with %s", calls.Load(), got.Load(), events.GitPush)
	}
	as, err := s.store.Attempts(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var team []store.Attempt
	for _, a := range as {
		if a.Step == "NotifyDeploys" {
			team = append(team, a)
		}
	}
	if len(team) != 2 || team[0].Error == "" || team[1].Error != "" {
		t.Errorf("team attempts %+v, want a failure then a success", team)
	}
}
