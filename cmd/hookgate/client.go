package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/operations/admin"
)

// adminClient talks to the admin API.
type adminClient struct {
	base  string
	token string
	http  *http.Client
}

type adminFlags struct {
	url, token, config string
}

func (f *adminFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.url, "admin-url", "", "admin API URL (default $HOOKGATE_ADMIN_URL, else http://127.0.0.1:8006)")
	cmd.Flags().StringVar(&f.token, "token", "", "bearer token (default $HOOKGATE_ADMIN_TOKEN, else the dev config's)")
	cmd.Flags().StringVar(&f.config, "config", "", "config file to read the admin token from (default: the dev config)")
}

func (f *adminFlags) client(e *env) (*adminClient, error) {
	c := &adminClient{base: f.url, token: f.token, http: &http.Client{Timeout: 30 * time.Second}}
	if c.base == "" {
		c.base = e.getenv("HOOKGATE_ADMIN_URL")
	}
	if c.base == "" {
		c.base = "http://127.0.0.1:8006"
	}
	if c.token == "" {
		c.token = e.getenv("HOOKGATE_ADMIN_TOKEN")
	}
	if c.token == "" {
		path := f.config
		if path == "" {
			path = devConfigPath(e)
		}
		cfg, err := config.Load(path, e.getenv)
		if err != nil {
			return nil, fmt.Errorf("no admin token: pass --token or set HOOKGATE_ADMIN_TOKEN (%w)", err)
		}
		if len(cfg.AdminTokens) == 0 {
			return nil, fmt.Errorf("no admin token in %s: pass --token", path)
		}
		c.token = cfg.AdminTokens[0].Token.Reveal()
	}
	return c, nil
}

func (c *adminClient) do(ctx context.Context, method, path string, q url.Values, body any, out any) error {
	u := strings.TrimSuffix(c.base, "/") + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("admin API: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("admin API %s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))
	}
	return json.Unmarshal(b, out)
}

func receiptsCmd(e *env) *cobra.Command {
	var af adminFlags
	var source, status, eventType, eventID, since, until, text string
	var limit int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "receipts [receipt-id]",
		Short: "List receipts (filters: --source --status --type --event-id --since --until --text), or show one",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := af.client(e)
			if err != nil {
				return err
			}
			if len(args) == 1 {
				var out json.RawMessage
				if err := c.do(cmd.Context(), http.MethodGet, "/v1/receipts/"+url.PathEscape(args[0]), nil, nil, &out); err != nil {
					return err
				}
				var buf bytes.Buffer
				_ = json.Indent(&buf, out, "", "  ")
				fmt.Fprintln(e.stdout, buf.String())
				return nil
			}
			q := url.Values{}
			for k, v := range map[string]string{"source": source, "status": status, "event_type": eventType, "event_id": eventID, "since": since, "until": until, "q": text} {
				if v != "" {
					q.Set(k, v)
				}
			}
			if limit > 0 {
				q.Set("limit", fmt.Sprint(limit))
			}
			var page struct {
				Receipts []admin.ReceiptView `json:"receipts"`
				Next     string              `json:"next"`
			}
			if err := c.do(cmd.Context(), http.MethodGet, "/v1/receipts", q, nil, &page); err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(e.stdout).Encode(page)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 2, 2, ' ', 0)
			fmt.Fprintln(tw, "RECEIVED\tSOURCE\tEVENT TYPE\tSTATUS\tATTEMPTS\tEVENT ID\tRECEIPT ID")
			for _, r := range page.Receipts {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", r.ReceivedAt.Local().Format(time.DateTime), r.Source, r.EventType, r.Status, r.Attempts, r.EventID, r.ID)
			}
			return tw.Flush()
		},
	}
	af.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&source, "source", "", "source name")
	fl.StringVar(&status, "status", "", "verified|queued|processing|retrying|completed|unhandled|dead")
	fl.StringVar(&eventType, "type", "", "provider event type")
	fl.StringVar(&eventID, "event-id", "", "provider event ID")
	fl.StringVar(&since, "since", "", "RFC 3339 time or a duration ago (2h)")
	fl.StringVar(&until, "until", "", "RFC 3339 time or a duration ago")
	fl.StringVar(&text, "text", "", "text the raw body contains in its first 8 KiB (ASCII case ignored, at most 200 bytes)")
	fl.IntVar(&limit, "limit", 50, "at most this many (1..1000)")
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func replayCmd(e *env) *cobra.Command {
	var af adminFlags
	var reason, source, status, eventType, since, until, mode string
	var dryRun bool
	var perSecond int
	cmd := &cobra.Command{
		Use:   "replay [receipt-id]",
		Short: "Process one receipt again, or every receipt matching filters (bulk, with progress)",
		Long: `With a receipt ID, replay requeues that receipt. With filters instead
(--status, --source, --type, --since, --until) it replays every matching receipt as a
rate-limited Temporal workflow, showing progress; --dry-run only counts them. Every
replay is recorded on its receipt with who, when and why, and runs in a new workflow
run; only a receipt whose run has ended (completed, unhandled, dead) is replayed.

--mode says what the new run does:
  resume (default)  finish what is unfinished: events keep their message IDs, those
                    already published are not published again. After an outage of a
                    broker or a downstream service.
  redo              run the handler again and publish its new output under message
                    IDs of the replay (<receipt>.r<n>.<seq>). After a handler fix.

  hookgate replay --status dead --since 2h --dry-run
  hookgate replay --status dead --since 2h --reason "broker outage"
  hookgate replay <receipt-id> --mode redo --reason "fixed decimal parsing"`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := af.client(e)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if len(args) == 1 {
				var out struct {
					Status     string `json:"status"`
					Generation int    `json:"generation"`
				}
				if err := c.do(ctx, http.MethodPost, "/v1/receipts/"+url.PathEscape(args[0])+"/replay", nil, map[string]string{"reason": reason, "mode": mode}, &out); err != nil {
					return err
				}
				if out.Status == "started" {
					fmt.Fprintf(e.stdout, "receipt %s: run %d started\n", args[0], out.Generation)
				} else {
					fmt.Fprintf(e.stdout, "receipt %s requeued: the relay starts run %d\n", args[0], out.Generation)
				}
				return nil
			}
			if source == "" && status == "" && eventType == "" && since == "" {
				return fmt.Errorf("give a receipt ID, or at least one filter (--status, --source, --type, --since)")
			}
			req := map[string]any{"source": source, "status": status, "event_type": eventType, "since": since,
				"until": until, "per_second": perSecond, "reason": reason, "mode": mode}
			if until == "" {
				req["until"] = time.Now().UTC().Format(time.RFC3339Nano)
			}
			req["dry_run"] = true
			var count struct {
				Matched int `json:"matched"`
			}
			if err := c.do(ctx, http.MethodPost, "/v1/replays", nil, req, &count); err != nil {
				return err
			}
			if dryRun {
				fmt.Fprintf(e.stdout, "dry run: %d receipts would be replayed\n", count.Matched)
				return nil
			}
			req["dry_run"] = false
			var started struct {
				ID string `json:"id"`
			}
			if err := c.do(ctx, http.MethodPost, "/v1/replays", nil, req, &started); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "bulk replay %s started (%d receipts)\n", started.ID, count.Matched)
			return followReplay(ctx, e, c, started.ID, count.Matched)
		},
	}
	af.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&reason, "reason", "", "why (recorded on every replayed receipt)")
	fl.StringVar(&mode, "mode", "resume", "resume (finish what is unfinished) or redo (run the handler again and publish its new output: after a handler fix)")
	fl.StringVar(&source, "source", "", "bulk: source name")
	fl.StringVar(&status, "status", "", "bulk: receipt status, e.g. dead")
	fl.StringVar(&eventType, "type", "", "bulk: provider event type")
	fl.StringVar(&since, "since", "", "bulk: RFC 3339 time or a duration ago (2h)")
	fl.StringVar(&until, "until", "", "bulk: RFC 3339 time or a duration ago (default: now)")
	fl.BoolVar(&dryRun, "dry-run", false, "bulk: only count what would be replayed")
	fl.IntVar(&perSecond, "rate", 20, "bulk: receipts replayed per second at most")
	return cmd
}

