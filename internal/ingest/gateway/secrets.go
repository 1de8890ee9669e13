package gateway

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/store"
)

// SecretKeeper keeps the signing secrets providers hand over in a handshake
// (providers.SecretReceiver), one per source, the first offered winning.
type SecretKeeper interface {
	RecordSourceSecret(ctx context.Context, source, secret string, at time.Time) (string, error)
	SourceSecret(ctx context.Context, source string) (string, error)
}

// errSecretConflict: a handshake offered a secret while another is kept.
var errSecretConflict = errors.New("another handshake secret is kept for this source")

// secretRefresh bounds how often a replica reads a source's kept secret
// again after a request failed for want of one.
const secretRefresh = time.Second

// handshakeSecrets gives kept secrets to the sources' providers.
type handshakeSecrets struct {
	keeper SecretKeeper // nil: no handshake secrets (a check offering one gets 503)
	mu     sync.Mutex
	last   map[string]time.Time // the last read per source
}

// load gives every SecretReceiver source the secret kept for it, if any.
func (h *handshakeSecrets) load(ctx context.Context, sources map[string]*Source) error {
	if h.keeper == nil {
		return nil
	}
	for _, src := range sources {
		if _, ok := src.Provider.(providers.SecretReceiver); ok {
			if _, err := h.refresh(ctx, src, time.Time{}); err != nil {
				return fmt.Errorf("source %s: %w", src.Name, err)
			}
		}
	}
	return nil
}

// refresh reads src's kept secret again, at most once per secretRefresh
// (now zero: always), and reports whether one is kept.
func (h *handshakeSecrets) refresh(ctx context.Context, src *Source, now time.Time) (bool, error) {
	recv, ok := src.Provider.(providers.SecretReceiver)
	if !ok || h.keeper == nil {
		return false, nil
	}
	if !now.IsZero() {
		h.mu.Lock()
		if now.Sub(h.last[src.Name]) < secretRefresh {
			h.mu.Unlock()
			return false, nil
		}
		h.last[src.Name] = now
		h.mu.Unlock()
	}
	secret, err := h.keeper.SourceSecret(ctx, src.Name)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%w: %w", errStoreDown, err)
	}
	recv.UseSecret(secret)
	return true, nil
}

// keep records offered as src's secret unless another is kept, and gives
// the provider the one kept; errSecretConflict when it is not offered.
func (h *handshakeSecrets) keep(ctx context.Context, src *Source, offered string, now time.Time) error {
	recv, ok := src.Provider.(providers.SecretReceiver)
	if !ok || h.keeper == nil {
		return fmt.Errorf("%w: no store keeps handshake secrets", errStoreDown)
	}
	kept, err := h.keeper.RecordSourceSecret(ctx, src.Name, offered, now)
	if err != nil {
		return fmt.Errorf("%w: %w", errStoreDown, err)
	}
	recv.UseSecret(kept)
	if kept != offered {
		return errSecretConflict
	}
	return nil
}
