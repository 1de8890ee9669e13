package publisher

import "errors"

// Errors returned by Publish, PublishDeadLetter and Ping, wrapped with detail;
// test them with errors.Is. After any of them the caller retries the whole batch
// with the same message IDs (consumers deduplicate), except ErrInvalidMessage and
// ErrClosed, which a retry cannot fix.
var (
	// ErrUnavailable: no connection to the broker could be made or kept (down,
	// unreachable, restarting). The next call tries to reconnect.
	ErrUnavailable = errors.New("publisher: broker unavailable")
	// ErrNacked: the broker refused responsibility for a message (a nack).
	ErrNacked = errors.New("publisher: broker nacked the message")
	// ErrReturned: the broker returned a mandatory message as unroutable. With the
	// alternate exchange in place this means the topology is broken (the
	// unroutable queue is missing).
	ErrReturned = errors.New("publisher: message returned as unroutable")
	// ErrNotConfirmed: the context ended or ConfirmTimeout passed before the broker
	// confirmed every message; any of them may or may not have been delivered.
	ErrNotConfirmed = errors.New("publisher: publish not confirmed in time")
	// ErrInvalidMessage: a message lacks an ID or routing key, or has headers AMQP
	// cannot carry. Nothing of the batch was published.
	ErrInvalidMessage = errors.New("publisher: invalid message")
	// ErrClosed: Close was called.
	ErrClosed = errors.New("publisher: closed")
)
