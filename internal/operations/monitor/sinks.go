package monitor

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// ErrSinkStatus is returned (wrapped) when a sink's endpoint answers non-2xx.
var ErrSinkStatus = errors.New("alert endpoint refused the alerts")

// LogSink writes alerts to a logger.
type LogSink struct{ Logger *slog.Logger }

// Send logs each alert: firing at Warn, resolved at Info.
func (s LogSink) Send(_ context.Context, alerts []Alert) error {
	for _, a := range alerts {
		lvl, state := slog.LevelWarn, "firing"
		if a.Resolved() {
			lvl, state = slog.LevelInfo, "resolved"
		}
		s.Logger.Log(context.Background(), lvl, "alert "+state, "alert", a.Name, "source", a.Source,
			"severity", string(a.Severity), "summary", a.Summary)
	}
	return nil
}

// SlackSink posts alerts to a Slack incoming webhook. The URL is a secret: it
// never appears in errors.
type SlackSink struct {
	URL    string
	Client *http.Client // default: 10 s timeout
}

// Send posts one message listing the alerts.
func (s SlackSink) Send(ctx context.Context, alerts []Alert) error {
	var b strings.Builder
	for _, a := range alerts {
		icon, state := ":rotating_light:", "FIRING"
		if a.Resolved() {
			icon, state = ":white_check_mark:", "RESOLVED"
		}
		fmt.Fprintf(&b, "%s *[%s] %s* (%s) %s\n", icon, state, a.Name, a.Severity, a.Summary)
	}
	body, err := json.Marshal(struct {
		Text string `json:"text"`
	}{b.String()})
	if err != nil {
		return fmt.Errorf("slack message: %w", err)
	}
	return post(ctx, s.Client, s.URL, "slack", body)
}

// WebhookSink posts alerts in Alertmanager's webhook format (version 4), so
// that anything that receives Alertmanager notifications receives hookgate's.
type WebhookSink struct {
	URL    string
	Client *http.Client // default: 10 s timeout
	// ExternalURL is reported as externalURL (e.g. the admin API's address).
	ExternalURL string
}

// AMAlert is one alert of an Alertmanager webhook message.
type AMAlert struct {
	Status       string            `json:"status"` // firing or resolved
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// AMMessage is an Alertmanager webhook message.
type AMMessage struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []AMAlert         `json:"alerts"`
}

// Send posts one message with every alert; its status is "firing" when any
// alert fires.
func (s WebhookSink) Send(ctx context.Context, alerts []Alert) error {
	msg := AMMessage{Version: "4", GroupKey: "{}:{}", Status: "resolved", Receiver: "hookgate",
		GroupLabels: map[string]string{}, CommonLabels: map[string]string{}, CommonAnnotations: map[string]string{},
		ExternalURL: s.ExternalURL}
	for _, a := range alerts {
		labels := map[string]string{"alertname": a.Name, "severity": string(a.Severity)}
		if a.Source != "" {
			labels["source"] = a.Source
		}
		st := "resolved"
		if !a.Resolved() {
			st, msg.Status = "firing", "firing"
		}
		sum := sha256.Sum256([]byte(a.key()))
		msg.Alerts = append(msg.Alerts, AMAlert{Status: st, Labels: labels,
			Annotations: map[string]string{"summary": a.Summary}, StartsAt: a.StartsAt, EndsAt: a.EndsAt,
			Fingerprint: hex.EncodeToString(sum[:8])})
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("alertmanager message: %w", err)
	}
	return post(ctx, s.Client, s.URL, "webhook", body)
}

func post(ctx context.Context, c *http.Client, url, kind string, body []byte) error {
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s sink: invalid URL", kind) // the URL may hold a token: not echoed
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		// *url.Error carries the URL; report only the cause.
		var cause error = err
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) && ue.Unwrap() != nil {
			cause = ue.Unwrap()
		}
		return fmt.Errorf("%s sink: post: %w", kind, cause)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10)) // drain for keep-alive
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s sink: HTTP %d: %w", kind, res.StatusCode, ErrSinkStatus)
	}
	return nil
}
