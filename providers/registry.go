package providers

import (
	"fmt"
	"sort"
)

// Registry maps provider names to factories. It is built once at start-up and is
// read-only afterwards.
type Registry struct {
	factories map[Name]Factory
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{factories: map[Name]Factory{}} }

// Register adds a factory; registering a name twice panics (a programming error).
func (r *Registry) Register(name Name, f Factory) {
	if _, dup := r.factories[name]; dup {
		panic(fmt.Sprintf("providers: %q registered twice", name))
	}
	r.factories[name] = f
}

// Build returns the Provider for spec using the named factory.
func (r *Registry) Build(name Name, spec Spec) (Provider, error) {
	f, ok := r.factories[name]
	if !ok {
		return nil, fmt.Errorf("unknown provider %q (known: %v)", name, r.Names())
	}
	return f(spec)
}

// Names lists the registered provider names, sorted.
func (r *Registry) Names() []Name {
	out := make([]Name, 0, len(r.factories))
	for n := range r.factories {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
