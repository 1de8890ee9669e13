package gateway_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/internal/ingest/gateway"
	"github.com/hookgate/hookgate/providers/snssig"
	"github.com/hookgate/hookgate/store"
)

// SNS's subscription handshake through the real gateway, with the shape of
// AWS's example (https://docs.aws.amazon.com/sns/latest/dg/http-subscription-confirmation-json.html)
// signed by a development certificate host standing in for SNS's: the
// confirmation is verified, then its SubscribeURL is called once, and no
// receipt is stored; a forged one, or a signed one whose SubscribeURL leaves
// SNS's hosts, calls nothing; an unsubscribe confirmation is answered; a
// notification is a receipt keyed by its MessageId.
func TestSNSSubscriptionConfirmationThroughTheGateway(t *testing.T) {
	const topic = "arn:aws:sns:us-west-2:123456789012:MyTopic"
	dev, err := snssig.NewDevServer(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dev.Close() })
	ca := filepath.Join(t.TempDir(), "sns-dev.pem")
	if err := os.WriteFile(ca, dev.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	h := newLimited(t, "sources:\n  - name: sns\n    provider: sns\n    secrets: [\""+topic+"\"]\n    options:\n      cert_hosts: [\""+dev.Host()+
		"\"]\n      root_ca_file: "+ca+"\n", gateway.Options{})
	ts := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	post := func(m *snssig.Message, key *rsa.PrivateKey) *httptest.ResponseRecorder {
		body, err := snssig.Sign(m, key, dev.CertURL(), "1")
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodPost, "/webhooks/sns", strings.NewReader(string(body)))
		r.Header.Set("Content-Type", "text/plain; charset=UTF-8")
		r.Header.Set("x-amz-sns-message-type", string(m.Type))
		r.Header.Set("x-amz-sns-message-id", m.MessageID)
		r.Header.Set("x-amz-sns-topic-arn", m.TopicArn)
		r.Header.Set("User-Agent", "Amazon Simple Notification Service Agent")
		return serve(h.h, r)
	}
	const token = "2336412f37fb687f5d51e6e2425c464de12884a8c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0"
	confirmation := func(subscribeURL string) *snssig.Message {
		return &snssig.Message{Type: snssig.SubscriptionConfirmation, MessageID: "165545c9-2a5c-472c-8df2-7ff2be2b3b1b", Token: token, TopicArn: topic,
			Message:      "You have chosen to subscribe to the topic arn:aws:sns:us-west-2:123456789012:MyTopic.\nTo confirm the subscription, visit the SubscribeURL included in this message.",
			SubscribeURL: subscribeURL, Timestamp: ts}
	}
	if w := post(confirmation(dev.SubscribeURL(topic, token)), dev.Key); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "subscription confirmed") {
		t.Fatalf("confirmation: %d %s", w.Code, w.Body)
	}
	if got := dev.Confirmed(); len(got) != 1 || got[0] != token {
		t.Fatalf("ConfirmSubscription calls %v, want one with the token", got)
	}
	forger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	if w := post(confirmation(dev.SubscribeURL(topic, "forged")), forger); w.Code != http.StatusUnauthorized {
		t.Fatalf("a forged confirmation: %d %s, want 401", w.Code, w.Body)
	}
	if w := post(confirmation("https://attacker.example/?Action=ConfirmSubscription&Token=x"), dev.Key); w.Code != http.StatusUnauthorized {
		t.Fatalf("a SubscribeURL off SNS's hosts: %d %s, want 401", w.Code, w.Body)
	}
	if got := dev.Confirmed(); len(got) != 1 {
		t.Fatalf("ConfirmSubscription calls %v after a forgery, want still one", got)
	}
	unsub := confirmation(dev.SubscribeURL(topic, token))
	unsub.Type, unsub.MessageID = snssig.UnsubscribeConfirmation, "47138184-6831-46b8-8f7c-afc488602d7d"
	if w := post(unsub, dev.Key); w.Code != http.StatusOK || len(dev.Confirmed()) != 1 {
		t.Fatalf("unsubscribe confirmation: %d %s, calls %v", w.Code, w.Body, dev.Confirmed())
	}
	page, err := h.st.ListReceipts(context.Background(), store.Filter{Limit: 10})
	if err != nil || len(page.Receipts) != 0 {
		t.Fatalf("receipts %v %v, want none", page.Receipts, err)
	}
	subject := "Test"
	n := &snssig.Message{Type: snssig.Notification, MessageID: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324", TopicArn: topic, Subject: &subject,
		Message: "Hello world!", Timestamp: ts, UnsubscribeURL: "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=" + topic + ":c9135db0"}
	if w := post(n, dev.Key); w.Code != http.StatusOK {
		t.Fatalf("notification: %d %s", w.Code, w.Body)
	}
	page, err = h.st.ListReceipts(context.Background(), store.Filter{Limit: 10})
	if err != nil || len(page.Receipts) != 1 || page.Receipts[0].EventID != n.MessageID || page.Receipts[0].EventType != "Notification" {
		t.Fatalf("receipts %+v %v, want the notification's", page.Receipts, err)
	}
	got := reasons(h.audits(t))
	if got["check:sns_subscription_confirmation"] != 2 || got["bad_signature"] < 1 {
		t.Fatalf("audit reasons %v", got)
	}
}
