package testenv

import (
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// `go test ./...` runs several packages' test binaries at once against the same
// private servers, so a fault test that stops one would break whatever another
// package is doing with it at that moment. The servers are therefore guarded by a
// readers-writer lock shared by all test processes of one `make test` run:
//
//   - every test that asks for a service URL holds the lock shared until it ends;
//   - Stop takes it exclusively (waiting for the other processes' tests in flight to
//     finish) and keeps it until Start, or until the test ends, so other processes'
//     tests wait for the service to come back instead of failing.
//
// The lock is flock(2) on files beside the controller, so it exists only when the
// services are private (TEST_SERVICES_CTL set); with external servers there is no
// controller and nothing to coordinate. A second file, the turnstile, gives the
// writer priority: a new reader passes through it before taking the shared lock,
// and the writer holds it while waiting, so a steady stream of tests in other
// packages cannot starve a fault test.
//
// Within one process the hold is counted and released when the last test using a
// service ends. Stop drops this process's own shared hold before waiting: two fault
// tests in two packages would otherwise each wait for the other's shared hold. The
// price is that a test which stops a service must not run in parallel (t.Parallel)
// with other tests of its own package that use the services.

// waitNotice is how long a test waits for the lock before saying so in its log.
const waitNotice = 5 * time.Second

type servicesLock struct {
	mu        sync.Mutex
	main      *os.File
	turnstile *os.File
	users     int             // tests of this process holding the shared lock
	stopped   map[string]bool // services this process has stopped and not restarted
}

var (
	lockOnce sync.Once
	theLock  *servicesLock
	lockErr  error
)

// sharedLock returns the lock for the private services, or nil when the services
// are external.
func sharedLock() (*servicesLock, error) {
	ctl := os.Getenv(EnvServicesCtl)
	if ctl == "" {
		return nil, nil
	}
	lockOnce.Do(func() {
		dir := filepath.Dir(ctl)
		var l servicesLock
		if l.main, lockErr = os.OpenFile(filepath.Join(dir, "services.lock"), os.O_CREATE|os.O_RDWR, 0o644); lockErr != nil {
			return
		}
		if l.turnstile, lockErr = os.OpenFile(filepath.Join(dir, "services.turnstile"), os.O_CREATE|os.O_RDWR, 0o644); lockErr != nil {
			return
		}
		l.stopped = map[string]bool{}
		theLock = &l
	})
	return theLock, lockErr
}

// flock blocks until how is granted on f, logging once if that takes a while.
func flock(t testing.TB, f *os.File, how int, why string) {
	t.Helper()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-done:
		case <-time.After(waitNotice):
			t.Logf("testenv: waiting for other test processes (%s)", why)
		}
	}()
	// The notice goroutine must be gone before t can end: t.Logf after that panics.
	defer wg.Wait()
	defer close(done)
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			t.Fatalf("testenv: lock %s: %v", f.Name(), err)
		}
		return
	}
}

// holdServices keeps the private services from being stopped by another test
// process until t ends.
func holdServices(t testing.TB) {
	t.Helper()
	l, err := sharedLock()
	if err != nil {
		t.Fatalf("testenv: open services lock: %v", err)
	}
	if l == nil {
		return
	}
	l.mu.Lock()
	if l.users == 0 && len(l.stopped) == 0 {
		l.acquireShared(t)
	}
	l.users++
	l.mu.Unlock()
	t.Cleanup(func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.users--
		if l.users == 0 && len(l.stopped) == 0 {
			l.release(t)
		}
	})
}

// acquireShared passes the turnstile, then takes the main lock shared. l.mu held.
func (l *servicesLock) acquireShared(t testing.TB) {
	t.Helper()
	flock(t, l.turnstile, syscall.LOCK_EX, "a fault test has stopped a service")
	flock(t, l.main, syscall.LOCK_SH, "a fault test has stopped a service")
	flock(t, l.turnstile, syscall.LOCK_UN, "")
}

// release drops whatever this process holds on the main lock. l.mu held.
func (l *servicesLock) release(t testing.TB) {
	t.Helper()
	flock(t, l.main, syscall.LOCK_UN, "")
}

// beginStop takes the lock exclusively, before service is stopped.
func (l *servicesLock) beginStop(t testing.TB, service string) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.stopped) == 0 {
		if l.users > 0 {
			l.release(t)
		}
		flock(t, l.turnstile, syscall.LOCK_EX, "tests in other packages are using the services")
		flock(t, l.main, syscall.LOCK_EX, "tests in other packages are using the services")
	}
	l.stopped[service] = true
}

// endStop records that service runs again and, once nothing this process stopped
// is still down, lets the other processes in. It reports whether service was
// stopped by this process.
func (l *servicesLock) endStop(t testing.TB, service string) bool {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped[service] {
		return false
	}
	delete(l.stopped, service)
	if len(l.stopped) > 0 {
		return true
	}
	if l.users > 0 {
		// Downgrade in place: this process's other tests keep their hold.
		flock(t, l.main, syscall.LOCK_SH, "")
	} else {
		l.release(t)
	}
	flock(t, l.turnstile, syscall.LOCK_UN, "")
	return true
}

// isStopped reports whether this process has service stopped.
func (l *servicesLock) isStopped(service string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stopped[service]
}

func lockFor(t testing.TB) *servicesLock {
	t.Helper()
	l, err := sharedLock()
	if err != nil {
		t.Fatalf("testenv: open services lock: %v", err)
	}
	if l == nil {
		t.Fatalf("testenv: %s is not set: the services are external", EnvServicesCtl)
	}
	return l
}
