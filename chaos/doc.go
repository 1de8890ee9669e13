// Package chaos is hookgate's fault suite (issue #4): it runs the gateway and
// the worker as real OS processes against real PostgreSQL and RabbitMQ and
// hookgate's embedded Temporal server (devserver, run as a process of its own by
// chaos/temporalserver), sends a bounded load of signed webhooks with
// duplicates and forgeries, injects one fault per test (kill -9 of the worker,
// RabbitMQ down, Temporal down, PostgreSQL down, kill -9 of the gateway), and
// checks that the books balance exactly once everything has settled.
//
// The package holds only tests. `make test` runs them with short parameters;
// `make chaos` (CHAOS=full) runs them with the issue's: 500 requests/s for 30 s,
// 30 s outages, 10 s for PostgreSQL. See docs/hardening.md, "Chaos suite".
package chaos
