package paypal

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
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/hookgate/hookgate/providers"
)

// Certificate rules that are not configurable.
const (
	// maxChainCerts bounds the certificates parsed from one download.
	maxChainCerts = 8
	// minRSABits is the smallest leaf key accepted; PayPal's is 2048 bits.
	minRSABits = 2048
	// maxCachedCerts bounds the cache: PayPal uses a handful of certificates at a
	// time, and only validated chains are cached.
	maxCachedCerts = 32
	// maxCertURLLen bounds PAYPAL-CERT-URL.
	maxCertURLLen = 512
)

// leafName is the subject a signing leaf must have (CN or a DNS SAN). It is
// deliberately not configurable: the dev CA issues the sandbox name.
var leafName = regexp.MustCompile(`^messageverificationcerts(\.sandbox)?\.paypal\.com$`)

// certID is the last path segment of an allowed cert URL (CERT-360caa42-…).
var certID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// CertURLPolicy is the allowlist a PAYPAL-CERT-URL must pass before anything is
// fetched: without it the header is an SSRF and a trust bypass.
type CertURLPolicy struct {
	// Hosts are matched exactly (case-insensitively) against the URL's host,
	// including its port: "api.paypal.com" rejects "api.paypal.com:443".
	Hosts []string
	// PathPrefix must start the path ("/v1/notifications/certs/").
	PathPrefix string
}

