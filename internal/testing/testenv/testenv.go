// Package testenv gives integration tests the real services started by `make test`
// (or already running ones): PostgreSQL, Redis and RabbitMQ, named by
// TEST_DATABASE_URL, TEST_REDIS_URL and TEST_AMQP_URL.
//
// A missing service fails the test with a message saying how to provide it; it is
// never a silent skip.
package testenv

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Environment variables naming the services.
const (
	EnvDatabaseURL = "TEST_DATABASE_URL"
	EnvRedisURL    = "TEST_REDIS_URL"
	EnvAMQPURL     = "TEST_AMQP_URL"
	// EnvServicesCtl names an executable that stops and starts the private service
	// instances `make test` runs: `$TEST_SERVICES_CTL stop rabbitmq`. Fault tests
	// need it; it is unset when the services are external.
	EnvServicesCtl = "TEST_SERVICES_CTL"
)

func require(t testing.TB, env, what string) string {
	t.Helper()
	v := os.Getenv(env)
	if v == "" {
		t.Fatalf("%s is not set: this test needs a real %s. Run `make test` (it starts one), "+
			"or set %s to a running instance.", env, what, env)
	}
	return v
}

// PostgresURL returns the URL of a fresh, empty database created for this test
// on the server named by TEST_DATABASE_URL, and drops it when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := require(t, EnvDatabaseURL, "PostgreSQL server")
	holdServices(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvDatabaseURL, err)
	}
	defer conn.Close(ctx)
	name := "t_" + strings.ReplaceAll(uuid.NewString(), "-", "")
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Logf("drop test database: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop test database: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvDatabaseURL, err)
	}
	u.Path = "/" + name
	return u.String()
}

// RedisURL returns TEST_REDIS_URL.
func RedisURL(t testing.TB) string {
	t.Helper()
	u := require(t, EnvRedisURL, "Redis server")
	holdServices(t)
	return u
}

// AMQPURL returns TEST_AMQP_URL.
func AMQPURL(t testing.TB) string {
	t.Helper()
	u := require(t, EnvAMQPURL, "RabbitMQ server")
	holdServices(t)
	return u
}

// Service names accepted by Stop and Start.
const (
	Postgres = "postgres"
	Redis    = "redis"
	RabbitMQ = "rabbitmq"
)

// Stop stops the named private service instance (see EnvServicesCtl) and blocks
// until it is down.
//
// It first waits for the tests of other packages that are using the services to
// end, and keeps their new tests waiting until Start (see lock.go), so a fault test
// disturbs no one else. If the test ends without calling Start, the service is
// started again when it ends. A test that calls Stop must not run in parallel with
// other tests of its own package that use the services.
func Stop(t testing.TB, service string) {
	t.Helper()
	require(t, EnvServicesCtl, ctlWhat)
	l := lockFor(t)
	l.beginStop(t, service)
	t.Cleanup(func() {
		if !l.isStopped(service) {
			return
		}
		if err := runCtl("start", service); err != nil {
			t.Errorf("testenv: restart %s after the test: %v", service, err)
		}
		l.endStop(t, service)
	})
	ctl(t, "stop", service)
}

// Start starts the named private service instance again and blocks until it
// accepts connections (it returns at once if it is running).
func Start(t testing.TB, service string) {
	t.Helper()
	ctl(t, "start", service)
	lockFor(t).endStop(t, service)
}

const ctlWhat = "service controller (fault tests stop and start the private instances `make test` runs)"

func runCtl(args ...string) error {
	prog := os.Getenv(EnvServicesCtl)
	out, err := exec.Command(prog, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", prog, strings.Join(args, " "), err, out)
	}
	return nil
}

// MemoryAlarm raises the private RabbitMQ's memory alarm, as memory pressure
// does in production: the broker blocks the connections that publish
// (connection.blocked) and stops reading from them. It returns the function
// that clears the alarm, which also runs when the test ends. Like Stop, it
// waits for the other packages' tests that use the services, and keeps them
// waiting until the alarm is cleared.
func MemoryAlarm(t testing.TB) (clear func()) {
	t.Helper()
	require(t, EnvServicesCtl, ctlWhat)
	l := lockFor(t)
	l.beginStop(t, RabbitMQ)
	var once sync.Once
	clear = func() {
		once.Do(func() {
			if err := runCtl("alarm", "off", RabbitMQ); err != nil {
				t.Errorf("testenv: clear the memory alarm: %v", err)
			}
			l.endStop(t, RabbitMQ)
		})
	}
	t.Cleanup(clear)
	if err := runCtl("alarm", "on", RabbitMQ); err != nil {
		t.Fatal(err)
	}
	return clear
}

func ctl(t testing.TB, verb, service string) {
	t.Helper()
	require(t, EnvServicesCtl, ctlWhat)
	if err := runCtl(verb, service); err != nil {
		t.Fatal(err)
	}
}

// Unique returns a short unique name with the given prefix, for queues, exchanges
// and sources that tests create on shared servers.
func Unique(prefix string) string {
	return fmt.Sprintf("%s_%s", prefix, strings.ReplaceAll(uuid.NewString(), "-", "")[:12])
}
