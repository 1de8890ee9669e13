package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/fixtures"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/builtin"
)

// devConfigPath is where `hookgate dev` writes its config; send, receipts and
// replay default to it.
func devConfigPath(e *env) string {
	if p := e.getenv(config.EnvConfig); p != "" {
		return p
	}
	dir := e.getenv(config.EnvDataDir)
	if dir == "" {
		dir = config.DefaultDataDir
	}
	return dir + "/dev.yaml"
}

func sendCmd(e *env) *cobra.Command {
	var cfgPath, target string
	var list bool
	cmd := &cobra.Command{
		Use:   "send <source> <fixture>",
		Short: "Sign a realistic provider fixture exactly as the provider would, and POST it",
		Long: `send renders a fixture of the source's provider with a fresh event ID and the
current time, signs it with the source's first secret as the provider does, and
posts it to the gateway. --list shows the fixtures of the source's provider.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cfgPath == "" {
				cfgPath = devConfigPath(e)
			}
			cfg, err := config.Load(cfgPath, e.getenv, config.WithProviders(builtin.Providers()))
			if err != nil {
				return err
			}
			src, ok := cfg.Source(args[0])
			if !ok {
				return fmt.Errorf("no source %q in %s", args[0], cfgPath)
			}
			fsys := builtin.Fixtures(src.Provider)
			if fsys == nil {
				return fmt.Errorf("provider %s ships no fixtures", src.Provider)
			}
			names, err := fixtures.List(fsys)
			if err != nil {
				return err
			}
			if list || len(args) == 1 {
				fmt.Fprintf(e.stdout, "fixtures of %s: %s\n", src.Provider, strings.Join(names, ", "))
				return nil
			}
			fx, err := fixtures.Load(fsys, args[1])
			if err != nil {
				return fmt.Errorf("%w (fixtures of %s: %s)", err, src.Provider, strings.Join(names, ", "))
			}
			return send(cmd, e, cfg, src, fx, target)
		},
	}
	cmd.Flags().StringVar(&cfgPath, "config", "", "config file holding the source's secrets (default: the dev config)")
	cmd.Flags().StringVar(&target, "url", "", "gateway base URL (default: the config's public_base_url, else http://127.0.0.1:8005)")
	cmd.Flags().BoolVar(&list, "list", false, "list the fixtures of the source's provider")
	return cmd
}

func send(cmd *cobra.Command, e *env, cfg *config.Config, src *config.Source, fx fixtures.Fixture, target string) error {
	base := target
	if base == "" {
		base = cfg.PublicBaseURL
	}
	if base == "" {
		base = "http://127.0.0.1:8005"
	}
	u, err := url.Parse(strings.TrimSuffix(base, "/") + "/webhooks/" + src.Name)
	if err != nil {
		return fmt.Errorf("--url: %w", err)
	}
	now := time.Now()
	eventID := fixtures.NewEventID(src.Provider)
	header, body := fx.Render(eventID, now)
	req := &providers.Request{Method: http.MethodPost, URL: u, Header: header, Body: body, Now: now}
	newSigner, ok := builtin.Signer(src.Provider)
	if !ok {
		return fmt.Errorf("provider %s has no signer", src.Provider)
	}
	signer, err := newSigner(src.Spec())
	if err != nil {
		return fmt.Errorf("signer: %w", err)
	}
	if hs, ok := signer.(providers.Handshaker); ok {
		// The provider hands its signing secret over in a handshake first
		// (Asana): the gateway keeps the first one, so it is the signer's
		// unless the provider's own was kept before (then 409).
		h := hs.Handshake(u)
		_, status, out, err := post(cmd.Context(), h)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "POST %s (handshake) -> %s\n%s\n", redactedURL(h.URL), status, out)
	}
	if err := signer.Sign(req); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	code, status, out, err := post(cmd.Context(), req)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "POST %s (%s, event %s) -> %s\n%s\n", redactedURL(req.URL), fx.Name, eventID, status, out)
	if code >= 300 {
		return fmt.Errorf("gateway answered %s", status)
	}
	return nil
}

// post sends r and returns the status and the start of the answer.
func post(ctx context.Context, r *providers.Request) (int, string, []byte, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL.String(), bytes.NewReader(r.Body))
	if err != nil {
		return 0, "", nil, err
	}
	hreq.Header = r.Header
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(hreq)
	if err != nil {
		return 0, "", nil, fmt.Errorf("post: %w", err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, resp.Status, bytes.TrimSpace(out), nil
}

// redactedURL is u without its query's values (a handshake token) nor a
// password.
func redactedURL(u *url.URL) string {
	c := *u
	if q := c.Query(); len(q) > 0 {
		for k := range q {
			q.Set(k, "xxxxx")
		}
		c.RawQuery = q.Encode()
	}
	return c.Redacted()
}
