package providers

import "net/url"

// Signer sets on r.Header the signature headers the provider itself would send for
// r (its Method, URL, Body and Now). It is used by `hookgate send` and by tests;
// each provider package exports a SignerFactory named NewSigner.
type Signer interface {
	Sign(r *Request) error
}

// SignerFactory builds the Signer of one source from the same Spec as its
// Provider (the first secret signs).
type SignerFactory func(spec Spec) (Signer, error)

// Handshaker is implemented by signers of providers whose signing secret is
// handed over in a handshake (Asana): Handshake returns the request the
// provider sends first to u, the source's URL, so that `hookgate send` and
// tests establish the secret the signer signs with before sending events.
type Handshaker interface {
	Handshake(u *url.URL) *Request
}
