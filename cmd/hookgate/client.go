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

	"github.com/spf13/cobra"

	"github.com/hookgate/hookgate/admin"
	"github.com/hookgate/hookgate/config"
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
	var source, status, eventType, eventID, since, until string
	var limit int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "receipts [receipt-id]",
		Short: "List receipts (filters: --source --status --type --event-id --since --until), or show one",
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
			for k, v := range map[string]string{"source": source, "status": status, "event_type": eventType, "event_id": eventID, "since": since, "until": until} {
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
	fl.IntVar(&limit, "limit", 50, "at most this many (1..1000)")
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func replayCmd(e *env) *cobra.Command {
	var af adminFlags
	var reason string
	cmd := &cobra.Command{
		Use:   "replay <receipt-id>",
		Short: "Process a receipt again (recorded on the receipt with who, when and why)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := af.client(e)
			if err != nil {
				return err
			}
			var out map[string]any
			if err := c.do(cmd.Context(), http.MethodPost, "/v1/receipts/"+url.PathEscape(args[0])+"/replay", nil, map[string]string{"reason": reason}, &out); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "receipt %s requeued\n", args[0])
			return nil
		},
	}
	af.register(cmd)
	cmd.Flags().StringVar(&reason, "reason", "", "why (recorded on the receipt)")
	return cmd
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
