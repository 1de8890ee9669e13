package catalogue_test

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hookgate/hookgate/providers/catalogue"
	"github.com/hookgate/hookgate/providers/snssig"
)

// snsDev is the development certificate host of the SNS entry's tests
// (SNS's hosts are not reachable here), started on first use and stopped by
// TestMain; caFile and keyFile are its certificate and key as the source's
// options name them.
var snsDev struct {
	once            sync.Once
	srv             *snssig.DevServer
	dir             string
	caFile, keyFile string
	err             error
}

func snsServer(t *testing.T) *snssig.DevServer {
	t.Helper()
	snsDev.once.Do(func() {
		if snsDev.srv, snsDev.err = snssig.NewDevServer(time.Now()); snsDev.err != nil {
			return
		}
		if snsDev.dir, snsDev.err = os.MkdirTemp("", "hookgate-sns-"); snsDev.err != nil {
			return
		}
		snsDev.caFile = filepath.Join(snsDev.dir, "sns-dev-cert.pem")
		snsDev.keyFile = filepath.Join(snsDev.dir, "sns-dev-key.pem")
		key := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(snsDev.srv.Key)})
		if snsDev.err = os.WriteFile(snsDev.caFile, snsDev.srv.CertPEM, 0o600); snsDev.err == nil {
			snsDev.err = os.WriteFile(snsDev.keyFile, key, 0o600)
		}
	})
	if snsDev.err != nil {
		t.Fatal(snsDev.err)
	}
	return snsDev.srv
}

func TestMain(m *testing.M) {
	code := m.Run()
	if snsDev.srv != nil {
		_ = snsDev.srv.Close()
	}
	if snsDev.dir != "" {
		_ = os.RemoveAll(snsDev.dir)
	}
	os.Exit(code)
}

// verifyOptions are the options a test source of e is built with: none,
// except SNS's development certificate host.
func verifyOptions(t *testing.T, e catalogue.Entry) func(any) error {
	t.Helper()
	if e.Family != catalogue.FamilySNS {
		return noOptions
	}
	s := snsServer(t)
	return func(v any) error {
		o := v.(*catalogue.Options)
		o.CertHosts, o.RootCAFile = []string{s.Host()}, snsDev.caFile
		return nil
	}
}
