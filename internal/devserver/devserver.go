// Package devserver runs a complete Temporal server, and optionally the Temporal
// UI, inside the current process, for `hookgate dev` and for tests.
//
// State lives in a SQLite file in Options.DataDir (or in memory), so a stopped
// server started again on the same DataDir and Port carries on where it left
// off: workflows that were running keep running.
//
// The package compiles the whole Temporal server. Only the dev command and tests
// may import it; cmd/gateway and cmd/worker talk to Temporal through the SDK.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/common/searchattribute/sadefs"
	"go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

// Sentinel errors returned (wrapped) by Start.
var (
	// ErrInvalidOptions means a field of Options is out of range; the message
	// names the field.
	ErrInvalidOptions = errors.New("devserver: invalid options")
	// ErrPortInUse means a requested port (Options.Port or Options.UIPort) is
	// already bound by another listener.
	ErrPortInUse = errors.New("devserver: port in use")
	// ErrSearchAttributeConflict means a requested search attribute already
	// exists on the namespace with another type. Temporal cannot change the type
	// of a search attribute; use a new name.
	ErrSearchAttributeConflict = errors.New("devserver: search attribute exists with another type")
	// ErrNotReady means the server started but did not answer before the
	// context given to Start ended.
	ErrNotReady = errors.New("devserver: server did not become ready")
)

// Defaults applied by Start to zero fields of Options.
const (
	DefaultHost      = "127.0.0.1"
	DefaultNamespace = "default"
)

// UIPort values with a special meaning.
const (
	// UIDisabled serves no UI.
	UIDisabled = 0
	// UIAnyPort serves the UI on a free port chosen at start.
	UIAnyPort = -1
)

// Options configures Start. The zero value is a usable in-memory server on a
// free loopback port, without UI.
type Options struct {
	// DataDir is the folder holding the SQLite file (temporal.db); it is created
	// if missing. "" keeps all state in memory and loses it on Stop.
	DataDir string
	// Host is the IP address (or "localhost") the frontend and the UI listen on.
	// Default 127.0.0.1. An unspecified address (0.0.0.0, ::) listens on all
	// interfaces, and Address still returns a loopback address to dial.
	Host string
	// Port is the frontend gRPC port; 0 picks a free port. Workers and the
	// gateway need a stable address across restarts, so the dev command should
	// pass a fixed port (Temporal's usual one is 7233); the server itself accepts
	// a different port on each start of a DataDir.
	Port int
	// UIPort is the Temporal UI HTTP port: UIDisabled (0) for no UI, UIAnyPort
	// (-1) for a free port.
	UIPort int
	// Namespace is created if missing. Default "default".
	Namespace string
	// SearchAttributes are registered on Namespace; existing ones of the same
	// type are left alone, so the same map can be passed on every start.
	SearchAttributes map[string]enums.IndexedValueType
	// Logger receives the server's logs at warn level and above (Temporal is
	// chatty at info). Default slog.Default().
	Logger *slog.Logger
}

