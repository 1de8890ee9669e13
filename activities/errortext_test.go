package activities_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/hookgate/hookgate/activities"
)

// A receipt's last_error is one readable message: the cause once, hookgate's
// type apart, no SDK decoration.
func TestErrorText(t *testing.T) {
	cause := errors.New("handler github/push: payload lacks before")
	invalid := temporal.NewNonRetryableApplicationError(cause.Error(), activities.ErrorTypeInvalidPayload, cause)
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{errors.New("broker down"), "broker down"},
		{invalid, "handler github/push: payload lacks before (InvalidPayload)"},
		{fmt.Errorf("activity error: %w", invalid), "handler github/push: payload lacks before (InvalidPayload)"},
		{temporal.NewApplicationError("publish 1 events: broker down", "wrapError", errors.New("broker down")), "publish 1 events: broker down"},
	} {
		got := activities.ErrorText(c.err)
		if got != c.want {
			t.Errorf("ErrorText(%v) = %q, want %q", c.err, got, c.want)
		}
		if strings.Contains(got, "retryable") || strings.Count(got, "payload lacks before") > 1 {
			t.Errorf("ErrorText(%v) = %q: decorated or repeated", c.err, got)
		}
	}
}
