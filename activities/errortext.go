package activities

import (
	"errors"

	"go.temporal.io/sdk/temporal"
)

// ErrorText is the readable message of a step's error, as a receipt's
// last_error and an attempt's error show it: the message of the outermost
// Temporal application error, which already holds the whole cause (the SDK's
// Error() repeats the cause after it, with each wrapper's type and
// retryability), followed by hookgate's own error type in parentheses when it
// has one ("… (InvalidPayload)").
func ErrorText(err error) string {
	if err == nil {
		return ""
	}
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) {
		return err.Error()
	}
	msg := ae.Message()
	if ae.Type() == ErrorTypeInvalidPayload {
		msg += " (" + ae.Type() + ")"
	}
	return msg
}