// withDefaults returns o with defaults applied, or an error naming the first
// invalid field.
func (o Options) withDefaults() (Options, error) {
	if o.Host == "" {
		o.Host = DefaultHost
	}
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Host != "localhost" && net.ParseIP(o.Host) == nil {
		return o, fmt.Errorf("%w: Host %q is not an IP address or \"localhost\"", ErrInvalidOptions, o.Host)
	}
	if o.Port < 0 || o.Port > 65535 {
		return o, fmt.Errorf("%w: Port %d is outside 0..65535 (0 picks a free port)", ErrInvalidOptions, o.Port)
	}
	if o.UIPort < UIAnyPort || o.UIPort > 65535 {
		return o, fmt.Errorf("%w: UIPort %d is outside -1..65535 (0 disables the UI, -1 picks a free port)", ErrInvalidOptions, o.UIPort)
	}
	if o.Port != 0 && o.Port == o.UIPort {
		return o, fmt.Errorf("%w: Port and UIPort are both %d", ErrInvalidOptions, o.Port)
	}
	for name, typ := range o.SearchAttributes {
		if name == "" || strings.ContainsAny(name, " \t\n\"'`") {
			return o, fmt.Errorf("%w: SearchAttributes: name %q is empty or has quotes or spaces", ErrInvalidOptions, name)
		}
		if sadefs.IsReserved(name) {
			return o, fmt.Errorf("%w: SearchAttributes: %q is reserved by Temporal; pick another name", ErrInvalidOptions, name)
		}
		if _, ok := enums.IndexedValueType_name[int32(typ)]; !ok || typ == enums.INDEXED_VALUE_TYPE_UNSPECIFIED {
			return o, fmt.Errorf("%w: SearchAttributes[%q]: type %d is not a valid IndexedValueType", ErrInvalidOptions, name, typ)
		}
	}
	if o.DataDir != "" {
		abs, err := filepath.Abs(o.DataDir)
		if err != nil {
			return o, fmt.Errorf("%w: DataDir %q: %w", ErrInvalidOptions, o.DataDir, err)
		}
		// The SQLite driver takes a file: URI; these would end the path early.
		if strings.ContainsAny(abs, "?#") {
			return o, fmt.Errorf("%w: DataDir %q must not contain '?' or '#'", ErrInvalidOptions, o.DataDir)
		}
		o.DataDir = abs
	}
	return o, nil
}

// bindIP is the address listeners bind to; dialIP the one clients connect to.
func (o Options) bindIP() string {
	if o.Host == "localhost" {
		return loopbackIPv4
	}
	return o.Host
}

func (o Options) dialIP() string {
	ip := net.ParseIP(o.bindIP())
	if ip.IsUnspecified() {
		if ip.To4() == nil {
			return "::1"
		}
		return loopbackIPv4
	}
	return ip.String()
}

// silent is above every level Temporal logs at.
const silent = slog.LevelError + 100

// Server is a running Temporal server. Its methods are safe for concurrent use.
type Server struct {
	temporal  temporal.Server
	logFloor  *slog.LevelVar
	ui        *uiServer
	address   string
	namespace string

	stopOnce sync.Once
	stopErr  error
}

// Start starts the Temporal server (and the UI when o.UIPort is not 0), creates
// the namespace and registers the search attributes, and returns once the
// frontend answers for that namespace. ctx bounds the whole start; on error
// everything started so far is stopped again.
//
// One process may run several servers, each with its own DataDir; two servers
// must never share a DataDir.
func Start(ctx context.Context, o Options) (*Server, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	bindIP, dialIP := o.bindIP(), o.dialIP()
	if o.Port == 0 {
		if o.Port, err = freePort(bindIP); err != nil {
			return nil, fmt.Errorf("pick frontend port: %w", err)
		}
	} else if err := checkPortFree(bindIP, o.Port); err != nil {
		return nil, fmt.Errorf("frontend: %w", err)
	}
	p, err := pickInternalPorts(o.Port)
	if err != nil {
		return nil, err
	}

	sql := sqlConfig(o.DataDir)
	if err := ensureSchema(sql, o.DataDir); err != nil {
		return nil, err
	}
	if err := forgetMembers(ctx, sql); err != nil {
		return nil, err
	}
	// Creating the namespace in the database before the server starts means its
	// search attributes apply from the first request. An existing namespace is
	// left as is; ensureSearchAttributes adds what it lacks once the server runs.
	ns, err := sqlite.NewNamespaceConfig(clusterName, o.Namespace, false, o.SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("namespace %q: %w", o.Namespace, err)
	}
	if err := sqlite.CreateNamespaces(sql, ns); err != nil {
		return nil, fmt.Errorf("create namespace %q: %w", o.Namespace, err)
	}

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Stop silences the server: while its services shut down one by one, the
	// survivors log warnings and errors about the departed ones ("not enough
	// hosts"), a hundred lines on every Ctrl-C. Stop's result reports what
	// actually failed.
	floor := new(slog.LevelVar)
	floor.Set(slog.LevelWarn)
	logger := atLeast(o.Logger, floor)
	ts, err := temporal.NewServer(
		temporal.WithConfig(serverConfig(sql, bindIP, dialIP, p)),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithLogger(serverLogger{l: logger}),
		temporal.WithDynamicConfigClient(dynamicConfig()),
	)
	if err != nil {
		return nil, fmt.Errorf("create temporal server: %w", err)
	}
	if err := ts.Start(); err != nil {
		return nil, fmt.Errorf("start temporal server: %w", err)
	}

	s := &Server{
		temporal:  ts,
		logFloor:  floor,
		address:   net.JoinHostPort(dialIP, strconv.Itoa(o.Port)),
		namespace: o.Namespace,
	}
	if err := s.await(ctx, o, logger); err != nil {
		return nil, errors.Join(err, s.Stop())
	}
	if o.UIPort != UIDisabled {
		ui, err := startUI(ctx, bindIP, dialIP, o.UIPort, s.address, o.Namespace)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("start ui: %w", err), s.Stop())
		}
		s.ui = ui
	}
	return s, nil
}

