package events_test

import (
	"testing"

	"github.com/hookgate/hookgate/events"
)

func TestURI(t *testing.T) {
	for in, want := range map[string]string{
		"https://github.com/octo-org/hello-world/issues/41": "https://github.com/octo-org/hello-world/issues/41",
		"git://github.com/octo-org/hello-world.git":         "git://github.com/octo-org/hello-world.git",
		"":                                 "",
		"htt\ufffd\ufffdps://github.com/x": "", // found by FuzzHandlers: invalid UTF-8 in html_url
		"/relative/path":                   "",
		"not a url":                        "",
		"https://[::1":                     "",
	} {
		if got := events.URI(in); got != want {
			t.Errorf("URI(%q) = %q, want %q", in, got, want)
		}
	}
}
