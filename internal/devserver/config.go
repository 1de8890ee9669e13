package devserver

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	tsql "go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/common/resolver"
	"go.temporal.io/server/schema/sqlite"
)

const (
	// dbFileName is the SQLite file inside Options.DataDir.
	dbFileName = "temporal.db"

	// clusterName names the single cluster. It is persisted in the cluster metadata
	// on first start, so it must never change for an existing DataDir.
	clusterName = "active"

	// numHistoryShards is persisted on first start too. One shard is plenty for a
	// single developer and keeps SQLite's single writer uncontended.
	numHistoryShards = 1

	// namespaceCacheRefresh is how often every service reloads namespaces from the
	// database. Search attribute aliases live on the namespace, so this bounds how
	// long a search attribute added to an existing namespace takes to apply.
	namespaceCacheRefresh = time.Second

	// maxJoinDuration bounds how long a service waits to join the membership ring.
	// After a restart the ring still lists the previous run's (dead) members.
	maxJoinDuration = 30 * time.Second
)

// ports holds every port the server listens on. Only the frontend's is visible to
// callers; the others are internal and picked fresh on every start.
type ports struct {
	frontend, history, matching, worker int
	// membership holds the gossip ports of frontend, history, matching and worker.
	membership [4]int
}

func pickInternalPorts(frontend int) (ports, error) {
	p := ports{frontend: frontend}
	targets := []*int{&p.history, &p.matching, &p.worker,
		&p.membership[0], &p.membership[1], &p.membership[2], &p.membership[3]}
	for _, t := range targets {
		port, err := freePort(loopbackIPv4)
		if err != nil {
			return ports{}, fmt.Errorf("pick internal port: %w", err)
		}
		*t = port
	}
	return p, nil
}

const loopbackIPv4 = "127.0.0.1"

// Ports picked for the embedded server lie below the kernel's ephemeral range
// (32768-60999 by default) and below scripts/services' 20000-31999: an
// outgoing connection, which takes its port from the ephemeral range, cannot
// take one between the pick and the server's bind, and neither can a test
// service. Another process picking from the same range at the same moment is
// the one remaining race, made unlikely by the random choice.
const (
	pickLow  = 10000
	pickHigh = 20000
)

// FreePort returns a TCP port on ip that could be bound just now, chosen at
// random in 10000-19999 (below the ephemeral range: see pickLow), or from the
// kernel when none of many tries binds. The port is released before it is
// returned, so its user must bind it soon.
//
// A port is never handed out twice by one process: a server picks several
// before it binds any, and two equal picks would collide with each other.
func FreePort(ip string) (int, error) {
	picked.Lock()
	defer picked.Unlock()
	for range 200 {
		port := pickLow + rand.IntN(pickHigh-pickLow)
		if picked.ports[port] {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
		if err != nil {
			continue
		}
		l.Close()
		picked.ports[port] = true
		return port, nil
	}
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func freePort(ip string) (int, error) { return FreePort(ip) }

// picked holds the ports FreePort has handed out in this process.
var picked = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// checkPortFree reports ErrPortInUse when ip:port cannot be bound. Temporal and
// the UI server both end the process when their listener fails, so a taken
// port has to be caught before they start.
func checkPortFree(ip string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("%w: %s:%d: %w", ErrPortInUse, ip, port, err)
	}
	return l.Close()
}

// sqlConfig describes the SQLite database: a file in dataDir, or a private
// in-memory database when dataDir is "".
func sqlConfig(dataDir string) *config.SQL {
	c := &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		ConnectAttributes: map[string]string{},
	}
	if dataDir == "" {
		// A fresh name per start: the plugin keeps every database it opened for
		// the life of the process, so reusing a name would reuse old state.
		c.DatabaseName = "hookgate-" + uuid.NewString()
		c.ConnectAttributes["mode"] = "memory"
		c.ConnectAttributes["cache"] = "shared"
		return c
	}
	c.DatabaseName = filepath.Join(dataDir, dbFileName)
	c.ConnectAttributes["mode"] = "rwc"
	// WAL lets readers proceed during a write and makes commits cheaper; with WAL,
	// synchronous=normal can lose the last commits on power loss but never
	// corrupts the file, the right trade for a development server.
	c.ConnectAttributes["journal_mode"] = "wal"
	c.ConnectAttributes["synchronous"] = "normal"
	// MaxConns stays 1 (the plugin's default): four connections with a busy
	// timeout, which WAL allows, measured no higher ceiling and timed out
	// starts under load (docs/performance.md, "Embedded mode").
	return c
}

// ensureSchema creates the schema when the database file does not exist yet.
// A failed setup removes the partial file so that the next start retries from
// scratch instead of running against half a schema.
func ensureSchema(sql *config.SQL, dataDir string) error {
	if dataDir == "" {
		return nil // the plugin sets up in-memory databases itself
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	path := sql.DatabaseName
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("stat database: %w", err)
	}
	if err := sqlite.SetupSchema(sql); err != nil {
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			_ = os.Remove(p) // best effort: the setup error is the one to report
		}
		return fmt.Errorf("set up schema: %w", err)
	}
	return nil
}

