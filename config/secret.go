package config

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Secret is a signing secret or token given inline, by environment variable or by
// file. Its value is resolved once at load time and never printed: String,
// MarshalJSON and MarshalYAML all redact it.
type Secret struct {
	Value string `yaml:"value"`
	Env   string `yaml:"env"`
	File  string `yaml:"file"`

	resolved string
}

const redacted = "[redacted]"

// UnmarshalYAML accepts a mapping (value/env/file) or a plain string (inline value).
func (s *Secret) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		s.Value = n.Value
		return nil
	}
	type plain Secret
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*s = Secret(p)
	return nil
}

// resolve reads the secret's value from where it is given.
func (s *Secret) resolve(getenv func(string) string) error {
	set := 0
	for _, v := range []string{s.Value, s.Env, s.File} {
		if v != "" {
			set++
		}
	}
	if set != 1 {
		return errors.New("give exactly one of value, env or file")
	}
	switch {
	case s.Value != "":
		s.resolved = s.Value
	case s.Env != "":
		s.resolved = getenv(s.Env)
		if s.resolved == "" {
			return fmt.Errorf("environment variable %s is empty or unset", s.Env)
		}
	default:
		b, err := os.ReadFile(s.File)
		if err != nil {
			return fmt.Errorf("read secret file: %w", err)
		}
		s.resolved = strings.TrimRight(string(b), "\r\n")
		if s.resolved == "" {
			return fmt.Errorf("secret file %s is empty", s.File)
		}
	}
	return nil
}

// Reveal returns the resolved value. Call it only where the secret is used.
func (s Secret) Reveal() string { return s.resolved }

// String redacts the secret.
func (s Secret) String() string { return redacted }

// GoString redacts the secret (for %#v).
func (s Secret) GoString() string { return redacted }

// MarshalJSON redacts the secret.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalYAML redacts the secret.
func (s Secret) MarshalYAML() (any, error) { return redacted, nil }