// Check accepts rawURL only when it is https, has no userinfo, query or fragment,
// names one of p.Hosts, and its path is p.PathPrefix followed by one plain segment
// (no percent escapes, no dot segments). An unparsable URL wraps
// ErrInvalidHeader; a URL the policy refuses wraps ErrCertificate.
func (p CertURLPolicy) Check(rawURL string) error {
	if len(rawURL) > maxCertURLLen {
		return fmt.Errorf("paypal: %s too long: %w", HeaderCertURL, providers.ErrInvalidHeader)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("paypal: %s is not a URL: %w", HeaderCertURL, providers.ErrInvalidHeader)
	}
	refuse := func(why string) error {
		return fmt.Errorf("paypal: %s refused: %s: %w", HeaderCertURL, why, providers.ErrCertificate)
	}
	switch {
	case u.Scheme != "https":
		return refuse("not https")
	case u.User != nil:
		return refuse("has userinfo")
	case u.RawQuery != "" || u.ForceQuery:
		return refuse("has a query")
	case u.Fragment != "" || strings.Contains(rawURL, "#"):
		return refuse("has a fragment")
	case u.Opaque != "" || strings.Contains(rawURL, "%") || strings.Contains(rawURL, `\`):
		return refuse("has escapes")
	}
	hostOK := false
	for _, h := range p.Hosts {
		if strings.EqualFold(u.Host, h) {
			hostOK = true
			break
		}
	}
	if !hostOK {
		return refuse("host not in cert_hosts")
	}
	rest, ok := strings.CutPrefix(u.Path, p.PathPrefix)
	// A certificate name is one segment (certID) with no ".." in it at all:
	// no dot-segment, and nothing a server could normalise into one.
	if !ok || p.PathPrefix == "" || !certID.MatchString(rest) || rest == "." || strings.Contains(rest, "..") {
		return refuse("path not under cert_path_prefix")
	}
	return nil
}

// SigningCert is a validated PayPal signing certificate.
type SigningCert struct {
	Leaf *x509.Certificate
	Key  *rsa.PublicKey
	// NotBefore and NotAfter bound the validity of the whole verified chain.
	NotBefore, NotAfter time.Time
}

// validAt reports whether the chain is valid at now.
func (c *SigningCert) validAt(now time.Time) bool {
	return !now.Before(c.NotBefore) && !now.After(c.NotAfter)
}

// ParseChain parses a PEM chain, leaf first, then intermediates. Blocks of other
// types are ignored. Errors wrap ErrCertificate.
func ParseChain(data []byte) ([]*x509.Certificate, error) {
	var chain []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		if len(chain) == maxChainCerts {
			return nil, fmt.Errorf("paypal: more than %d certificates in chain: %w", maxChainCerts, providers.ErrCertificate)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("paypal: parse certificate: %w: %w", providers.ErrCertificate, err)
		}
		chain = append(chain, c)
	}
	if len(chain) == 0 {
		return nil, fmt.Errorf("paypal: no PEM certificate: %w", providers.ErrCertificate)
	}
	return chain, nil
}

// VerifyChain validates chain (leaf first) at now against roots (nil: the system
// roots): it must chain to a root, every certificate must be within its validity
// dates, the leaf's CN or a DNS SAN must be messageverificationcerts.paypal.com
// or messageverificationcerts.sandbox.paypal.com, and its key must be RSA of at
// least 2048 bits. Errors wrap ErrCertificate.
func VerifyChain(chain []*x509.Certificate, roots *x509.CertPool, now time.Time) (*SigningCert, error) {
	if len(chain) == 0 {
		return nil, fmt.Errorf("paypal: empty chain: %w", providers.ErrCertificate)
	}
	leaf := chain[0]
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	verified, err := leaf.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   now,
		// PayPal's leaf is not a TLS certificate; its EKU says nothing about
		// message signing, so any usage is acceptable.
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		var inv x509.CertificateInvalidError
		if errors.As(err, &inv) && inv.Reason == x509.Expired {
			return nil, fmt.Errorf("paypal: signing certificate expired or not yet valid: %w", providers.ErrCertificate)
		}
		return nil, fmt.Errorf("paypal: signing certificate does not chain to a trusted root: %w: %w", providers.ErrCertificate, err)
	}
	if !leafNameOK(leaf) {
		return nil, fmt.Errorf("paypal: signing certificate is not issued to messageverificationcerts.paypal.com: %w", providers.ErrCertificate)
	}
	key, ok := leaf.PublicKey.(*rsa.PublicKey)
	if !ok || key.N.BitLen() < minRSABits {
		return nil, fmt.Errorf("paypal: signing certificate key is not RSA-%d or larger: %w", minRSABits, providers.ErrCertificate)
	}
	sc := &SigningCert{Leaf: leaf, Key: key, NotBefore: leaf.NotBefore, NotAfter: leaf.NotAfter}
	for _, c := range verified[0] {
		if c.NotBefore.After(sc.NotBefore) {
			sc.NotBefore = c.NotBefore
		}
		if c.NotAfter.Before(sc.NotAfter) {
			sc.NotAfter = c.NotAfter
		}
	}
	return sc, nil
}

func leafNameOK(leaf *x509.Certificate) bool {
	if leafName.MatchString(leaf.Subject.CommonName) {
		return true
	}
	for _, n := range leaf.DNSNames {
		if leafName.MatchString(n) {
			return true
		}
	}
	return false
}

// fetcher downloads a certificate chain. Its errors wrap ErrUnavailable (retry
// later) or ErrCertificate (this URL will not yield a certificate).
type fetcher func(ctx context.Context, rawURL string) ([]byte, error)

// newHTTPClient returns the client for PayPal's hosts: TLS verified against roots
// (nil: the system roots), no redirects (a redirect would leave the allowlist).
// Timeouts come from each request's context.
func newHTTPClient(roots *x509.CertPool) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout:   5 * time.Second,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
			ResponseHeaderTimeout: 10 * time.Second,
			ForceAttemptHTTP2:     true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// httpFetcher downloads a chain with client, at most MaxCertResponseSize bytes.
func httpFetcher(client *http.Client) fetcher {
	return func(ctx context.Context, rawURL string) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
		if err != nil {
			return nil, fmt.Errorf("paypal: certificate request: %w: %w", providers.ErrCertificate, err)
		}
		req.Header.Set("Accept", "application/x-pem-file, */*")
		resp, err := client.Do(req)
		if err != nil {
			var verr *tls.CertificateVerificationError
			if errors.As(err, &verr) {
				return nil, fmt.Errorf("paypal: certificate host's TLS certificate is not trusted: %w: %w", providers.ErrCertificate, err)
			}
			return nil, fmt.Errorf("paypal: fetch certificate: %w: %w", providers.ErrUnavailable, err)
		}
		defer resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusOK:
		case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout:
			return nil, fmt.Errorf("paypal: fetch certificate: status %d: %w", resp.StatusCode, providers.ErrUnavailable)
		default:
			return nil, fmt.Errorf("paypal: fetch certificate: status %d: %w", resp.StatusCode, providers.ErrCertificate)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, MaxCertResponseSize+1))
		if err != nil {
			return nil, fmt.Errorf("paypal: read certificate: %w: %w", providers.ErrUnavailable, err)
		}
		if len(data) > MaxCertResponseSize {
			return nil, fmt.Errorf("paypal: certificate response larger than %d bytes: %w", MaxCertResponseSize, providers.ErrCertificate)
		}
		return data, nil
	}
}

// certStore fetches, validates and caches signing certificates by URL until the
// chain expires. Concurrent requests for one URL share a single download
// (singleflight); a failed download is remembered for a short time, and
// every download takes a token of the process-wide outbound limit.
type certStore struct {
	roots   *x509.CertPool
	timeout time.Duration
	fetch   fetcher

	flights  singleflight.Group
	failures *failureMemory
	waiting  atomic.Int64 // requests waiting for a download (tests)

	mu      sync.Mutex
	entries map[string]*SigningCert
}

func newCertStore(roots *x509.CertPool, timeout time.Duration, fetch fetcher) *certStore {
	return &certStore{
		roots:    roots,
		timeout:  timeout,
		fetch:    fetch,
		failures: newFailureMemory(),
		entries:  map[string]*SigningCert{},
	}
}

// get returns the validated certificate at rawURL (already allowlisted), from the
// cache when it holds one valid at now.
func (s *certStore) get(ctx context.Context, rawURL string, now time.Time) (*SigningCert, error) {
	s.mu.Lock()
	if c, ok := s.entries[rawURL]; ok {
		if c.validAt(now) {
			s.mu.Unlock()
			return c, nil
		}
		if now.Before(c.NotBefore) {
			s.mu.Unlock()
			return nil, fmt.Errorf("paypal: signing certificate not yet valid: %w", providers.ErrCertificate)
		}
		delete(s.entries, rawURL) // expired: PayPal may have renewed it in place
	}
	s.mu.Unlock()
	if err := s.failures.get(rawURL); err != nil {
		observe(CallCert, ResultRemembered)
		return nil, err
	}
	// The download outlives the request that started it (others may wait on
	// it), bounded by the fetch timeout.
	s.waiting.Add(1)
	ch := s.flights.DoChan(rawURL, func() (any, error) {
		return s.load(context.WithoutCancel(ctx), rawURL, now)
	})
	var r singleflight.Result
	select {
	case r = <-ch:
		s.waiting.Add(-1)
	case <-ctx.Done():
		s.waiting.Add(-1)
		return nil, fmt.Errorf("paypal: waiting for certificate: %w: %w", providers.ErrUnavailable, ctx.Err())
	}
	if r.Err != nil {
		return nil, r.Err
	}
	cert := r.Val.(*SigningCert)
	if !cert.validAt(now) {
		return nil, fmt.Errorf("paypal: signing certificate expired or not yet valid: %w", providers.ErrCertificate)
	}
	return cert, nil
}

// load downloads and validates one chain, under the outbound limit, and caches
// it on success or remembers the failure.
func (s *certStore) load(ctx context.Context, rawURL string, now time.Time) (*SigningCert, error) {
	if err := allow(CallCert); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	cert, err := s.download(ctx, rawURL, now)
	observe(CallCert, result(err))
	if err != nil {
		s.failures.put(rawURL, err)
		return nil, err
	}
	s.mu.Lock()
	s.insertLocked(rawURL, cert, now)
	s.mu.Unlock()
	return cert, nil
}

func (s *certStore) download(ctx context.Context, rawURL string, now time.Time) (*SigningCert, error) {
	data, err := s.fetch(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	chain, err := ParseChain(data)
	if err != nil {
		return nil, err
	}
	return VerifyChain(chain, s.roots, now)
}

// insertLocked caches c, evicting expired entries and then the soonest to expire
// when the cache is full.
func (s *certStore) insertLocked(rawURL string, c *SigningCert, now time.Time) {
	if len(s.entries) >= maxCachedCerts {
		for u, e := range s.entries {
			if now.After(e.NotAfter) {
				delete(s.entries, u)
			}
		}
	}
	for len(s.entries) >= maxCachedCerts {
		var victim string
		var soonest time.Time
		for u, e := range s.entries {
			if victim == "" || e.NotAfter.Before(soonest) {
				victim, soonest = u, e.NotAfter
			}
		}
		delete(s.entries, victim)
	}
	s.entries[rawURL] = c
}

// cached reports how many certificates are cached (for tests and metrics).
func (s *certStore) cached() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}
