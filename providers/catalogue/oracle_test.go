package catalogue_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/providers"
)

// The Node SDK oracles: providers whose official SDK is a Node package, not
// a Go module, are cross-tested against it. _oracles/oracle.cjs hands a
// request to the SDK's own verifier; scripts/test installs the pinned SDKs
// (_oracles/package-lock.json) with npm ci before the tests run.

const oracleDir = "_oracles"

// nodeOracle asks the provider's Node SDK whether it accepts r under secret;
// the reason comes back when it does not.
func nodeOracle(t *testing.T, provider providers.Name, secret string, r *providers.Request) (bool, string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(oracleDir, "node_modules")); err != nil {
		t.Fatalf("the SDK oracles are not installed: run `npm ci --prefix providers/catalogue/%s` (make test does)", oracleDir)
	}
	headers := map[string]string{}
	for k, vs := range r.Header {
		headers[strings.ToLower(k)] = strings.Join(vs, ", ")
	}
	u := ""
	if r.URL != nil {
		u = r.URL.String()
	}
	in, err := json.Marshal(map[string]any{
		"provider": provider, "secret": secret, "method": r.Method, "url": u,
		"headers": headers, "body": base64.StdEncoding.EncodeToString(r.Body),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "oracle.cjs")
	cmd.Dir = oracleDir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle for %s: %v: %s", provider, err, stderr.String())
	}
	var verdict struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(out, &verdict); err != nil {
		t.Fatalf("oracle for %s answered %q: %v", provider, out, err)
	}
	return verdict.OK, verdict.Error
}

// nodeCrossTest signs the entry's fixture with the entry's signer and asks
// the provider's Node SDK about it: accepted as signed, refused with its body
// changed and refused under another secret.
func nodeCrossTest(t *testing.T, n providers.Name) {
	t.Helper()
	e := entry(t, n)
	c, other := secretFor(t, e), secretFor(t, e)
	r := request(t, e, c, time.Now())
	if err := build(t, e, c.secret).Verify(context.Background(), clone(r)); err != nil {
		t.Fatalf("the entry refuses its own signature: %v", err)
	}
	if ok, why := nodeOracle(t, n, c.secret, r); !ok {
		t.Fatalf("the provider's SDK refuses the entry's signature: %s", why)
	}
	tampered := clone(r)
	tampered.Body = tamperJSON(t, tampered.Body)
	if ok, _ := nodeOracle(t, n, c.secret, tampered); ok {
		t.Fatal("the provider's SDK accepts a changed body: the cross-test proves nothing")
	}
	if ok, _ := nodeOracle(t, n, other.secret, r); ok {
		t.Fatal("the provider's SDK accepts another secret: the cross-test proves nothing")
	}
}

// tamperJSON adds a member to the last object of a JSON body, so that an SDK
// which re-serialises the parsed body still sees the change.
func tamperJSON(t *testing.T, body []byte) []byte {
	t.Helper()
	i := bytes.LastIndexByte(body, '}')
	if i < 0 {
		t.Fatalf("not a JSON object body: %q", body)
	}
	return append(append(append([]byte(nil), body[:i]...), `,"tampered":true`...), body[i:]...)
}

// @hubspot/api-client's Signature.isValid, signature version 3.
func TestHubSpotSDKCrossTest(t *testing.T) { nodeCrossTest(t, "hubspot") }

// @linear/sdk's LinearWebhookClient.verify, which also checks the body's
// webhookTimestamp.
func TestLinearSDKCrossTest(t *testing.T) { nodeCrossTest(t, "linear") }

// @workos-inc/node's webhooks.verifyHeader.
func TestWorkOSSDKCrossTest(t *testing.T) { nodeCrossTest(t, "workos") }

// box-node-sdk's WebhooksManager.validateMessage.
func TestBoxSDKCrossTest(t *testing.T) { nodeCrossTest(t, "box") }

// gocardless-nodejs's webhooks.parse.
func TestGoCardlessSDKCrossTest(t *testing.T) { nodeCrossTest(t, "gocardless") }

// telnyx's TelnyxWebhook.verify (Ed25519 over "timestamp|body").
func TestTelnyxSDKCrossTest(t *testing.T) { nodeCrossTest(t, "telnyx") }
