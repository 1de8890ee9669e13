package paypal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/hookgate/hookgate/providers"
)

// PayPal REST paths used in online mode.
const (
	tokenPath  = "/v1/oauth2/token"
	verifyPath = "/v1/notifications/verify-webhook-signature"
	// maxAPIResponse bounds what is read from PayPal's API.
	maxAPIResponse = 1 << 20
	// tokenMargin renews a token this long before PayPal says it expires, so a
	// token is never sent in its last seconds.
	tokenMargin = 60 * time.Second
)

// Verification statuses PayPal's API answers.
const (
	statusSuccess = "SUCCESS"
	statusFailure = "FAILURE"
)

// VerifyRequestBody returns the JSON request of PayPal's
// verify-webhook-signature API for a delivery: the header values, webhookID, and
// event spliced in byte for byte as webhook_event. Re-serialising the event would
// change its bytes, and PayPal checks the CRC of exactly those. event must be a
// JSON object, else the error wraps ErrMalformedPayload.
func VerifyRequestBody(h Headers, webhookID string, event []byte) ([]byte, error) {
	trimmed := bytes.TrimLeft(event, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(event) {
		return nil, fmt.Errorf("paypal: body is not a JSON object: %w", providers.ErrMalformedPayload)
	}
	fields, err := json.Marshal(struct {
		AuthAlgo         string `json:"auth_algo"`
		CertURL          string `json:"cert_url"`
		TransmissionID   string `json:"transmission_id"`
		TransmissionSig  string `json:"transmission_sig"`
		TransmissionTime string `json:"transmission_time"`
		WebhookID        string `json:"webhook_id"`
	}{h.AuthAlgo, h.CertURL, h.TransmissionID, h.TransmissionSig, h.TransmissionTime, webhookID})
	if err != nil {
		return nil, fmt.Errorf("paypal: encode verify request: %w", err)
	}
	var b bytes.Buffer
	b.Grow(len(fields) + len(event) + 20)
	b.Write(fields[:len(fields)-1]) // drop the closing brace
	b.WriteString(`,"webhook_event":`)
	b.Write(event)
	b.WriteByte('}')
	return b.Bytes(), nil
}

// onlineVerifier asks PayPal to verify each delivery, with a cached OAuth2
// client-credentials token.
type onlineVerifier struct {
	base         *url.URL
	clientID     string
	clientSecret string
	webhookID    string
	client       *http.Client
	timeout      time.Duration

	mu          sync.Mutex // guards the token; held while one is fetched
	token       string
	tokenExpiry time.Time

	// Identical verifications in flight are asked once; their failures are
	// remembered (outbound.go). Both are keyed by the payload's hash.
	flights  singleflight.Group
	failures *failureMemory
	waiting  atomic.Int64 // requests waiting for a verification (tests)
	initOnce sync.Once
}

// errUnauthorized marks a 401 from the verify call: the token was revoked early.
type errUnauthorized struct{}

func (errUnauthorized) Error() string { return "paypal API answered 401" }

func (o *onlineVerifier) verify(ctx context.Context, h Headers, body []byte, now time.Time) error {
	payload, err := VerifyRequestBody(h, o.webhookID, body)
	if err != nil {
		return err
	}
	o.initOnce.Do(func() {
		if o.failures == nil {
			o.failures = newFailureMemory()
		}
	})
	sum := sha256.Sum256(payload)
	key := hex.EncodeToString(sum[:])
	if err := o.failures.get(key); err != nil {
		observe(CallVerify, ResultRemembered)
		return err
	}
	o.waiting.Add(1)
	ch := o.flights.DoChan(key, func() (any, error) {
		err := o.verifyOnce(context.WithoutCancel(ctx), payload, now)
		o.failures.put(key, err)
		return nil, err
	})
	select {
	case r := <-ch:
		o.waiting.Add(-1)
		return r.Err
	case <-ctx.Done():
		o.waiting.Add(-1)
		return fmt.Errorf("paypal: waiting for verify-webhook-signature: %w: %w", providers.ErrUnavailable, ctx.Err())
	}
}

// verifyOnce asks PayPal to verify payload, fetching a token first if needed
// and once more if PayPal revoked it early.
func (o *onlineVerifier) verifyOnce(ctx context.Context, payload []byte, now time.Time) error {
	for attempt := 0; ; attempt++ {
		token, err := o.accessToken(ctx, now)
		if err != nil {
			return err
		}
		err = o.callVerify(ctx, token, payload)
		if errors.As(err, new(errUnauthorized)) {
			o.dropToken(token)
			if attempt == 0 {
				continue
			}
			return fmt.Errorf("paypal: verify-webhook-signature: status 401 with a fresh token: %w", providers.ErrUnavailable)
		}
		return err
	}
}

func (o *onlineVerifier) callVerify(ctx context.Context, token string, payload []byte) (err error) {
	if err := allow(CallVerify); err != nil {
		return err
	}
	defer func() {
		if !errors.As(err, new(errUnauthorized)) {
			observe(CallVerify, result(err))
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.base.String()+verifyPath, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("paypal: verify request: %w: %w", providers.ErrUnavailable, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := o.client.Do(req)
	if err != nil {
		return fmt.Errorf("paypal: verify-webhook-signature: %w: %w", providers.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIResponse))
	if err != nil {
		return fmt.Errorf("paypal: verify-webhook-signature: read: %w: %w", providers.ErrUnavailable, err)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return errUnauthorized{}
	case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnprocessableEntity:
		// PayPal refuses the request itself: header values it cannot use
		// (an unknown cert URL, a malformed signature).
		return fmt.Errorf("paypal: verify-webhook-signature: status %d: %w", resp.StatusCode, providers.ErrNoValidSignature)
	case resp.StatusCode != http.StatusOK:
		// 403 (app lacks the permission), 5xx, 429: not the sender's fault.
		return fmt.Errorf("paypal: verify-webhook-signature: status %d: %w", resp.StatusCode, providers.ErrUnavailable)
	}
	var out struct {
		Status string `json:"verification_status"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return fmt.Errorf("paypal: verify-webhook-signature: response: %w: %w", providers.ErrUnavailable, err)
	}
	switch out.Status {
	case statusSuccess:
		return nil
	case statusFailure:
		return fmt.Errorf("paypal: verify-webhook-signature answered FAILURE: %w", providers.ErrNoValidSignature)
	default:
		return fmt.Errorf("paypal: verify-webhook-signature: unexpected status %q: %w", out.Status, providers.ErrUnavailable)
	}
}

// accessToken returns a cached token valid at now, or fetches one.
func (o *onlineVerifier) accessToken(ctx context.Context, now time.Time) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.token != "" && now.Before(o.tokenExpiry) {
		return o.token, nil
	}
	if err := allow(CallToken); err != nil {
		return "", err
	}
	tok, err := o.fetchToken(ctx, now)
	observe(CallToken, result(err))
	return tok, err
}

// fetchToken gets a client-credentials token; o.mu is held.
func (o *onlineVerifier) fetchToken(ctx context.Context, now time.Time) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	form := url.Values{"grant_type": {"client_credentials"}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.base.String()+tokenPath, strings.NewReader(form))
	if err != nil {
		return "", fmt.Errorf("paypal: token request: %w: %w", providers.ErrUnavailable, err)
	}
	req.SetBasicAuth(o.clientID, o.clientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := o.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("paypal: oauth2 token: %w: %w", providers.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIResponse))
	if err != nil {
		return "", fmt.Errorf("paypal: oauth2 token: read: %w: %w", providers.ErrUnavailable, err)
	}
	if resp.StatusCode != http.StatusOK {
		// Wrong credentials are the operator's to fix, not the sender's: 503
		// keeps PayPal retrying meanwhile. The body is not echoed: it may
		// describe the credentials.
		return "", fmt.Errorf("paypal: oauth2 token: status %d (check client_id and the client secret): %w", resp.StatusCode, providers.ErrUnavailable)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(data, &tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("paypal: oauth2 token: no access_token in the response: %w", providers.ErrUnavailable)
	}
	life := time.Duration(tok.ExpiresIn) * time.Second
	if life > 2*tokenMargin {
		life -= tokenMargin
	} else {
		life /= 2
	}
	o.token, o.tokenExpiry = tok.AccessToken, now.Add(life)
	return o.token, nil
}

// dropToken forgets token if it is still the cached one.
func (o *onlineVerifier) dropToken(token string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.token == token {
		o.token = ""
	}
}
