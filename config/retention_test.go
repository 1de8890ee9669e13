package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/config"
)

func TestRetentionReceipts(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       time.Duration
		wantErr    bool
	}{
		{"default keeps forever", "", 0, false},
		{"a year", "retention: {receipts: 8760h}\n", 8760 * time.Hour, false},
		{"zero keeps forever", "retention: {receipts: 0s}\n", 0, false},
		{"too short", "retention: {receipts: 30m}\n", 0, true},
		{"negative", "retention: {receipts: -1h}\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse([]byte(tt.yaml+oneSource), noEnv)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "retention") {
					t.Fatalf("err = %v, want one naming retention", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Retention.Receipts != tt.want {
				t.Errorf("retention.receipts = %v, want %v", cfg.Retention.Receipts, tt.want)
			}
		})
	}
}
