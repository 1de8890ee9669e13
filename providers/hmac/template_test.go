package hmacsig

import "testing"

// A repeated header holds one prefixed signature per value: combined with a
// separator, key=value pairs or a second header the template is refused.
func TestRepeatedValidation(t *testing.T) {
	base := Template{Algorithm: SHA256, Encoding: Hex, Header: "X-Mollie-Signature", Prefix: "sha256=", Repeated: true}
	if err := base.Validate(); err != nil {
		t.Fatalf("Mollie's template: %v", err)
	}
	for name, change := range map[string]func(*Template){
		"separator":     func(t *Template) { t.Separator = "," },
		"pairs":         func(t *Template) { t.PairSeparator, t.SignatureKey = ",", "v1" },
		"second header": func(t *Template) { t.SecondHeader = "X-Other" },
	} {
		tt := base
		change(&tt)
		if err := tt.Validate(); err == nil {
			t.Errorf("repeated with a %s: valid, want refused", name)
		}
	}
}