// followReplay polls a bulk replay and draws a progress bar until it ends.
func followReplay(ctx context.Context, e *env, c *adminClient, id string, total int) error {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	pb := progressbar.NewOptions(max(total, 1),
		progressbar.OptionSetWriter(e.stdout),
		progressbar.OptionSetDescription("replaying"),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(0),
	)
	for {
		var st struct {
			Status   string `json:"status"`
			Progress struct {
				Matched  int  `json:"matched"`
				Replayed int  `json:"replayed"`
				Failed   int  `json:"failed"`
				Done     bool `json:"done"`
			} `json:"progress"`
		}
		if err := c.do(ctx, http.MethodGet, "/v1/replays/"+id, nil, nil, &st); err != nil {
			return err
		}
		p := st.Progress
		_ = pb.Set(min(p.Replayed+p.Failed, max(total, 1)))
		if !strings.EqualFold(st.Status, "running") {
			_ = pb.Finish()
			fmt.Fprintf(e.stdout, "\n%d/%d replayed, %d failed to start (%s)\n", p.Replayed, total, p.Failed, strings.ToLower(st.Status))
			if !strings.EqualFold(st.Status, "completed") {
				return fmt.Errorf("bulk replay %s ended %s", id, strings.ToLower(st.Status))
			}
			if p.Failed > 0 {
				return fmt.Errorf("bulk replay %s: %d receipts got no new run (their run had not ended, or it did not start: see the worker's log)", id, p.Failed)
			}
			return nil
		}
		select {
		case <-ctx.Done():
			fmt.Fprintln(e.stdout)
			return ctx.Err()
		case <-tick.C:
		}
	}
}

func eventsCmd(e *env) *cobra.Command {
	var af adminFlags
	var receiptID, typ string
	var limit int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "events",
		Short: "List normalized events (the store is the bus when AMQP_URL is unset)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := af.client(e)
			if err != nil {
				return err
			}
			q := url.Values{}
			if receiptID != "" {
				q.Set("receipt_id", receiptID)
			}
			if typ != "" {
				q.Set("type", typ)
			}
			q.Set("limit", fmt.Sprint(limit))
			var out struct {
				Events []admin.EventView `json:"events"`
			}
			if err := c.do(cmd.Context(), http.MethodGet, "/v1/events", q, nil, &out); err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(e.stdout).Encode(out)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 2, 2, ' ', 0)
			fmt.Fprintln(tw, "TIME\tTYPE\tSUBJECT\tPUBLISHED\tMESSAGE ID")
			for _, ev := range out.Events {
				pub := "no"
				if ev.PublishedAt != nil {
					pub = ev.PublishedAt.Local().Format(time.TimeOnly)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", ev.Time.Local().Format(time.DateTime), ev.Type, ev.Subject, pub, ev.ID)
			}
			return tw.Flush()
		},
	}
	af.register(cmd)
	cmd.Flags().StringVar(&receiptID, "receipt", "", "only this receipt's events")
	cmd.Flags().StringVar(&typ, "type", "", "normalized event type")
	cmd.Flags().IntVar(&limit, "limit", 50, "at most this many (1..1000)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
