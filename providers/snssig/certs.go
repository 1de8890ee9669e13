package snssig

import (
	"context"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/hookgate/hookgate/providers"
)

// Limits of certificate downloads; not configurable.
const (
	// MaxCertSize bounds a downloaded certificate (SNS's is about 2 KB).
	MaxCertSize = 64 << 10
	// FetchTimeout bounds one download, connection included.
	FetchTimeout = 5 * time.Second
	// maxCachedCerts bounds the cache: SNS signs with one certificate per
	// region at a time.
	maxCachedCerts = 32
	// failureMemory is how long a failed download is remembered, so that a
	// flood of messages naming a broken URL makes one download, not one each.
	failureMemory = 10 * time.Second
	maxURLLen     = 512
	minRSABits    = 2048
)

// snsHost is the host of every SNS endpoint: sns.<region>.amazonaws.com, or
// .amazonaws.com.cn in China (AWS's validators accept the same).
var snsHost = regexp.MustCompile(`^sns\.[a-z0-9-]{3,}\.amazonaws\.com(\.cn)?$`)

// Policy says which hosts may serve certificates and confirm subscriptions:
// SNS's own hosts always; ExtraHosts (exact host:port, for a development
// certificate server) only when configured.
type Policy struct {
	ExtraHosts []string
}

func (p Policy) hostOK(host string) bool {
	return snsHost.MatchString(strings.ToLower(host)) || slices.ContainsFunc(p.ExtraHosts, func(h string) bool { return strings.EqualFold(h, host) })
}

// checkURL accepts only an https URL of an allowed host, without userinfo or
// fragment; what refuses it wraps ErrCertificate (it is not SNS's).
func (p Policy) checkURL(field, raw string) (*url.URL, error) {
	refuse := func(why string) error {
		return fmt.Errorf("sns: %s refused: %s: %w", field, why, providers.ErrCertificate)
	}
	if len(raw) > maxURLLen {
		return nil, refuse("too long")
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, refuse("not a URL")
	case u.Scheme != "https":
		return nil, refuse("not https")
	case u.User != nil:
		return nil, refuse("has userinfo")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, refuse("has a fragment")
	case u.Opaque != "":
		return nil, refuse("opaque")
	case !p.hostOK(u.Host):
		return nil, refuse("host is not an SNS host")
	}
	return u, nil
}

// CheckCertURL accepts a SigningCertURL: https, an SNS host, a path of one
// segment ending in .pem, no query.
func (p Policy) CheckCertURL(raw string) error {
	u, err := p.checkURL("SigningCertURL", raw)
	if err != nil {
		return err
	}
	seg := strings.TrimPrefix(u.Path, "/")
	if u.RawQuery != "" || u.ForceQuery || !strings.HasSuffix(seg, ".pem") || strings.ContainsAny(seg, "/%\\") {
		return fmt.Errorf("sns: SigningCertURL refused: not a certificate path: %w", providers.ErrCertificate)
	}
	return nil
}

// CheckSubscribeURL accepts a SubscribeURL: https, an SNS host,
// Action=ConfirmSubscription. Only then does the gateway call it.
func (p Policy) CheckSubscribeURL(raw string) error {
	u, err := p.checkURL("SubscribeURL", raw)
	if err != nil {
		return err
	}
	if u.Query().Get("Action") != "ConfirmSubscription" {
		return fmt.Errorf("sns: SubscribeURL refused: not a ConfirmSubscription call: %w", providers.ErrCertificate)
	}
	return nil
}

// Client fetches certificates (cached) and confirms subscriptions, only from
// the hosts its Policy allows, over verified TLS, never following redirects.
type Client struct {
	Policy Policy
	http   *http.Client

	flights singleflight.Group
	mu      sync.Mutex
	certs   map[string]*x509.Certificate
	failed  map[string]failure
}

type failure struct {
	err   error
	until time.Time
}

