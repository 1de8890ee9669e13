package main

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/worker"
	"go.yaml.in/yaml/v3"

	"github.com/hookgate/hookgate/activities"
	"github.com/hookgate/hookgate/app"
	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/devserver"
	"github.com/hookgate/hookgate/internal/ingest/server"
	"github.com/hookgate/hookgate/internal/logging"
	"github.com/hookgate/hookgate/internal/processing/runs"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/builtin"
	"github.com/hookgate/hookgate/providers/catalogue"
	"github.com/hookgate/hookgate/providers/paypal"
	"github.com/hookgate/hookgate/providers/snssig"
)

type devFlags struct {
	dataDir      string
	configPath   string
	listen       string
	adminListen  string
	temporalPort int
	uiPort       int
	// sources are catalogue providers added to the generated config.
	sources []string
}

func devCmd(e *env) *cobra.Command {
	var f devFlags
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run gateway, relay, worker, an embedded Temporal server and its UI in one process",
		Long: `dev runs the whole pipeline with embedded defaults: a SQLite store and an embedded
Temporal server (SQLite file) under the data folder, the Temporal UI, and events kept in the
store. DATABASE_URL, TEMPORAL_ADDRESS and AMQP_URL switch to real services.

Without --config it writes a dev config with one source per built-in provider
(<data-dir>/dev.yaml) and prints its secrets.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDev(cmd.Context(), e, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.dataDir, "data-dir", config.DefaultDataDir, "folder for the SQLite store, the Temporal database and dev secrets")
	fl.StringVar(&f.configPath, "config", "", "config file (default: a generated dev config)")
	fl.StringVar(&f.listen, "listen", ":8005", "ingest listen address")
	fl.StringVar(&f.adminListen, "admin-listen", "127.0.0.1:8006", "admin API listen address")
	fl.IntVar(&f.temporalPort, "temporal-port", 7233, "embedded Temporal frontend port")
	fl.IntVar(&f.uiPort, "ui-port", 8233, "Temporal UI port (0: no UI)")
	fl.StringSliceVar(&f.sources, "sources", nil, "catalogue providers to add to the generated config, each with a generated secret (e.g. slack,paddle; see hookgate providers)")
	return cmd
}

func runDev(ctx context.Context, e *env, f devFlags) error {
	log := slog.New(logging.Bounded(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}), logging.DefaultInterval))
	if err := os.MkdirAll(f.dataDir, 0o700); err != nil {
		return fmt.Errorf("data folder: %w", err)
	}
	ca, err := paypal.EnsureDevCA(filepath.Join(f.dataDir, "paypal"))
	if err != nil {
		return fmt.Errorf("paypal dev certificates: %w", err)
	}
	certSrv := paypal.NewDevCertServer(ca, "127.0.0.1:0")
	if err := certSrv.Start(); err != nil {
		return fmt.Errorf("paypal dev certificate server: %w", err)
	}
	defer certSrv.Close()
	var sns *snsDevHost
	if slices.Contains(f.sources, "sns") {
		if sns, err = startSNSDevHost(filepath.Join(f.dataDir, "sns")); err != nil {
			return fmt.Errorf("sns dev certificate server: %w", err)
		}
		defer sns.srv.Close()
	}

	path := f.configPath
	var secrets *devSecrets
	if path == "" {
		secrets, err = loadDevSecrets(filepath.Join(f.dataDir, "dev-secrets.yaml"))
		if err != nil {
			return err
		}
		if err := secrets.addCatalogueSources(filepath.Join(f.dataDir, "dev-secrets.yaml"), f.sources); err != nil {
			return err
		}
		path = filepath.Join(f.dataDir, "dev.yaml")
		if err := writeDevConfig(path, f, secrets, certSrv, sns); err != nil {
			return err
		}
	}
	getenv := func(k string) string {
		switch k {
		case config.EnvDataDir:
			return f.dataDir
		case config.EnvListen:
			return f.listen
		case config.EnvAdminListen:
			return f.adminListen
		}
		return e.getenv(k)
	}
	cfg, err := config.Load(path, getenv, config.WithProviders(builtin.Providers()))
	if err != nil {
		return err
	}

	// The webhook and admin listeners are bound before the embedded Temporal
	// server starts: a taken port fails at once, and the ports the server
	// picks for itself cannot land on them.
	ingestLn, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Listen, err)
	}
	defer ingestLn.Close()
	adminLn, err := net.Listen("tcp", cfg.AdminListen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.AdminListen, err)
	}
	defer adminLn.Close()

	address := cfg.TemporalAddress
	uiURL := ""
	if address == "" {
		uiPort := f.uiPort
		if uiPort == 0 {
			uiPort = devserver.UIDisabled
		}
		ts, err := devserver.Start(ctx, devserver.Options{
			DataDir: filepath.Join(f.dataDir, "temporal"), Port: f.temporalPort, UIPort: uiPort,
			Namespace: cfg.TemporalNamespace, SearchAttributes: runs.SearchAttributes(),
			Logger: log.With("component", "temporal-server"),
		})
		if err != nil {
			return fmt.Errorf("embedded temporal: %w", err)
		}
		defer ts.Stop()
		address, uiURL = ts.Address(), ts.UIURL()
	}
	st, err := app.OpenStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	m := app.NewMetrics(cfg)
	tc, err := app.DialTemporal(cfg, address, log, app.TemporalMetrics(m))
	if err != nil {
		return err
	}
	defer tc.Close()
	pub, err := app.DialPublisher(ctx, cfg, log, m)
	if err != nil {
		return err
	}
	var p activities.Publisher
	if pub != nil {
		defer pub.Close()
		p = pub
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	werr := make(chan error, 1)
	go func() {
		werr <- app.RunWorker(ctx, app.WorkerDeps{Config: cfg, Store: st, Temporal: tc, Publisher: p, Logger: log, Options: worker.Options{}, Metrics: m})
	}()
	err = server.Run(ctx, server.Deps{
		Config: cfg, Store: st, Temporal: tc, Logger: log, Eager: true, Metrics: m,
		Ingest: ingestLn, Admin: adminLn, TemporalUI: uiURL,
		Ready: func(ingest, adm net.Addr) { printBanner(e, cfg, path, secrets, ingest, adm, uiURL, address, p != nil) },
	})
	cancel()
	return errors.Join(err, <-werr)
}

func printBanner(e *env, cfg *config.Config, path string, s *devSecrets, ingest, adm net.Addr, uiURL, temporal string, amqp bool) {
	w := e.stdout
	fmt.Fprintf(w, "\nhookgate dev is running\n")
	fmt.Fprintf(w, "  webhooks     http://%s/webhooks/{source}\n", dialable(ingest))
	fmt.Fprintf(w, "  console      http://%s/\n", adm)
	fmt.Fprintf(w, "  admin API    http://%s/v1/receipts\n", adm)
	if uiURL != "" {
		fmt.Fprintf(w, "  Temporal UI  %s\n", uiURL)
	}
	fmt.Fprintf(w, "  Temporal     %s\n  config       %s\n", temporal, path)
	bus := "the store (hookgate events)"
	if amqp {
		bus = "RabbitMQ (AMQP_URL)"
	}
	fmt.Fprintf(w, "  events go to %s\n", bus)
	if s != nil {
		fmt.Fprintf(w, "\ndev secrets (kept in %s):\n", filepath.Dir(path))
		fmt.Fprintf(w, "  admin token          %s\n", s.AdminToken)
		for _, src := range cfg.Sources {
			if len(src.Secrets) > 0 {
				fmt.Fprintf(w, "  %-20s %s\n", src.Name, src.Secrets[0].Reveal())
			}
		}
	}
	fmt.Fprintf(w, "\ntry:  go run ./cmd/hookgate send github push\n      go run ./cmd/hookgate receipts\n\n")
}

// dialable turns a listen address on all interfaces ([::]:8005) into one a
// browser or curl can use (127.0.0.1:8005).
func dialable(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// devSecrets are generated once per data folder so that restarts keep them.
type devSecrets struct {
	AdminToken string `yaml:"admin_token"`
	GitHub     string `yaml:"github"`
	Stripe     string `yaml:"stripe"`
	Shopify    string `yaml:"shopify"`
	Twilio     string `yaml:"twilio"`
	Svix       string `yaml:"svix"`
	PayPalHook string `yaml:"paypal_webhook_id"`
	// Catalogue holds the secrets of sources added with --sources, by name;
	// CatalogueSigningKeys the private keys of the asymmetric ones, which
	// `hookgate send` signs with.
	Catalogue            map[string]string `yaml:"catalogue,omitempty"`
	CatalogueSigningKeys map[string]string `yaml:"catalogue_signing_keys,omitempty"`
}

// addCatalogueSources generates (once) a secret for each named catalogue
// provider and saves the secrets file again.
func (s *devSecrets) addCatalogueSources(path string, names []string) error {
	for _, n := range names {
		e, ok := catalogue.Lookup(providers.Name(n))
		if !ok {
			var known []string
			for _, c := range catalogue.Entries() {
				known = append(known, string(c.Name))
			}
			return fmt.Errorf("--sources: %q is not a catalogue provider (have %s)", n, strings.Join(known, ", "))
		}
		if s.Catalogue[n] != "" {
			continue
		}
		if s.Catalogue == nil {
			s.Catalogue = map[string]string{}
		}
		secret, signingKey, err := e.NewCredentials()
		if err != nil {
			return err
		}
		s.Catalogue[n] = secret
		if signingKey != "" {
			if s.CatalogueSigningKeys == nil {
				s.CatalogueSigningKeys = map[string]string{}
			}
			s.CatalogueSigningKeys[n] = signingKey
		}
	}
	b, err := yaml.Marshal(s)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	return hex.EncodeToString(b)
}

func loadDevSecrets(path string) (*devSecrets, error) {
	var s devSecrets
	if b, err := os.ReadFile(path); err == nil {
		if err := yaml.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if s.AdminToken != "" {
			return &s, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key := make([]byte, 24)
	_, _ = rand.Read(key)
	s = devSecrets{
		AdminToken: "dev_" + randHex(16),
		GitHub:     randHex(20),
		Stripe:     "whsec_" + randHex(16),
		Shopify:    randHex(16),
		Twilio:     randHex(16),
		Svix:       "whsec_" + base64.StdEncoding.EncodeToString(key),
		PayPalHook: "WH-DEV-" + strings.ToUpper(randHex(8)),
	}
	b, err := yaml.Marshal(&s)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, fmt.Errorf("write dev secrets: %w", err)
	}
	return &s, nil
}

var devConfig = template.Must(template.New("dev").Parse(`# Generated by "hookgate dev" at every start; edit a copy and pass --config to change it.
public_base_url: {{.PublicBaseURL}}
admin_tokens:
  - name: dev
    token: {{.S.AdminToken}}
    scopes: [read, read:bodies, replay]
sources:
  - name: github
    provider: github
    secrets: [{{.S.GitHub}}]
  - name: stripe
    provider: stripe
    secrets: [{{.S.Stripe}}]
  - name: shopify
    provider: shopify
    secrets: [{{.S.Shopify}}]
  - name: twilio
    provider: twilio
    secrets: [{{.S.Twilio}}]
  - name: svix
    provider: standardwebhooks
    secrets: ["{{.S.Svix}}"]
  - name: paypal
    provider: paypal
    secrets: [{{.S.PayPalHook}}]
    options:
      webhook_id: {{.S.PayPalHook}}
      cert_hosts: ["{{.CertHost}}"]
      root_ca_file: {{.RootCA}}
      signing_key_file: {{.SigningKey}}
      cert_url: {{.CertURL}}
{{- range .Extra}}
  - name: {{.}}
    provider: {{.}}
    secrets: ["{{index $.S.Catalogue .}}"]
{{- with index $.S.CatalogueSigningKeys .}}
    options: {signing_key: "{{.}}"}
{{- end}}
{{- if and (eq . "sns") $.SNS}}
    options:
      cert_hosts: ["{{$.SNS.Host}}"]
      root_ca_file: {{$.SNS.CAFile}}
      signing_key_file: {{$.SNS.KeyFile}}
      cert_url: {{$.SNS.CertURL}}
{{- end}}
{{- end}}
`))

// snsDevHost stands in for SNS's certificate hosts when --sources names
// sns: a fresh certificate each start, its files in the data folder.
type snsDevHost struct {
	srv             *snssig.DevServer
	Host, CertURL   string
	CAFile, KeyFile string
}

func startSNSDevHost(dir string) (*snsDevHost, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	srv, err := snssig.NewDevServer(time.Now())
	if err != nil {
		return nil, err
	}
	h := &snsDevHost{srv: srv, Host: srv.Host(), CertURL: srv.CertURL(),
		CAFile: filepath.Join(dir, "cert.pem"), KeyFile: filepath.Join(dir, "key.pem")}
	if h.CAFile, err = filepath.Abs(h.CAFile); err == nil {
		h.KeyFile, err = filepath.Abs(h.KeyFile)
	}
	key := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(srv.Key)})
	if err == nil {
		err = os.WriteFile(h.CAFile, srv.CertPEM, 0o600)
	}
	if err == nil {
		err = os.WriteFile(h.KeyFile, key, 0o600)
	}
	if err != nil {
		_ = srv.Close()
		return nil, err
	}
	return h, nil
}

func writeDevConfig(path string, f devFlags, s *devSecrets, cert *paypal.DevCertServer, sns *snsDevHost) error {
	host, port, err := net.SplitHostPort(f.listen)
	if err != nil {
		return fmt.Errorf("--listen: %w", err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	if _, err := strconv.Atoi(port); err != nil {
		return fmt.Errorf("--listen: port %q", port)
	}
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			return p
		}
		return a
	}
	pdir := filepath.Join(f.dataDir, "paypal")
	var b strings.Builder
	err = devConfig.Execute(&b, map[string]any{
		"PublicBaseURL": "http://" + net.JoinHostPort(host, port), "S": s,
		"CertHost": cert.Host(), "CertURL": cert.CertURL(),
		"RootCA": abs(filepath.Join(pdir, "ca.pem")), "SigningKey": abs(filepath.Join(pdir, "leaf-key.pem")),
		"Extra": f.sources, "SNS": sns,
	})
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}
