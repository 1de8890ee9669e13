package config

import "fmt"

// RelayProcess names the process that runs the relay (the outbox that starts
// each receipt's workflow).
type RelayProcess string

const (
	// RelayInGateway runs the relay in the gateway process (the default): it is
	// told of each commit in memory and starts the workflow at once.
	RelayInGateway RelayProcess = "gateway"
	// RelayInWorker runs the relay in the worker process, which then starts
	// workflows with eager start (the first workflow task comes back in the
	// start response, one task-queue round trip less per event). The gateway
	// announces commits with a PostgreSQL NOTIFY, so it needs DATABASE_URL.
	RelayInWorker RelayProcess = "worker"
)

// Relay places the relay.
type Relay struct {
	// Process is gateway (default) or worker.
	Process RelayProcess `yaml:"process"`
}

// resolveRelay applies the default and validates the relay block.
func (c *Config) resolveRelay() []error {
	switch c.Relay.Process {
	case "":
		c.Relay.Process = RelayInGateway
	case RelayInGateway:
	case RelayInWorker:
		if c.DatabaseURL == "" {
			return []error{fmt.Errorf("relay.process: worker needs PostgreSQL (DATABASE_URL), whose NOTIFY tells the worker of each commit; " +
				"with the SQLite store keep the relay in the gateway (hookgate dev runs both in one process)")}
		}
	default:
		return []error{fmt.Errorf("relay.process: %q is not a process: use gateway or worker", c.Relay.Process)}
	}
	return nil
}
