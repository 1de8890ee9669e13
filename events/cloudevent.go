package events

import (
	"encoding/json"
	"time"
)

// SpecVersion is the CloudEvents version of Envelope.
const SpecVersion = "1.0"

// ContentTypeJSON is the datacontenttype of every envelope hookgate publishes.
const ContentTypeJSON = "application/json"

// Envelope is a CloudEvents 1.0 event in structured JSON mode.
type Envelope struct {
	SpecVersion     string          `json:"specversion"`
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	Type            Type            `json:"type"`
	Time            time.Time       `json:"time"`
	Subject         string          `json:"subject,omitempty"`
	DataContentType string          `json:"datacontenttype"`
	Data            json.RawMessage `json:"data"`
	// Extensions (CloudEvents extension attributes, lower-case alphanumerics).
	HookgateReceipt string `json:"hookgatereceipt,omitempty"`
	HookgateEventID string `json:"hookgateeventid,omitempty"`
}
