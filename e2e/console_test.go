package e2e

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hookgate/hookgate/store"
)

var (
	consoleCSRF  = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	consoleCount = regexp.MustCompile(`<strong>(\d+)</strong> receipts match`)
	percentRE    = regexp.MustCompile(`<strong class="percent">(\d+)%</strong>`)
)

// The console over the real gateway, Temporal and worker: sign in with the
// admin token, see a dead receipt, count a bulk replay (a dry run that
// changes nothing), run it and follow its progress to 100%, and see the
// receipt run again.
func TestConsoleBulkReplay(t *testing.T) {
	s := setup(t, options{})
	gh := s.sendWithout(t, "github", "push", `"before": "9d2b4f6a8c0e1d3f5a7b9c2e4f6a8b0d1c3e5f7a",`,
		`"after": "${EVENT_SHA}",`)
	dead := s.waitStatus(t, "github", gh, store.StatusDead)

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	page := func(method, path string, form url.Values) (int, string) {
		t.Helper()
		var resp *http.Response
		var err error
		if method == http.MethodGet {
			resp, err = c.Get(s.adminURL + path)
		} else {
			resp, err = c.PostForm(s.adminURL+path, form)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	_, signin := page(http.MethodGet, "/sign-in", nil)
	m := consoleCSRF.FindStringSubmatch(signin)
	if m == nil {
		t.Fatalf("sign-in page:\n%s", signin)
	}
	if code, _ := page(http.MethodPost, "/sign-in", url.Values{"csrf": {m[1]}, "token": {s.adminTok}, "next": {"/dead"}}); code != http.StatusOK {
		t.Fatalf("sign in: %d", code)
	}
	code, deadPage := page(http.MethodGet, "/dead", nil)
	if code != http.StatusOK || !strings.Contains(deadPage, dead.ID) {
		t.Fatalf("dead letters: %d, want receipt %s:\n%s", code, dead.ID, deadPage)
	}
	csrf := consoleCSRF.FindStringSubmatch(deadPage)[1]
	form := url.Values{"csrf": {csrf}, "source": {"github"}, "status": {"dead"}, "since": {"1h"}, "reason": {"handler fixed"}}
	form.Set("action", "count")
	_, counted := page(http.MethodPost, "/bulk", form)
	if m := consoleCount.FindStringSubmatch(counted); m == nil || m[1] != "1" {
		t.Fatalf("dry run:\n%s", counted)
	}
	form.Set("action", "run")
	code, progress := page(http.MethodPost, "/bulk", form)
	if code != http.StatusOK || !strings.Contains(progress, "bulk-replay/") {
		t.Fatalf("run: %d\n%s", code, progress)
	}
	id := regexp.MustCompile(`bulk-replay/[0-9a-f-]+`).FindString(progress)
	eventually(t, "the bulk replay at 100%", func() (bool, string) {
		_, p := page(http.MethodGet, "/bulk/progress?id="+url.QueryEscape(id), nil)
		m := percentRE.FindStringSubmatch(p)
		return m != nil && m[1] == "100" && strings.Contains(p, `class="replayed">1<`), p
	})
	eventually(t, "the receipt's second run", func() (bool, string) {
		r, err := s.receipt("github", gh)
		return err == nil && r.Generation == 1 && r.Status.Terminal(), string(r.Status)
	})
	_, list := page(http.MethodGet, "/bulk", nil)
	if !strings.Contains(list, id) {
		t.Errorf("the past bulk replays do not list %s", id)
	}
	if code, _ := page(http.MethodPost, "/sign-out", url.Values{"csrf": {csrf}}); code != http.StatusOK {
		t.Fatalf("sign out: %d", code)
	}
	if _, p := page(http.MethodGet, "/dead", nil); !strings.Contains(p, `action="/sign-in"`) {
		t.Fatal("signed out, the console still shows its pages")
	}
}
