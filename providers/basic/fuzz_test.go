package basic

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/hookgate/hookgate/providers"
)

// FuzzParseAuthorization: no panic; errors are header sentinels; a parsed
// credential re-encodes to the token that was sent.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
	f.Add("basic  dTpw")
	f.Add("Basic ")
	f.Add("Basic ====")
	f.Add("Bearer x")
	f.Add("Basic \xff\xfe")
	f.Fuzz(func(t *testing.T, header string) {
		user, password, err := ParseAuthorization(header)
		if err != nil {
			if !errors.Is(err, providers.ErrNotSigned) && !errors.Is(err, providers.ErrInvalidHeader) {
				t.Fatalf("ParseAuthorization(%q) = %v, not a header sentinel", header, err)
			}
			return
		}
		if strings.Contains(user, ":") {
			t.Fatalf("user %q contains ':'", user)
		}
		_, token, _ := strings.Cut(header, " ")
		if base64.StdEncoding.EncodeToString([]byte(user+":"+password)) != strings.TrimLeft(token, " ") {
			t.Fatalf("ParseAuthorization(%q) = %q, %q: does not round-trip", header, user, password)
		}
		err = VerifyCredentials(user, password, []string{"hook:pw"})
		if (err == nil) != (user == "hook" && password == "pw") {
			t.Fatalf("VerifyCredentials(%q, %q) = %v", user, password, err)
		}
	})
}
