package catalogue_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	paddle "github.com/PaddleHQ/paddle-go-sdk/v4"
	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"
	"github.com/openai/openai-go/v3/option"
	openaiwebhooks "github.com/openai/openai-go/v3/webhooks"
	razorpay "github.com/razorpay/razorpay-go/utils"
	"github.com/slack-go/slack"

	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/catalogue"
)

// Each entry passes an official vector (from the provider's documentation,
// URL in the test) or a cross-test with the provider's official SDK: the SDK
// accepts what the entry's signer produces and refuses it tampered, and the
// entry accepts what it accepts. The test name says which.

func entry(t *testing.T, n providers.Name) catalogue.Entry {
	t.Helper()
	e, ok := catalogue.Lookup(n)
	if !ok {
		t.Fatalf("no catalogue entry %s", n)
	}
	return e
}

// sdkCrossTest signs the entry's fixture with the entry's signer and asks
// sdkVerify (the provider's SDK) about it, then about a tampered copy.
func sdkCrossTest(t *testing.T, n providers.Name, secret string, now time.Time, sdkVerify func(r *providers.Request) bool) {
	t.Helper()
	e := entry(t, n)
	r := request(t, e, secret, now)
	if err := build(t, e, secret).Verify(context.Background(), clone(r)); err != nil {
		t.Fatalf("the entry refuses its own signature: %v", err)
	}
	if !sdkVerify(clone(r)) {
		t.Fatal("the provider's SDK refuses the entry's signature")
	}
	c := clone(r)
	c.Body = append(c.Body, ' ')
	if sdkVerify(c) {
		t.Fatal("the provider's SDK accepts a tampered body: the cross-test proves nothing")
	}
}

// Slack's documentation walks through one request: signing secret, timestamp,
// form body and the resulting X-Slack-Signature.
// https://docs.slack.dev/authentication/verifying-requests-from-slack/
func TestSlackOfficialVector(t *testing.T) {
	body := "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", "1531420618")
	h.Set("X-Slack-Signature", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")
	r := &providers.Request{Method: http.MethodPost, Header: h, Body: []byte(body), Now: time.Unix(1531420618, 0).Add(time.Minute)}
	p := build(t, entry(t, "slack"), "8f742231b10e8888abcd99yyyzzz85a5")
	if err := p.Verify(context.Background(), r); err != nil {
		t.Fatalf("Slack's documented request: %v", err)
	}
}

// slack-go's SecretsVerifier (the Go SDK Slack's docs point Go users to).
func TestSlackSDKCrossTest(t *testing.T) {
	secret := "e6b19c573432dcc6b075501d51b51bb8"
	sdkCrossTest(t, "slack", secret, time.Now(), func(r *providers.Request) bool {
		sv, err := slack.NewSecretsVerifier(r.Header, secret)
		if err != nil {
			return false
		}
		_, _ = sv.Write(r.Body)
		return sv.Ensure() == nil
	})
}

// razorpay-go utils.VerifyWebhookSignature (Razorpay's official Go SDK).
func TestRazorpaySDKCrossTest(t *testing.T) {
	secret := "whk_test_9b1f0c4a"
	sdkCrossTest(t, "razorpay", secret, time.Now(), func(r *providers.Request) bool {
		return razorpay.VerifyWebhookSignature(string(r.Body), r.Header.Get("X-Razorpay-Signature"), secret)
	})
}

// paddle-go-sdk WebhookVerifier (Paddle's official Go SDK), with its
// timestamp check on.
func TestPaddleSDKCrossTest(t *testing.T) {
	secret := "pdl_ntfset_01hv8x2acma2gz7he5ez5h1ztg_Qx3t9Lr0wYvB8oNq2Zk5"
	v := paddle.NewWebhookVerifier(secret, paddle.VerifierWithTimestampTolerance(5*time.Minute))
	sdkCrossTest(t, "paddle", secret, time.Now(), func(r *providers.Request) bool {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/paddle", bytes.NewReader(r.Body))
		req.Header = r.Header.Clone()
		ok, err := v.Verify(req)
		return ok && err == nil
	})
}

// line-bot-sdk-go webhook.ValidateSignature (LINE's official Go SDK).
func TestLINESDKCrossTest(t *testing.T) {
	secret := "8c570fa6dd201bb328f1c1eac23a96d8"
	sdkCrossTest(t, "line", secret, time.Now(), func(r *providers.Request) bool {
		return webhook.ValidateSignature(secret, r.Header.Get("X-Line-Signature"), r.Body)
	})
}

// openai-go's webhooks.VerifySignatureWithToleranceAndTime (OpenAI's official
// Go SDK).
func TestOpenAISDKCrossTest(t *testing.T) {
	secret := "whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c="
	now := time.Now()
	svc := openaiwebhooks.NewWebhookService(option.WithWebhookSecret(secret))
	sdkCrossTest(t, "openai", secret, now, func(r *providers.Request) bool {
		return svc.VerifySignatureWithToleranceAndTime(r.Body, r.Header, 5*time.Minute, now) == nil
	})
}
