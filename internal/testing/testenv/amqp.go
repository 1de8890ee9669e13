package testenv

import amqp "github.com/rabbitmq/amqp091-go"

// WithAMQPChannel runs fn on a channel of a fresh connection to url, closed
// afterwards: a new connection each time, so test helpers keep working across
// broker restarts.
func WithAMQPChannel(url string, fn func(ch *amqp.Channel) error) error {
	conn, err := amqp.Dial(url)
	if err != nil {
		return err
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	return fn(ch)
}