// await waits for the frontend to serve the namespace, then registers the
// search attributes it lacks.
func (s *Server) await(ctx context.Context, o Options, logger *slog.Logger) error {
	c, err := client.DialContext(ctx, client.Options{
		HostPort:  s.address,
		Namespace: s.namespace,
		Logger:    sdklog.NewStructuredLogger(logger),
	})
	if err != nil {
		return fmt.Errorf("%w: dial frontend: %w", ErrNotReady, err)
	}
	defer c.Close()

	err = poll(ctx, 50*time.Millisecond, func() error {
		_, err := c.WorkflowService().DescribeNamespace(ctx,
			&workflowservice.DescribeNamespaceRequest{Namespace: s.namespace})
		return err
	})
	if err != nil {
		return fmt.Errorf("%w: describe namespace %q: %w", ErrNotReady, s.namespace, err)
	}
	return ensureSearchAttributes(ctx, c.OperatorService(), s.namespace, o.SearchAttributes)
}

// ensureSearchAttributes adds the attributes of want that the namespace lacks,
// and fails on one that exists with another type.
func ensureSearchAttributes(ctx context.Context, op operatorservice.OperatorServiceClient, namespace string, want map[string]enums.IndexedValueType) error {
	if len(want) == 0 {
		return nil
	}
	have, err := op.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enums.IndexedValueType{}
	for name, typ := range want {
		got, ok := have.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = typ
		case got != typ:
			return fmt.Errorf("%w: %q is %s, wanted %s", ErrSearchAttributeConflict, name, got, typ)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := op.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        namespace,
		SearchAttributes: missing,
	}); err != nil {
		return fmt.Errorf("add search attributes: %w", err)
	}
	// The aliases live on the namespace, which each service re-reads on its own
	// timer; two periods guarantee every service has seen the update.
	return sleep(ctx, 2*namespaceCacheRefresh+200*time.Millisecond)
}

// Address returns the host:port clients dial to reach the frontend.
func (s *Server) Address() string { return s.address }

// UIURL returns the base URL of the Temporal UI, such as http://127.0.0.1:8233,
// or "" when the server runs without UI.
func (s *Server) UIURL() string {
	if s.ui == nil {
		return ""
	}
	return s.ui.url
}

// Namespace returns the namespace created by Start.
func (s *Server) Namespace() string { return s.namespace }

// Stop stops the UI and the server, waiting for in-flight requests. With a
// DataDir, a later Start on the same DataDir and Port resumes from the saved
// state. Calls after the first return the first call's result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.logFloor.Set(silent)
		var errs []error
		if s.ui != nil {
			if err := s.ui.stop(); err != nil {
				errs = append(errs, fmt.Errorf("stop ui: %w", err))
			}
		}
		if err := s.temporal.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("stop temporal server: %w", err))
		}
		s.stopErr = errors.Join(errs...)
	})
	return s.stopErr
}

// poll calls f every interval until it returns nil or ctx ends; it then returns
// f's last error joined with the context's.
func poll(ctx context.Context, interval time.Duration, f func() error) error {
	for {
		err := f()
		if err == nil {
			return nil
		}
		if serr := sleep(ctx, interval); serr != nil {
			return errors.Join(err, serr)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// httpOK reports whether GET url answers 200.
func httpOK(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return nil
}
