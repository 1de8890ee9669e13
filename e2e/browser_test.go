package e2e

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hookgate/hookgate/store"
)

// chromium is the headless browser: $HOOKGATE_CHROMIUM, else chromium on
// the PATH (scripts/test installs Debian's package when it is missing).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("HOOKGATE_CHROMIUM"); p != "" {
		return p
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: run `make test` (it installs Debian's chromium) or set HOOKGATE_CHROMIUM")
	}
	return p
}

// TestConsoleInABrowser drives the console in headless Chromium against the
// running gateway: sign in, see the overview of the webhooks just sent,
// filter the receipts by source and status, open one and see its body and
// events, see the forged request among the rejected ones, sign out and be
// refused. With HOOKGATE_SCREENSHOTS set to a folder, each screen is saved
// there (docs/console/ holds the committed ones).
func TestConsoleInABrowser(t *testing.T) {
	s := setup(t, options{})
	id := s.send(t, "github", "push", http.StatusOK)
	done := s.waitStatus(t, "github", id, store.StatusCompleted)
	if code, err := s.post(s.request(t, "github", "push", "forged-delivery", true)); err != nil || code != http.StatusUnauthorized {
		t.Fatalf("forged delivery: %d %v", code, err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelTimeout()

	shots := os.Getenv("HOOKGATE_SCREENSHOTS")
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	shot := func(name string) {
		t.Helper()
		if shots == "" {
			return
		}
		shotJPEG, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		// The first screenful, re-encoded small enough to commit.
		img, err := jpeg.Decode(bytes.NewReader(shotJPEG))
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		if b.Dy() > 800 {
			b.Max.Y = b.Min.Y + 800
		}
		sub := img.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(b)
		var out bytes.Buffer
		if err := jpeg.Encode(&out, sub, &jpeg.Options{Quality: 55}); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".jpg"), out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return v
	}

	do("open the console", chromedp.Navigate(s.adminURL+"/"), chromedp.WaitVisible(chromedp.CSS("#token")))
	shot("sign-in")
	do("sign in", chromedp.SendKeys(chromedp.CSS("#token"), s.adminTok), chromedp.Submit(chromedp.CSS("#token")),
		chromedp.WaitVisible(chromedp.CSS("table.overview")))
	shot("overview")
	if got := text("table.overview"); !strings.Contains(got, "github") {
		t.Fatalf("overview: %q", got)
	}
	do("filter the receipts", chromedp.Navigate(s.adminURL+"/receipts"), chromedp.WaitVisible(chromedp.CSS("form.filters")),
		chromedp.SetValue(chromedp.CSS("input[name=source]"), "github"),
		chromedp.SetValue(chromedp.CSS("select[name=status]"), "completed"),
		chromedp.Submit(chromedp.CSS("input[name=source]")),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/receipts/`+done.ID+`"]`)))
	shot("receipts")
	do("open the receipt", chromedp.Click(chromedp.CSS(`a[href="/receipts/`+done.ID+`"]`)), chromedp.WaitVisible(chromedp.CSS("pre.body")))
	shot("receipt")
	if body := text("pre.body"); !strings.Contains(body, `"ref"`) {
		t.Fatalf("receipt body: %q", body)
	}
	if page := text("main"); !strings.Contains(page, "git.push") || !strings.Contains(page, "completed") {
		t.Fatalf("receipt page: %q", page)
	}
	do("rejected requests", chromedp.Navigate(s.adminURL+"/rejected"), chromedp.WaitVisible(chromedp.CSS("main table")))
	shot("rejected")
	if got := text("main table"); !strings.Contains(got, "github") || !strings.Contains(got, "401") {
		t.Fatalf("rejected requests: %q", got)
	}
	for _, p := range []string{"sources", "dead", "bulk"} {
		do(p, chromedp.Navigate(s.adminURL+"/"+p), chromedp.WaitVisible(chromedp.CSS("main h1")))
		shot(p)
	}
	do("sign out", chromedp.Click(chromedp.CSS("form.signout button")), chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.Navigate(s.adminURL+"/receipts"), chromedp.WaitVisible(chromedp.CSS("#token")))
}
