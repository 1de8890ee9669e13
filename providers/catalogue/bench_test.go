package catalogue_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/fixtures"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/github"
	hmacsig "github.com/hookgate/hookgate/providers/hmac"
)

// BenchmarkVerify compares, side by side in one run, on GitHub's realistic
// push fixture: the work of the former bespoke GitHub verifier (one
// HMAC-SHA256 of the body, hex-decoded and compared: "hmac-direct"), the
// GitHub provider now that the HMAC template family verifies it, the bare
// template with GitHub's scheme, and Slack's timestamped template. The
// issue's bar: a template entry costs at most the GitHub verifier + 10%.
//
//	go test ./providers/catalogue -run '^$' -bench Verify -count 6
func BenchmarkVerify(b *testing.B) {
	f, err := fixtures.Load(github.FixtureFS(), "push")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	hdr, body := f.Render("3f1c2a9e-6c4b-11ef-8a5f-0242ac120002", now)
	const secret = "It's a Secret to Everybody"
	ctx := context.Background()

	gh, err := github.New(providers.Spec{Secrets: []string{secret}, Options: func(any) error { return nil }})
	if err != nil {
		b.Fatal(err)
	}
	ghReq := &providers.Request{Method: http.MethodPost, Header: hdr.Clone(), Body: body, Now: now}
	ghReq.Header.Set("X-Hub-Signature-256", github.SignPayload(body, secret))

	ghTemplate := &hmacsig.Template{Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex, Header: "X-Hub-Signature-256", Prefix: "sha256="}
	slackTemplate := &hmacsig.Template{Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex, Header: "X-Slack-Signature", Prefix: "v0=",
		TimestampHeader: "X-Slack-Request-Timestamp", SignedPayload: "v0:{timestamp}:{body}"}
	tplReq := &providers.Request{Method: http.MethodPost, Header: hdr.Clone(), Body: body, Now: now}
	if err := ghTemplate.Sign(tplReq, secret, ""); err != nil {
		b.Fatal(err)
	}
	slackReq := &providers.Request{Method: http.MethodPost, Header: hdr.Clone(), Body: body, Now: now}
	if err := slackTemplate.Sign(slackReq, secret, ""); err != nil {
		b.Fatal(err)
	}
	secrets := []string{secret}

	sig := ghReq.Header.Get("X-Hub-Signature-256")
	b.Run("hmac-direct", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			got, ok := providers.DecodeHex32(strings.TrimPrefix(sig, "sha256="))
			mac := hmac.New(sha256.New, []byte(secret))
			mac.Write(body)
			if !ok || !hmac.Equal(mac.Sum(nil), got[:]) {
				b.Fatal("no match")
			}
		}
	})
	b.Run("github-provider", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if err := gh.Verify(ctx, ghReq); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("template-github-scheme", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if err := ghTemplate.Verify(tplReq, secrets, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("template-slack-scheme", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if err := slackTemplate.Verify(slackReq, secrets, now); err != nil {
				b.Fatal(err)
			}
		}
	})
}