// NewClient returns a Client trusting roots for TLS (nil: the system roots).
func NewClient(p Policy, roots *x509.CertPool) *Client {
	return &Client{
		Policy: p,
		http: &http.Client{
			Timeout: FetchTimeout,
			Transport: &http.Transport{
				Proxy:                 http.ProxyFromEnvironment,
				DialContext:           (&net.Dialer{Timeout: FetchTimeout}).DialContext,
				TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
				TLSHandshakeTimeout:   FetchTimeout,
				ResponseHeaderTimeout: FetchTimeout,
				MaxIdleConnsPerHost:   2,
				IdleConnTimeout:       90 * time.Second,
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		certs:  map[string]*x509.Certificate{},
		failed: map[string]failure{},
	}
}

// get fetches url (at most maxSize bytes). A network failure or a 5xx wraps
// ErrUnavailable; any other refusal wraps ErrCertificate.
func (c *Client) get(ctx context.Context, raw string, maxSize int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, fmt.Errorf("sns: request: %w: %w", providers.ErrCertificate, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var verr *tls.CertificateVerificationError
		if errors.As(err, &verr) {
			return nil, fmt.Errorf("sns: the host's TLS certificate is not trusted: %w: %w", providers.ErrCertificate, err)
		}
		return nil, fmt.Errorf("sns: %w: %w", providers.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return nil, fmt.Errorf("sns: %s answered %d: %w", req.URL.Host, resp.StatusCode, providers.ErrUnavailable)
	default:
		return nil, fmt.Errorf("sns: %s answered %d: %w", req.URL.Host, resp.StatusCode, providers.ErrCertificate)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("sns: read: %w: %w", providers.ErrUnavailable, err)
	}
	if int64(len(data)) > maxSize {
		return nil, fmt.Errorf("sns: response larger than %d bytes: %w", maxSize, providers.ErrCertificate)
	}
	return data, nil
}

// Certificate returns the signing certificate at raw (already allowed by
// CheckCertURL), valid at now, from the cache when it holds it. Concurrent
// requests for one URL share one download; a failure is remembered briefly.
func (c *Client) Certificate(ctx context.Context, raw string, now time.Time) (*x509.Certificate, error) {
	c.mu.Lock()
	if cert, ok := c.certs[raw]; ok && !now.After(cert.NotAfter) {
		c.mu.Unlock()
		return valid(cert, now)
	}
	if f, ok := c.failed[raw]; ok && now.Before(f.until) {
		c.mu.Unlock()
		return nil, f.err
	}
	c.mu.Unlock()
	ch := c.flights.DoChan(raw, func() (any, error) {
		data, err := c.get(context.WithoutCancel(ctx), raw, MaxCertSize)
		if err == nil {
			var cert *x509.Certificate
			if cert, err = parseCert(data); err == nil {
				c.remember(raw, cert, now)
				return cert, nil
			}
		}
		c.mu.Lock()
		c.failed[raw] = failure{err, now.Add(failureMemory)}
		c.mu.Unlock()
		return nil, err
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return valid(r.Val.(*x509.Certificate), now)
	case <-ctx.Done():
		return nil, fmt.Errorf("sns: waiting for the certificate: %w: %w", providers.ErrUnavailable, ctx.Err())
	}
}

func (c *Client) remember(raw string, cert *x509.Certificate, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.failed, raw)
	for u, old := range c.certs {
		if now.After(old.NotAfter) {
			delete(c.certs, u)
		}
	}
	for len(c.certs) >= maxCachedCerts {
		var victim string
		for u, old := range c.certs {
			if victim == "" || old.NotAfter.Before(c.certs[victim].NotAfter) {
				victim = u
			}
		}
		delete(c.certs, victim)
	}
	c.certs[raw] = cert
}

func valid(cert *x509.Certificate, now time.Time) (*x509.Certificate, error) {
	if now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return nil, fmt.Errorf("sns: signing certificate not valid now: %w", providers.ErrCertificate)
	}
	return cert, nil
}

// parseCert reads the first PEM certificate, which must hold an RSA key of
// at least 2048 bits.
func parseCert(data []byte) (*x509.Certificate, error) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, fmt.Errorf("sns: no PEM certificate in the response: %w", providers.ErrCertificate)
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("sns: certificate: %w: %w", providers.ErrCertificate, err)
		}
		key, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok || key.N.BitLen() < minRSABits {
			return nil, fmt.Errorf("sns: the certificate's key is not RSA of %d bits or more: %w", minRSABits, providers.ErrCertificate)
		}
		return cert, nil
	}
}

// maxConfirmSize bounds the ConfirmSubscription response read.
const maxConfirmSize = 64 << 10

// Confirm calls the message's SubscribeURL (a SubscriptionConfirmation
// already verified), after CheckSubscribeURL accepts it.
func (c *Client) Confirm(ctx context.Context, m *Message) error {
	if m.Type != SubscriptionConfirmation {
		return fmt.Errorf("sns: %s is not a subscription confirmation: %w", m.Type, providers.ErrMalformedPayload)
	}
	if err := c.Policy.CheckSubscribeURL(m.SubscribeURL); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, FetchTimeout)
	defer cancel()
	_, err := c.get(ctx, m.SubscribeURL, maxConfirmSize)
	return err
}
