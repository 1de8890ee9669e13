package devserver

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"go.temporal.io/server/common/log/tag"
)

func TestServerLoggerKeepsWarningsAndAbove(t *testing.T) {
	for _, tc := range []struct {
		name string
		log  func(l serverLogger)
		want string // "" means nothing is written
	}{
		{"debug dropped", func(l serverLogger) { l.Debug("chatty") }, ""},
		{"info dropped", func(l serverLogger) { l.Info("chatty", tag.NewStringTag("k", "v")) }, ""},
		{"warn kept with tags", func(l serverLogger) { l.Warn("slow", tag.NewStringTag("shard", "1")) },
			`level=WARN msg=slow shard=1`},
		{"error kept", func(l serverLogger) { l.Error("failed", tag.Error(errors.New("boom"))) },
			`level=ERROR msg=failed error=boom`},
		{"dpanic is an error", func(l serverLogger) { l.DPanic("odd") }, `level=ERROR msg=odd`},
		{"with prepends tags", func(l serverLogger) {
			l.With(tag.NewStringTag("service", "history")).Warn("slow")
		}, `level=WARN msg=slow service=history`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			base := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
				Level: slog.LevelDebug,
				ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
					if a.Key == slog.TimeKey {
						return slog.Attr{}
					}
					return a
				},
			}))
			tc.log(serverLogger{l: atLeast(base, slog.LevelWarn)})
			if got := strings.TrimSpace(buf.String()); got != tc.want {
				t.Errorf("logged %q, want %q", got, tc.want)
			}
		})
	}
}

func TestServerLoggerFatalDoesNotReturn(t *testing.T) {
	l := serverLogger{l: slog.New(slog.DiscardHandler)}
	for name, f := range map[string]func(string, ...tag.Tag){"Fatal": l.Fatal, "Panic": l.Panic} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s returned; Temporal's callers rely on it not returning", name)
				}
			}()
			f("listener failed")
		})
	}
}
