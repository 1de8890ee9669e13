package testenv

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"
)

func TestPostgresURLGivesAFreshDatabaseDroppedAtTheEnd(t *testing.T) {
	var name string
	t.Run("use", func(t *testing.T) {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, PostgresURL(t))
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		defer conn.Close(ctx)
		if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(name, "t_") {
			t.Errorf("database %q: want a t_ test database", name)
		}
		var tables int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables); err != nil {
			t.Fatal(err)
		}
		if tables != 0 {
			t.Errorf("fresh database has %d tables", tables)
		}
	})
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, os.Getenv(EnvDatabaseURL))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("database %s still exists after its test ended", name)
	}
}

func TestRedisURL(t *testing.T) {
	opts, err := redis.ParseURL(RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	defer c.Close()
	key := Unique("k")
	if err := c.Set(context.Background(), key, "v", time.Minute).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	if got, err := c.Get(context.Background(), key).Result(); err != nil || got != "v" {
		t.Fatalf("GET = %q, %v; want v", got, err)
	}
}

func TestAMQPURL(t *testing.T) {
	conn, err := amqp.Dial(AMQPURL(t))
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	q := Unique("q")
	if _, err := ch.QueueDeclare(q, false, true, true, false, nil); err != nil {
		t.Fatalf("declare: %v", err)
	}
}

func TestUnique(t *testing.T) {
	a, b := Unique("x"), Unique("x")
	if a == b || !strings.HasPrefix(a, "x_") || len(a) != len("x_")+12 {
		t.Errorf("Unique gave %q and %q", a, b)
	}
}

// stopCase is one service for TestStopStart: prepare runs before the stop; check
// runs while the service is down (want an error) and after the start (want none).
type stopCase struct {
	service string
	prepare func(t *testing.T)
	check   func(ctx context.Context) error
}

func postgresStopCase() stopCase {
	return stopCase{
		service: Postgres,
		prepare: func(t *testing.T) {},
		check: func(ctx context.Context) error {
			c, err := pgx.Connect(ctx, os.Getenv(EnvDatabaseURL))
			if err != nil {
				return err
			}
			defer c.Close(ctx)
			return c.Ping(ctx)
		},
	}
}

// redisStopCase also checks that a key written before the stop is still there.
func redisStopCase() stopCase {
	key := Unique("survivor")
	client := func() (*redis.Client, error) {
		opts, err := redis.ParseURL(os.Getenv(EnvRedisURL))
		if err != nil {
			return nil, err
		}
		opts.MaxRetries = -1
		return redis.NewClient(opts), nil
	}
	return stopCase{
		service: Redis,
		prepare: func(t *testing.T) {
			c, err := client()
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.Set(context.Background(), key, "kept", 0).Err(); err != nil {
				t.Fatal(err)
			}
		},
		check: func(ctx context.Context) error {
			c, err := client()
			if err != nil {
				return err
			}
			defer c.Close()
			got, err := c.Get(ctx, key).Result()
			if err != nil {
				return err
			}
			if got != "kept" {
				return errors.New("value lost across the restart: " + got)
			}
			return nil
		},
	}
}

// TestStopStart stops and restarts the fast services; RabbitMQ's restart is
// exercised by the publisher's tests. Redis keeps its data across the restart
// (the controller saves a snapshot on stop).
func TestStopStart(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []stopCase{postgresStopCase(), redisStopCase()} {
		t.Run(tt.service, func(t *testing.T) {
			PostgresURL(t) // take the services' shared hold, as a real test does
			RedisURL(t)
			tt.prepare(t)
			if err := tt.check(ctx); err != nil {
				t.Fatalf("before stop: %v", err)
			}
			Stop(t, tt.service)
			cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			err := tt.check(cctx)
			cancel()
			if err == nil {
				t.Fatalf("%s still answers after Stop", tt.service)
			}
			Start(t, tt.service)
			if err := tt.check(ctx); err != nil {
				t.Fatalf("after start: %v", err)
			}
		})
	}
}

// lockHolder starts a process that holds the services lock in mode ("-s" shared,
// "-x" exclusive) until its stdin is closed; it returns once the lock is held.
func lockHolder(t *testing.T, mode string) (release func()) {
	t.Helper()
	path := filepath.Join(filepath.Dir(os.Getenv(EnvServicesCtl)), "services.lock")
	cmd := exec.Command("flock", mode, path, "sh", "-c", "echo held; cat >/dev/null")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start flock: %v", err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "held\n" {
		t.Fatalf("flock holder: %q, %v", line, err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			stdin.Close()
			if err := cmd.Wait(); err != nil {
				t.Errorf("flock holder: %v", err)
			}
		})
	}
	t.Cleanup(release)
	return release
}

// TestStopWaitsForOtherProcesses checks the cross-process lock: Stop waits while a
// test in another package holds the services, and that package's next test waits
// while the service is stopped.
func TestStopWaitsForOtherProcesses(t *testing.T) {
	RedisURL(t)
	const hold = 700 * time.Millisecond

	release := lockHolder(t, "-s")
	released := make(chan time.Time, 1)
	go func() {
		time.Sleep(hold)
		released <- time.Now()
		release()
	}()
	Stop(t, Redis)
	stoppedAt := time.Now()
	if at := <-released; stoppedAt.Before(at) {
		t.Fatalf("Stop returned %v before the other process released its hold", at.Sub(stoppedAt))
	}

	// While stopped, another process cannot take the shared lock.
	path := filepath.Join(filepath.Dir(os.Getenv(EnvServicesCtl)), "services.lock")
	if out, err := exec.Command("flock", "-s", "-n", path, "true").CombinedOutput(); err == nil {
		t.Fatalf("another process took the shared lock while redis was stopped (%s)", out)
	}
	Start(t, Redis)
	if out, err := exec.Command("flock", "-s", "-w", "10", path, "true").CombinedOutput(); err != nil {
		t.Fatalf("shared lock not free after Start: %v %s", err, out)
	}
}

// TestStopWithoutStartRestartsAtTheEnd: a fault test that fails half-way must not
// leave the service down for everyone else.
func TestStopWithoutStartRestartsAtTheEnd(t *testing.T) {
	t.Run("stops and forgets", func(t *testing.T) {
		RedisURL(t)
		Stop(t, Redis)
	})
	out, err := exec.Command(os.Getenv(EnvServicesCtl), "status", Redis).CombinedOutput()
	if err != nil {
		t.Fatalf("redis not restarted after the test ended: %v %s", err, out)
	}
	if l := lockFor(t); l.isStopped(Redis) {
		t.Fatal("lock still records redis as stopped")
	}
}
