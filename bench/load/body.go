package load

import (
	"crypto/sha1" //nolint:gosec // ID derivations, not signatures
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
)

// Realistic bodies. A GitHub push is JSON with the repository, the pusher and
// its commits: thousands of distinct trigrams (messages, paths, SHAs, names),
// not one padded field. Body builds one per delivery ID from a pool of
// pre-rendered commits (their content generated once, varied and distinct),
// so a body costs a few copies to build, a resend of a delivery is
// byte-identical, and two deliveries differ in their IDs, SHAs and commits.

// poolSize is the number of distinct pre-rendered commits.
const poolSize = 4096

var (
	poolOnce sync.Once
	pool     []string // compact JSON of one commit each
)

var (
	verbs = []string{"Add", "Fix", "Refactor", "Remove", "Validate", "Handle", "Retry", "Document", "Rename", "Cache",
		"Log", "Batch", "Guard", "Parse", "Split", "Bump", "Revert", "Speed up", "Simplify", "Test"}
	objects = []string{"currency codes", "webhook retries", "the invoice totals", "idempotency keys", "pagination cursors",
		"the refund flow", "OAuth token refresh", "rate limit headers", "the checkout session", "tax rounding",
		"customer addresses", "dead letters", "the export job", "feature flags", "the search index", "TLS settings",
		"the migration for receipts", "Slack notifications", "the billing cron", "timezone handling", "CSV import",
		"the cache warmer", "signature checks", "the replay endpoint", "error messages", "the mobile deep links"}
	reasons = []string{"before parsing amounts", "when the provider times out", "for enterprise accounts", "on the EU cluster",
		"so that retries do not double charge", "behind the new flag", "after the Go upgrade", "in the admin console",
		"for accounts created before 2024", "when the body is empty", "under load", "for partial refunds", ""}
	dirs  = []string{"handlers", "internal/billing", "cmd/api", "web/src/components", "pkg/webhooks", "migrations", "docs", "internal/auth", "scripts", "api/v2"}
	files = []string{"payment.go", "refund_test.go", "Invoice.tsx", "router.go", "config.yaml", "README.md", "0042_receipts.sql",
		"retry.go", "session.ts", "export.py", "limits.go", "client.go", "schema.json", "index.ts", "Makefile"}
	people = []string{"Alice Developer", "Bogdan Ionescu", "Chiara Rossi", "Dmitri Volkov", "Eun-ji Park", "Farah Haddad",
		"Gustavo Lima", "Hana Kobayashi", "Ifeoma Okafor", "Jonas Becker", "Kavya Iyer", "Liam O'Brien",
		"Maya Cohen", "Nils Andersen", "Olivia Chen", "Pablo García"}
)

func buildPool() {
	rng := rand.New(rand.NewPCG(20261207, 14))
	hexOf := func() string {
		var b [20]byte
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return hex.EncodeToString(b[:])
	}
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	pathList := func(n int) string {
		if n == 0 {
			return "[]"
		}
		ps := make([]string, n)
		for i := range ps {
			ps[i] = `"` + pick(dirs) + "/" + pick(files) + `"`
		}
		return "[" + strings.Join(ps, ",") + "]"
	}
	pool = make([]string, poolSize)
	for i := range pool {
		sha := hexOf()
		msg := pick(verbs) + " " + pick(objects)
		if r := pick(reasons); r != "" {
			msg += " " + r
		}
		if rng.IntN(3) == 0 {
			msg += `\n\nThe previous behaviour ` + pick(reasons) + ` made ` + pick(objects) + ` fail; see #` + fmt.Sprint(1000+rng.IntN(9000)) + `.`
		}
		who := pick(people)
		login := strings.ToLower(strings.NewReplacer(" ", "-", "'", "", "í", "i").Replace(who))
		pool[i] = `{"id":"` + sha + `","tree_id":"` + hexOf() + `","distinct":true,"message":"` + msg +
			`","timestamp":"2026-12-0` + fmt.Sprint(1+rng.IntN(7)) + `T` + fmt.Sprintf("%02d:%02d:%02d", rng.IntN(24), rng.IntN(60), rng.IntN(60)) +
			`Z","url":"https://github.com/octo-org/payments-api/commit/` + sha +
			`","author":{"name":"` + who + `","email":"` + login + `@example.com","username":"` + login +
			`"},"committer":{"name":"GitHub","email":"noreply@github.com","username":"web-flow"},"added":` + pathList(rng.IntN(3)) +
			`,"removed":` + pathList(rng.IntN(2)) + `,"modified":` + pathList(1+rng.IntN(4)) + `}`
	}
}

// Body returns a realistic GitHub push body of size bytes (at least about
// 1.5 KB) for delivery id: the repository, pusher and sender of one of 64
// developers, and as many commits of the pool as fill it, chosen and ordered
// by id; the last commit's SHA is the push's "after". The same id always
// gives the same bytes.
func Body(id string, size int) []byte {
	poolOnce.Do(buildPool)
	sum := sha1.Sum([]byte(id)) //nolint:gosec // an ID derivation
	seed := binary.LittleEndian.Uint64(sum[:8])
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	sender := int(sum[8]) % 64
	head := `{"ref":"refs/heads/` + []string{"main", "release/2026.12", "feature/refunds", "fix/retries"}[sum[9]%4] +
		`","before":"` + hex.EncodeToString(sum[:]) + `","after":"`
	mid := `","repository":{"id":` + fmt.Sprint(700000000+int(sum[10])*1000) + `,"node_id":"R_kgDO` + hex.EncodeToString(sum[10:14]) +
		`","name":"payments-api","full_name":"octo-org/payments-api","private":true,"owner":{"name":"octo-org","login":"octo-org","id":9919,"type":"Organization"},` +
		`"html_url":"https://github.com/octo-org/payments-api","default_branch":"main","pushed_at":` + fmt.Sprint(1765000000+int(seed%1000000)) + `},` +
		`"pusher":{"name":"dev-` + fmt.Sprint(sender) + `","email":"dev-` + fmt.Sprint(sender) + `@example.com"},` +
		`"sender":{"login":"dev-` + fmt.Sprint(sender) + `","id":` + fmt.Sprint(580000+sender) + `,"type":"User","site_admin":false},` +
		`"created":false,"deleted":false,"forced":false,"base_ref":null,"compare":"https://github.com/octo-org/payments-api/compare/` +
		hex.EncodeToString(sum[:6]) + `...` + hex.EncodeToString(sum[6:12]) + `","commits":[`
	var b strings.Builder
	b.Grow(size + 1024)
	const tail = len(`],"head_commit":`) + 1
	var commits []string
	total := len(head) + 40 + len(mid) + tail
	for len(commits) < 4096 {
		c := pool[rng.IntN(poolSize)]
		// The commit, its comma, and as head_commit when it is the last.
		if len(commits) > 0 && total+len(c)+1+len(c) > size {
			break
		}
		commits = append(commits, c)
		total += len(c) + 1
	}
	last := commits[len(commits)-1]
	after := last[len(`{"id":"`) : len(`{"id":"`)+40]
	b.WriteString(head)
	b.WriteString(after)
	b.WriteString(mid)
	b.WriteString(strings.Join(commits, ","))
	b.WriteString(`],"head_commit":`)
	b.WriteString(last)
	b.WriteString(`}`)
	return []byte(b.String())
}
