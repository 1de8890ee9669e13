package token

import (
	"testing"

	"github.com/hookgate/hookgate/providers"
)

// FuzzVerifyToken: only the exact secret verifies; errors are sentinels.
func FuzzVerifyToken(f *testing.F) {
	f.Add("s3cret")
	f.Add("")
	f.Add("s3cret\x00")
	f.Fuzz(func(t *testing.T, tok string) {
		err := VerifyToken(tok, []string{"s3cret", "other"})
		if (err == nil) != (tok == "s3cret" || tok == "other") {
			t.Fatalf("VerifyToken(%q) = %v", tok, err)
		}
		if err != nil && providers.ReasonOf(err) == providers.ReasonOther {
			t.Fatalf("VerifyToken(%q) = %v, not a sentinel", tok, err)
		}
	})
}
