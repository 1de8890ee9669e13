package paypal

import (
	"os"
	"testing"
)

// TestMain lifts the process-wide outbound limit: the tests and fuzz targets
// make many calls to local servers in a burst. TestOutboundLimit sets its own.
func TestMain(m *testing.M) {
	SetOutboundLimit(1e9, 1e9)
	os.Exit(m.Run())
}
