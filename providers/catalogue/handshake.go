package catalogue

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/hookgate/hookgate/providers"
)

// Handshakes the gateway answers for catalogue entries.
const (
	// HandshakeSlackURLVerification: Slack's Events API posts a signed
	// {"type":"url_verification","challenge":…} when the Request URL is set,
	// and expects the challenge back.
	HandshakeSlackURLVerification Handshake = "slack_url_verification"
)

// maxChallenge bounds an echoed challenge value.
const maxChallenge = 1024

// Challenge recognises the entry's handshake (providers.Challenger).
func (p *provider) Challenge(r *providers.Request) (providers.Challenge, bool, error) {
	switch p.entry.Handshake {
	case HandshakeSlackURLVerification:
		return slackURLVerification(r)
	}
	return providers.Challenge{}, false, nil
}

// slackURLVerification answers Slack's url_verification with the challenge
// as text/plain, once the request's signature is verified.
// https://docs.slack.dev/reference/events/url_verification/
func slackURLVerification(r *providers.Request) (providers.Challenge, bool, error) {
	if r.Method != http.MethodPost {
		return providers.Challenge{}, false, nil
	}
	var m struct {
		Type      string `json:"type"`
		Challenge string `json:"challenge"`
	}
	if json.Unmarshal(r.Body, &m) != nil || m.Type != "url_verification" {
		return providers.Challenge{}, false, nil
	}
	if m.Challenge == "" || len(m.Challenge) > maxChallenge {
		return providers.Challenge{}, false, fmt.Errorf("slack: url_verification without a usable challenge: %w", providers.ErrInvalidHeader)
	}
	return providers.Challenge{
		Kind: string(HandshakeSlackURLVerification), Signed: true,
		Reply: providers.Reply{Status: http.StatusOK, ContentType: "text/plain", Body: []byte(m.Challenge)},
	}, true, nil
}