// forgetMembers deletes the membership records of earlier runs on this
// database. Each service joins the gossip ring through the members that
// heartbeated in the last 20 seconds; after a quick restart those are the dead
// services of the previous run, and joining waits for them for a whole
// maxJoinDuration (30 s, then a retry). This server is the database's only user,
// so every record present before it starts is stale.
func forgetMembers(ctx context.Context, cfg *config.SQL) error {
	db, err := tsql.NewSQLDB(sqlplugin.DbKindMain, cfg, resolver.NewNoopResolver(), log.NewNoopLogger(), metrics.NoopMetricsHandler)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	// Pruning removes records that expire before the given time; every record
	// expires before the far future.
	everything := time.Now().AddDate(100, 0, 0)
	if _, err := db.PruneClusterMembership(ctx, &sqlplugin.PruneClusterMembershipFilter{PruneRecordsBefore: everything}); err != nil {
		return fmt.Errorf("forget earlier cluster members: %w", err)
	}
	return nil
}

// serverConfig builds the static configuration of a single-node cluster that
// runs all four services in this process.
func serverConfig(sql *config.SQL, bindIP, dialIP string, p ports) *config.Config {
	frontendAddr := net.JoinHostPort(dialIP, strconv.Itoa(p.frontend))
	internal := func(grpcPort, membershipPort int) config.Service {
		return config.Service{RPC: config.RPC{
			GRPCPort:        grpcPort,
			MembershipPort:  membershipPort,
			BindOnLocalHost: true,
		}}
	}
	frontend := config.Service{RPC: config.RPC{
		GRPCPort:       p.frontend,
		MembershipPort: p.membership[0],
		BindOnIP:       bindIP,
	}}
	return &config.Config{
		Global: config.Global{
			Membership: config.Membership{
				MaxJoinDuration:  maxJoinDuration,
				BroadcastAddress: loopbackIPv4,
			},
			// Metrics stay nil (a no-op handler) and PProf.Port stays 0 (off):
			// neither is wanted on a developer machine.
		},
		Persistence: config.Persistence{
			DefaultStore:     sqliteplugin.PluginName,
			VisibilityStore:  sqliteplugin.PluginName,
			NumHistoryShards: numHistoryShards,
			DataStores: map[string]config.DataStore{
				sqliteplugin.PluginName: {SQL: sql},
			},
		},
		ClusterMetadata: &cluster.Config{
			EnableGlobalNamespace:    false,
			FailoverVersionIncrement: 10,
			MasterClusterName:        clusterName,
			CurrentClusterName:       clusterName,
			ClusterInformation: map[string]cluster.ClusterInformation{
				clusterName: {
					Enabled:                true,
					InitialFailoverVersion: 1,
					RPCAddress:             frontendAddr,
				},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services: map[string]config.Service{
			string(primitives.FrontendService): frontend,
			string(primitives.HistoryService):  internal(p.history, p.membership[1]),
			string(primitives.MatchingService): internal(p.matching, p.membership[2]),
			string(primitives.WorkerService):   internal(p.worker, p.membership[3]),
		},
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{
			Archival: config.ArchivalNamespaceDefaults{
				History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
				Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
			},
		},
		// The worker service's system workflows reach the frontend through this.
		PublicClient: config.PublicClient{HostPort: frontendAddr},
	}
}

// dynamicConfig tunes the server for one developer on one machine: no rate
// limit a person could hit by clicking around the UI or replaying a batch, and
// changes (search attributes) applied at once instead of after cache expiry.
func dynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		// Production defaults assume many frontends sharing the load; here one
		// frontend takes it all, and the UI and admin API list workflows often.
		dynamicconfig.FrontendRPS.Key():                                  10000,
		dynamicconfig.FrontendMaxNamespaceRPSPerInstance.Key():           10000,
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 1000,
		// Adding search attributes updates the namespace, which these limit to
		// about one call a second by default.
		dynamicconfig.FrontendNamespaceReplicationInducingAPIsRPS.Key():                        100,
		dynamicconfig.FrontendMaxNamespaceNamespaceReplicationInducingAPIsRPSPerInstance.Key(): 100,
		dynamicconfig.FrontendGlobalNamespaceNamespaceReplicationInducingAPIsRPS.Key():         100,

		// The relay starts workflows with eager start; it saves a matching round
		// trip per event. Set explicitly so an upstream default change is visible.
		dynamicconfig.EnableEagerWorkflowStart.Key():                           true,
		dynamicconfig.FrontendEnableUpdateWorkflowExecution.Key():              true,
		dynamicconfig.FrontendEnableUpdateWorkflowExecutionAsyncAccepted.Key(): true,

		// Workflow IDs are "{source}/{event id}", at most 255 bytes; 1000 leaves
		// room for long provider IDs and does not depend on upstream's default.
		dynamicconfig.MaxIDLengthLimit.Key(): 1000,

		// New search attributes must apply to the very next workflow task.
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): true,
		dynamicconfig.NamespaceCacheRefreshInterval.Key():           namespaceCacheRefresh,

		// Partitions spread a task queue over matching hosts; with one host they
		// only add forwarding hops between a poller and its task.
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
	}
}
