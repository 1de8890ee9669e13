package twilio

import (
	"embed"
	"io/fs"
)

// fixtureFiles holds realistic, anonymised Twilio status callbacks (format:
// package fixtures).
//
//go:embed testdata/fixtures
var fixtureFiles embed.FS

// FixtureFS returns the Twilio fixtures as a file system rooted at their
// directory, for fixtures.List and fixtures.Load: sms_status (a message status
// callback) and call_status (a call progress callback), both form-encoded. The
// MessageSid/SmsSid and the CallSid are ${EVENT_ID}, so each send is a new
// event; X-Twilio-Signature is added by the Signer.
func FixtureFS() fs.FS {
	sub, err := fs.Sub(fixtureFiles, "testdata/fixtures")
	if err != nil {
		// The directory is embedded at build time; it cannot be missing.
		panic("twilio: embedded fixtures: " + err.Error())
	}
	return sub
}
