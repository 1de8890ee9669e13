package catalogue

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"

	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/snssig"
)

// FamilySNS: Amazon SNS's signed message envelope, checked with the
// certificate SNS names, fetched from SNS's hosts (providers/snssig).
const FamilySNS Family = "sns"

// HandshakeSNSSubscription: SNS posts a signed SubscriptionConfirmation when
// an HTTP(S) subscription is created; the gateway verifies it, then calls
// its SubscribeURL (an SNS host only), and stores no receipt. A signed
// UnsubscribeConfirmation is answered and audited the same way, without a
// call.
const HandshakeSNSSubscription Handshake = "sns_subscription_confirmation"

var snsEntries = []Entry{
	{
		Name: "sns", Display: "Amazon SNS (HTTP/S subscriptions)", Family: FamilySNS,
		Docs:   "https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html",
		Secret: "topic ARN (arn:aws:sns:<region>:<account>:<topic>): the topics whose messages the source accepts; SNS itself signs with its certificate",
		// MessageId is the same on every retry of a message.
		EventID: "json:MessageId", EventType: "json:Type",
		Handshake: HandshakeSNSSubscription,
	},
}

// topicARN is the form of an SNS topic ARN (every AWS partition).
var topicARN = regexp.MustCompile(`^arn:aws(-cn|-us-gov|-iso|-iso-b)?:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]{1,256}$`)

// snsVerifier verifies SNS messages for one source: its topics, and the
// client that fetches certificates and confirms subscriptions.
type snsVerifier struct {
	client *snssig.Client
	topics []string
}

// newSNS checks the source's topics and builds its client: SNS's hosts, and
// for development options.cert_hosts trusted through options.root_ca_file.
func newSNS(topics []string, o Options) (*snsVerifier, error) {
	for i, t := range topics {
		if !topicARN.MatchString(t) {
			return nil, fmt.Errorf("secrets[%d]: not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)", i)
		}
	}
	if len(o.CertHosts) > 0 && o.RootCAFile == "" {
		return nil, errors.New("options.cert_hosts: a development certificate host needs options.root_ca_file (the certificate that host serves TLS with)")
	}
	var roots *x509.CertPool
	if o.RootCAFile != "" {
		if len(o.CertHosts) == 0 {
			return nil, errors.New("options.root_ca_file: only for options.cert_hosts; SNS's own hosts are trusted through the system roots")
		}
		pemData, err := os.ReadFile(o.RootCAFile)
		if err != nil {
			return nil, fmt.Errorf("options.root_ca_file: %w", err)
		}
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pemData) {
			return nil, fmt.Errorf("options.root_ca_file: %s holds no PEM certificate", o.RootCAFile)
		}
	}
	return &snsVerifier{client: snssig.NewClient(snssig.Policy{ExtraHosts: o.CertHosts}, roots), topics: slices.Clone(topics)}, nil
}

// messageTypeHeader names the message type SNS sends; it must agree with the
// signed body.
const messageTypeHeader = "X-Amz-Sns-Message-Type"

func (v *snsVerifier) parse(r *providers.Request) (*snssig.Message, error) {
	m, err := snssig.Parse(r.Body)
	if err != nil {
		return nil, err
	}
	if ht := r.Header.Values(messageTypeHeader); len(ht) > 1 || (len(ht) == 1 && ht[0] != string(m.Type)) {
		return nil, fmt.Errorf("sns: %s disagrees with the signed Type: %w", messageTypeHeader, providers.ErrInvalidHeader)
	}
	return m, nil
}

func (v *snsVerifier) Verify(ctx context.Context, r *providers.Request) error {
	m, err := v.parse(r)
	if err != nil {
		return err
	}
	return v.client.Verify(ctx, m, v.topics, r.Now)
}

// challenge recognises SNS's subscription messages; Verify checks them
// first (Signed), then the subscription is confirmed.
func (v *snsVerifier) challenge(r *providers.Request) (providers.Challenge, bool, error) {
	if r.Method != http.MethodPost {
		return providers.Challenge{}, false, nil
	}
	m, err := v.parse(r)
	if err != nil || m.Type == snssig.Notification {
		return providers.Challenge{}, false, nil // Verify reports what is wrong
	}
	ch := providers.Challenge{Kind: string(HandshakeSNSSubscription), Signed: true,
		Reply: providers.Reply{ContentType: "text/plain; charset=utf-8", Body: []byte("unsubscribe confirmation received\n")}}
	if m.Type == snssig.SubscriptionConfirmation {
		ch.Reply.Body = []byte("subscription confirmed\n")
		ch.Confirm = func(ctx context.Context) error { return v.client.Confirm(ctx, m) }
	}
	return ch, true, nil
}

// snsSigner signs as SNS does, for tests and `hookgate send` against a
// development certificate host: the fixture's message (its TopicArn set to
// the source's first topic, its SubscribeURL on that host), signed with
// options.signing_key_file, whose certificate is served at options.cert_url.
type snsSigner struct {
	topic   string
	key     *rsa.PrivateKey
	certURL string
}

func newSNSSigner(topics []string, o Options) (*snsSigner, error) {
	if o.SigningKeyFile == "" || o.CertURL == "" {
		return nil, errors.New("options.signing_key_file and options.cert_url: required to sign as SNS (a development certificate host; the gateway itself needs only the topic ARNs)")
	}
	data, err := os.ReadFile(o.SigningKeyFile)
	if err != nil {
		return nil, fmt.Errorf("options.signing_key_file: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("options.signing_key_file: %s holds no PEM key", o.SigningKeyFile)
	}
	var key *rsa.PrivateKey
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		key, _ = k.(*rsa.PrivateKey)
	} else if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		key = k
	}
	if key == nil {
		return nil, fmt.Errorf("options.signing_key_file: %s holds no RSA private key", o.SigningKeyFile)
	}
	return &snsSigner{topic: topics[0], key: key, certURL: o.CertURL}, nil
}

// Sign replaces r's body (an SNS message, signed or not) with the signed
// message. The signature version is the message's own, 1 when it has none.
func (s *snsSigner) Sign(r *providers.Request) error {
	var m snssig.Message
	if err := json.Unmarshal(r.Body, &m); err != nil {
		return fmt.Errorf("sns: the body is not an SNS message: %w", err)
	}
	m.TopicArn = s.topic
	if m.SubscribeURL != "" {
		// The signer's certificate host answers ConfirmSubscription too
		// (snssig.DevServer): SNS's own is not the one the source trusts.
		if su, err := url.Parse(m.SubscribeURL); err == nil {
			if cu, err := url.Parse(s.certURL); err == nil {
				su.Scheme, su.Host = cu.Scheme, cu.Host
				m.SubscribeURL = su.String()
			}
		}
	}
	version := m.SignatureVersion
	if version == "" {
		version = "1"
	}
	body, err := snssig.Sign(&m, s.key, s.certURL, version)
	if err != nil {
		return err
	}
	r.Body = body
	if r.Header == nil {
		r.Header = http.Header{}
	}
	r.Header.Set(messageTypeHeader, string(m.Type))
	r.Header.Set("X-Amz-Sns-Message-Id", m.MessageID)
	r.Header.Set("X-Amz-Sns-Topic-Arn", m.TopicArn)
	return nil
}
