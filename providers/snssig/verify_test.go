package snssig

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookgate/hookgate/providers"
)

const topic = "arn:aws:sns:us-east-1:123456789012:orders"

func devServer(t *testing.T) *DevServer {
	t.Helper()
	s, err := NewDevServer(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func clientFor(s *DevServer) *Client {
	return NewClient(Policy{ExtraHosts: []string{s.Host()}}, s.Roots())
}

func notification(subject *string) *Message {
	return &Message{
		Type: Notification, MessageID: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324", TopicArn: topic, Subject: subject,
		Message:        `{"order_id":"ord_1842","status":"shipped"}`,
		Timestamp:      time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		UnsubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=" + topic + ":c9135db0",
	}
}

// The canonical form of AWS's documentation: the signed keys in byte order,
// Subject only when the notification has one, the confirmation's own keys.
func TestStringToSign(t *testing.T) {
	subject := "Order shipped"
	n := notification(&subject)
	want := "Message\n" + n.Message + "\nMessageId\n" + n.MessageID + "\nSubject\nOrder shipped\nTimestamp\n" + n.Timestamp +
		"\nTopicArn\n" + topic + "\nType\nNotification\n"
	if got := string(n.StringToSign()); got != want {
		t.Fatalf("notification:\n%q\nwant\n%q", got, want)
	}
	n.Subject = nil
	if strings.Contains(string(n.StringToSign()), "Subject") {
		t.Fatal("a notification without a subject signs none")
	}
	c := &Message{Type: SubscriptionConfirmation, MessageID: "m", Token: "tok", TopicArn: topic, Message: "msg",
		SubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=tok", Timestamp: "2026-12-07T20:00:00.000Z"}
	want = "Message\nmsg\nMessageId\nm\nSubscribeURL\n" + c.SubscribeURL + "\nTimestamp\n2026-12-07T20:00:00.000Z\nToken\ntok\nTopicArn\n" + topic +
		"\nType\nSubscriptionConfirmation\n"
	if got := string(c.StringToSign()); got != want {
		t.Fatalf("confirmation:\n%q\nwant\n%q", got, want)
	}
}

func signed(t *testing.T, s *DevServer, m *Message, version string) *Message {
	t.Helper()
	body, err := Sign(m, s.Key, s.CertURL(), version)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVerify(t *testing.T) {
	s := devServer(t)
	c := clientFor(s)
	ctx, now := context.Background(), time.Now()
	subject := "Order shipped"
	for _, v := range []string{"1", "2"} {
		if err := c.Verify(ctx, signed(t, s, notification(&subject), v), []string{topic}, now); err != nil {
			t.Fatalf("SignatureVersion %s: %v", v, err)
		}
		if err := c.Verify(ctx, signed(t, s, notification(nil), v), []string{topic}, now); err != nil {
			t.Fatalf("SignatureVersion %s without a subject: %v", v, err)
		}
	}
	cases := []struct {
		name   string
		change func(m *Message)
		topics []string
		want   error
	}{
		{"tampered message", func(m *Message) { m.Message += " " }, nil, providers.ErrNoValidSignature},
		{"subject added", func(m *Message) { x := "x"; m.Subject = &x }, nil, providers.ErrNoValidSignature},
		{"another type", func(m *Message) { m.Type = UnsubscribeConfirmation; m.Token = "t" }, nil, providers.ErrNoValidSignature},
		{"another version", func(m *Message) { m.SignatureVersion = "2" }, nil, providers.ErrNoValidSignature},
		{"unknown version", func(m *Message) { m.SignatureVersion = "3" }, nil, providers.ErrInvalidHeader},
		{"signature not base64", func(m *Message) { m.Signature = "%%" }, nil, providers.ErrInvalidHeader},
		{"topic not the source's", func(*Message) {}, []string{"arn:aws:sns:us-east-1:999999999999:orders"}, providers.ErrNoValidSignature},
		{"certificate on another host", func(m *Message) { m.SigningCertURL = "https://example.com/SimpleNotificationService-1.pem" }, nil, providers.ErrCertificate},
		{"certificate over http", func(m *Message) { m.SigningCertURL = strings.Replace(m.SigningCertURL, "https", "http", 1) }, nil, providers.ErrCertificate},
		{"not a .pem path", func(m *Message) { m.SigningCertURL = "https://" + s.Host() + "/cert" }, nil, providers.ErrCertificate},
		{"a look-alike host", func(m *Message) {
			m.SigningCertURL = "https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-1.pem"
		}, nil, providers.ErrCertificate},
	}
	for _, tc := range cases {
		m := signed(t, s, notification(nil), "1")
		tc.change(m)
		topics := tc.topics
		if topics == nil {
			topics = []string{topic}
		}
		if err := c.Verify(ctx, m, topics, now); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	// Not trusted without the dev root: TLS to the host fails.
	untrusting := NewClient(Policy{ExtraHosts: []string{s.Host()}}, nil)
	if err := untrusting.Verify(ctx, signed(t, s, notification(nil), "1"), []string{topic}, now); !errors.Is(err, providers.ErrCertificate) {
		t.Fatalf("an untrusted TLS host: %v", err)
	}
	// Outside the certificate's validity.
	if err := clientFor(s).Verify(ctx, signed(t, s, notification(nil), "1"), []string{topic}, now.Add(48*time.Hour)); !errors.Is(err, providers.ErrCertificate) {
		t.Fatalf("an expired certificate: %v", err)
	}
}

func TestSNSHostsAreAllowed(t *testing.T) {
	p := Policy{}
	for _, u := range []string{
		"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem",
		"https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-3250158c6506d40628a5ad0a0c7b1b21.pem",
	} {
		if err := p.CheckCertURL(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, u := range []string{
		"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem?x=1",
		"https://sns.us-east-1.amazonaws.com/a/b.pem",
		"https://user@sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem",
		"https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-1.pem",
		"https://s3.amazonaws.com/SimpleNotificationService-1.pem",
	} {
		if err := p.CheckCertURL(u); !errors.Is(err, providers.ErrCertificate) {
			t.Errorf("%s: %v, want refused", u, err)
		}
	}
	if err := p.CheckSubscribeURL("https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&Token=x"); err == nil {
		t.Error("an Unsubscribe URL is not a confirmation")
	}
}

// One download for many messages, a failure remembered, a 5xx unavailable.
func TestCertificateCacheAndFailures(t *testing.T) {
	s := devServer(t)
	var hits atomic.Int64
	var status atomic.Int64
	status.Store(http.StatusOK)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		if c := int(status.Load()); c != http.StatusOK {
			w.WriteHeader(c)
			return
		}
		_, _ = w.Write(s.CertPEM)
	}))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "https://")
	roots := s.Roots()
	roots.AddCert(srv.Certificate())
	c := NewClient(Policy{ExtraHosts: []string{host}}, roots)
	ctx, now := context.Background(), time.Now()
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := &Message{Type: Notification, MessageID: "m", TopicArn: topic, Message: "x", Timestamp: "t"}
			body, err := Sign(m, s.Key, srv.URL+"/SimpleNotificationService-a.pem", "2")
			if err == nil {
				m, err = Parse(body)
			}
			if err == nil {
				err = c.Verify(ctx, m, []string{topic}, now)
			}
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := hits.Load(); n != 1 {
		t.Fatalf("%d downloads for 20 messages, want 1", n)
	}
	status.Store(http.StatusServiceUnavailable)
	url := srv.URL + "/SimpleNotificationService-b.pem"
	if _, err := c.Certificate(ctx, url, now); !errors.Is(err, providers.ErrUnavailable) {
		t.Fatalf("a 503: %v, want unavailable", err)
	}
	if _, err := c.Certificate(ctx, url, now.Add(time.Second)); !errors.Is(err, providers.ErrUnavailable) || hits.Load() != 2 {
		t.Fatalf("a remembered failure: %v after %d downloads", err, hits.Load())
	}
	status.Store(http.StatusNotFound)
	if _, err := c.Certificate(ctx, url, now.Add(time.Minute)); !errors.Is(err, providers.ErrCertificate) {
		t.Fatalf("a 404: %v, want refused", err)
	}
}

func TestConfirm(t *testing.T) {
	s := devServer(t)
	c := clientFor(s)
	m := &Message{Type: SubscriptionConfirmation, Token: "2336412f37fb687f5d51e6e2425c464de12884a8", SubscribeURL: s.SubscribeURL(topic, "2336412f37fb687f5d51e6e2425c464de12884a8")}
	if err := c.Confirm(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if got := s.Confirmed(); len(got) != 1 || got[0] != m.Token {
		t.Fatalf("confirmed %v", got)
	}
	m.SubscribeURL = "https://example.com/?Action=ConfirmSubscription&Token=x"
	if err := c.Confirm(context.Background(), m); !errors.Is(err, providers.ErrCertificate) || len(s.Confirmed()) != 1 {
		t.Fatalf("a SubscribeURL off SNS's hosts: %v", err)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		body string
		want error
	}{
		{`{"Type":"Notification","MessageId":"m","TopicArn":"t","Message":"x","Timestamp":"t","SignatureVersion":"1","SigningCertURL":"u"}`, providers.ErrNotSigned},
		{`[1]`, providers.ErrNotSigned},
		{``, providers.ErrNotSigned},
		{`{"Type":"Other","MessageId":"m","TopicArn":"t","Timestamp":"t","Signature":"s","SignatureVersion":"1","SigningCertURL":"u"}`, providers.ErrInvalidHeader},
		{`{"Type":"SubscriptionConfirmation","MessageId":"m","TopicArn":"t","Timestamp":"t","Signature":"s","SignatureVersion":"1","SigningCertURL":"u"}`, providers.ErrInvalidHeader},
		{`{"Type":"Notification","TopicArn":"t","Timestamp":"t","Signature":"s","SignatureVersion":"1","SigningCertURL":"u"}`, providers.ErrInvalidHeader},
	} {
		if _, err := Parse([]byte(tc.body)); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.body, err, tc.want)
		}
	}
}
