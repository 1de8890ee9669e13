package server

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/boot"
	"github.com/hookgate/hookgate/internal/ingest/ratelimit"
	"github.com/hookgate/hookgate/internal/storage/sqlite"
	"github.com/hookgate/hookgate/internal/testing/testenv"
	"github.com/hookgate/hookgate/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// start serves h with the limits (and TLS) of cfg on a fresh listener.
func start(t *testing.T, cfg *config.Config) string {
	t.Helper()
	srv := boot.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}), quiet)
	serverLimits(srv, cfg.Server)
	if err := serverTLS(srv, cfg.TLS); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- boot.Serve(srv, ln) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String()
}

func parse(t *testing.T, yaml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml+"sources:\n  - name: a\n    provider: github\n    secrets: [s]\n"), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestSlowLorisIsCutOff(t *testing.T) {
	addr := start(t, parse(t, "server: {read_header_timeout: 300ms}\n"))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	begin := time.Now()
	if _, err := io.WriteString(conn, "POST /webhooks/a HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	// One header byte every 50ms: never finishing the headers.
	var werr error
	for i := 0; i < 100 && werr == nil; i++ {
		time.Sleep(50 * time.Millisecond)
		_, werr = conn.Write([]byte("X"))
		if werr == nil {
			// Probe whether the server closed the connection.
			conn.SetReadDeadline(time.Now().Add(time.Millisecond))
			var b [1]byte
			if _, rerr := conn.Read(b[:]); rerr != nil && !errors.Is(rerr, os.ErrDeadlineExceeded) {
				werr = rerr
			}
		}
	}
	elapsed := time.Since(begin)
	if werr == nil {
		t.Fatalf("connection still open after %v of trickled headers", elapsed)
	}
	if elapsed > 2*time.Second {
		t.Fatalf("cut off after %v, want about the 300ms read-header timeout", elapsed)
	}
}

func TestOversizedHeadersGet431(t *testing.T) {
	addr := start(t, parse(t, "server: {max_header_bytes: 4KiB}\n"))
	tests := []struct {
		name   string
		size   int
		status int
	}{
		{"normal headers", 1 << 10, http.StatusNoContent},
		// net/http allows 4096 bytes of slack over MaxHeaderBytes.
		{"oversized headers", 16 << 10, http.StatusRequestHeaderFieldsTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/webhooks/a", strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Padding", strings.Repeat("p", tt.size))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 and returns their paths
// and a pool trusting the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hookgate-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestTLSListener(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	addr := start(t, parse(t, "tls: {cert_file: "+certFile+", key_file: "+keyFile+"}\n"))
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Post("https://"+addr+"/webhooks/a", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.TLS == nil {
		t.Fatalf("HTTPS: status %d TLS %v", resp.StatusCode, resp.TLS != nil)
	}
	// Plain HTTP on the TLS port gets the TLS server's 400, never the handler.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /webhooks/a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
	plain, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	plain.Body.Close()
	if plain.StatusCode != http.StatusBadRequest {
		t.Fatalf("plain HTTP to the TLS listener: %d, want 400", plain.StatusCode)
	}
}

func TestGatewayLimitsFromConfig(t *testing.T) {
	tests := []struct {
		name     string
		yaml     string
		redisURL string
		limiter  bool
	}{
		{"defaults, in process", "", "", true},
		{"disabled", "limits: {disabled: true}\n", "", false},
		{"redis", "", "from testenv", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := parse(t, tt.yaml+"json_max_depth: 20\n")
			if tt.redisURL != "" {
				cfg.RedisURL = testenv.RedisURL(t)
			}
			lo, closeFn, err := Limits(cfg, quiet)
			if err != nil {
				t.Fatal(err)
			}
			defer closeFn()
			if lo.JSONMaxDepth != 20 || lo.AuditPerSecond != config.DefaultAuditPerSecond {
				t.Fatalf("options %+v", lo)
			}
			if (lo.Limiter != nil) != tt.limiter {
				t.Fatalf("limiter %v, want %v", lo.Limiter != nil, tt.limiter)
			}
			if lo.Limiter == nil {
				return
			}
			// Defaults never bind on provider-like traffic: 500 requests at
			// once from one IP to one source.
			src := testenv.Unique("src")
			for i := range 500 {
				if err := lo.Limiter.Admit(context.Background(), "192.30.252.1", src); err != nil {
					t.Fatalf("request %d refused by the default limits: %v", i, err)
				}
			}
			g := lo.Limiter.(*ratelimit.Guard)
			if g.FailOpens() != 0 {
				t.Fatalf("FailOpens = %d: the store was not reachable", g.FailOpens())
			}
		})
	}
	cfg := parse(t, "")
	cfg.RedisURL = "http://user:hunter2@example.com"
	if _, _, err := Limits(cfg, quiet); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("bad REDIS_URL: err = %v, want an error without the password", err)
	}
}

func TestRetentionStartsWithTheGateway(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hookgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	old := store.AuditRecord{ID: "old", At: time.Now().Add(-800 * time.Hour), Source: "a", Status: 401, Outcome: store.OutcomeRejected}
	if err := st.Audit(ctx, []store.AuditRecord{old}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		yaml   string
		purged bool
	}{
		{"disabled", "retention: {disabled: true}\n", false},
		{"defaults", "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			runCtx, cancel := context.WithCancel(ctx)
			wait := startRetention(runCtx, parse(t, tt.yaml), st, quiet)
			var left []store.AuditRecord
			for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if left, err = st.ListAudit(ctx, store.AuditFilter{Limit: 10}); err != nil {
					t.Fatal(err)
				}
				if len(left) == 0 || !tt.purged {
					break
				}
			}
			cancel()
			wait()
			if (len(left) == 0) != tt.purged {
				t.Fatalf("%d audit records left, purged want %v", len(left), tt.purged)
			}
		})
	}
}
