package providers

// Signer sets on r.Header the signature headers the provider itself would send for
// r (its Method, URL, Body and Now). It is used by `hookgate send` and by tests;
// each provider package exports a SignerFactory named NewSigner.
type Signer interface {
	Sign(r *Request) error
}

// SignerFactory builds the Signer of one source from the same Spec as its
// Provider (the first secret signs).
type SignerFactory func(spec Spec) (Signer, error)
