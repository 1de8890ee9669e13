package events

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// builtinTypes are the constants of events.go; every one needs a schema.
var builtinTypes = []Type{
	GitPush, PaymentCompleted, PaymentFailed, SubscriptionCreated, InvoicePaid,
	SMSStatusUpdate, CallStatusUpdate, OrderCreated, OrderPaid, CustomerCreated,
	PullRequest("opened"), PullRequest("review_requested"), Issue("opened"), Issue("closed"),
}

func TestEveryTypeHasSchema(t *testing.T) {
	for _, typ := range builtinTypes {
		b, ok := Schema(typ)
		if !ok {
			t.Errorf("Schema(%q): none", typ)
			continue
		}
		var doc struct {
			Schema string `json:"$schema"`
			ID     string `json:"$id"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Errorf("Schema(%q) is not JSON: %v", typ, err)
			continue
		}
		if doc.Schema != "https://json-schema.org/draft/2020-12/schema" {
			t.Errorf("Schema(%q) $schema = %q, want draft 2020-12", typ, doc.Schema)
		}
		name, _ := SchemaName(typ)
		if !strings.HasSuffix(doc.ID, "/"+name+".json") {
			t.Errorf("Schema(%q) $id = %q, want it to end in %s.json", typ, doc.ID, name)
		}
	}
}

func TestNoOrphanSchemas(t *testing.T) {
	used := map[string]bool{}
	for _, typ := range builtinTypes {
		name, _ := SchemaName(typ)
		used[name] = true
	}
	for _, name := range SchemaNames() {
		if !used[name] {
			t.Errorf("schemas/%s.json describes no built-in type", name)
		}
	}
	if _, err := compiledSchemas(); err != nil {
		t.Fatalf("embedded schemas do not compile: %v", err)
	}
}

func TestSchemaName(t *testing.T) {
	tests := []struct {
		typ    Type
		want   string
		wantOK bool
	}{
		{PaymentCompleted, "payment.completed", true},
		{GitPush, "git.push", true},
		{"pull_request.opened", "pull_request", true},
		{"pull_request.review_requested", "pull_request", true},
		{"issue.closed", "issue", true},
		{"pull_request.", "pull_request", false},
		{"pull_request.Opened", "pull_request", false},
		{"pull_request.opened.x", "pull_request", false},
		{"issue.", "issue", false},
		{"", "", false},
		{"../events", "", false},
		{"payment/completed", "", false},
		{"payment..completed", "", false},
		{"PAYMENT.COMPLETED", "", false},
	}
	for _, tt := range tests {
		got, ok := SchemaName(tt.typ)
		if ok != tt.wantOK || (ok && got != tt.want) {
			t.Errorf("SchemaName(%q) = %q, %v; want %q, %v", tt.typ, got, ok, tt.want, tt.wantOK)
		}
	}
	for _, typ := range []Type{"pull_request", "issue", "unknown.type", "../schemas/git.push"} {
		if _, ok := Schema(typ); ok {
			t.Errorf("Schema(%q) found a schema; want none", typ)
		}
	}
}

func mustEvent(t *testing.T, typ Type, data any) Event {
	t.Helper()
	ev, err := NewEvent(typ, "subject", time.Time{}, data)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestValidate(t *testing.T) {
	yes := true
	goodPayment := Payment{Provider: "stripe", PaymentID: "pi_1", Amount: Money{1099, "USD"}, Status: "succeeded", Live: &yes}
	failed := goodPayment
	failed.Status, failed.FailureCode, failed.FailureReason = "requires_payment_method", "card_declined", "Your card was declined."
	noCurrency := goodPayment
	noCurrency.Amount.Currency = "usd"
	sha := strings.Repeat("a", 40)
	push := Push{Provider: "github", Repository: Repository{FullName: "octo/hello"}, Ref: "refs/heads/main",
		Before: sha, After: sha, Commits: []Commit{{ID: sha, Message: "m", Timestamp: time.Unix(0, 0).UTC()}}}
	nilCommits := push
	nilCommits.Commits = nil
	badRepo := push
	badRepo.Repository.FullName = "hello"

	tests := []struct {
		name    string
		ev      Event
		wantErr error
	}{
		{"payment completed", mustEvent(t, PaymentCompleted, goodPayment), nil},
		{"payment failed", mustEvent(t, PaymentFailed, failed), nil},
		{"failure fields on completed", mustEvent(t, PaymentCompleted, failed), ErrSchemaViolation},
		{"lower-case currency", mustEvent(t, PaymentCompleted, noCurrency), ErrSchemaViolation},
		{"amount as float", Event{Type: PaymentCompleted, Data: json.RawMessage(
			`{"provider":"stripe","payment_id":"pi_1","amount":{"amount":10.99,"currency":"USD"},"status":"ok"}`)}, ErrSchemaViolation},
		{"missing payment id", Event{Type: PaymentCompleted, Data: json.RawMessage(
			`{"provider":"stripe","amount":{"amount":1,"currency":"USD"},"status":"ok"}`)}, ErrSchemaViolation},
		{"unknown field", Event{Type: PaymentCompleted, Data: json.RawMessage(
			`{"provider":"stripe","payment_id":"p","amount":{"amount":1,"currency":"USD"},"status":"ok","extra":1}`)}, ErrSchemaViolation},
		{"bad date-time", Event{Type: SubscriptionCreated, Data: json.RawMessage(
			`{"provider":"paypal","subscription_id":"I-1","status":"ACTIVE","items":[{"plan_id":"P-1","quantity":1}],"start_time":"yesterday"}`)}, ErrSchemaViolation},
		{"push", mustEvent(t, GitPush, push), nil},
		{"push with null commits", mustEvent(t, GitPush, nilCommits), ErrSchemaViolation},
		{"push repo without owner", mustEvent(t, GitPush, badRepo), ErrSchemaViolation},
		{"pull request family", mustEvent(t, PullRequest("closed"), PullRequestData{Provider: "github", Action: "closed",
			Repository: Repository{FullName: "o/r"}, Number: 1, State: "closed", HeadRef: "f", HeadSHA: sha, BaseRef: "main"}), nil},
		{"not JSON", Event{Type: GitPush, Data: json.RawMessage(`{`)}, ErrSchemaViolation},
		{"no schema", Event{Type: "refund.created", Data: json.RawMessage(`{}`)}, ErrNoSchema},
		{"bad family action", Event{Type: "issue.Re-Opened", Data: json.RawMessage(`{}`)}, ErrNoSchema},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.ev)
			if tt.wantErr == nil && err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("Validate error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// TestSchemasMatchStructs keeps the Go payload structs and the schemas in step:
// every json field of a struct is a schema property and vice versa, recursively
// through $defs. A field added on one side only fails here, even before any
// handler fills it.
func TestSchemasMatchStructs(t *testing.T) {
	failureFields := []string{"failure_code", "failure_reason"}
	tests := []struct {
		schema string
		v      any
		skip   []string // struct fields the schema deliberately forbids
	}{
		{"payment.completed", Payment{}, failureFields},
		{"payment.failed", Payment{}, nil},
		{"subscription.created", Subscription{}, nil},
		{"invoice.paid", Invoice{}, nil},
		{"git.push", Push{}, nil},
		{"pull_request", PullRequestData{}, nil},
		{"issue", IssueData{}, nil},
		{"order.created", Order{}, nil},
		{"order.paid", Order{}, nil},
		{"customer.created", Customer{}, nil},
		{"sms.status_update", SMSStatus{}, nil},
		{"call.status_update", CallStatus{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.schema, func(t *testing.T) {
			b, err := schemaFiles.ReadFile("schemas/" + tt.schema + ".json")
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			defs, _ := doc["$defs"].(map[string]any)
			compareStruct(t, tt.schema, reflect.TypeOf(tt.v), doc, defs, tt.skip)
		})
	}
}

func compareStruct(t *testing.T, where string, typ reflect.Type, sch map[string]any, defs map[string]any, skip []string) {
	t.Helper()
	props, _ := sch["properties"].(map[string]any)
	if props == nil {
		t.Errorf("%s: schema has no properties", where)
		return
	}
	if sch["additionalProperties"] != false {
		t.Errorf("%s: schema must set additionalProperties: false", where)
	}
	seen := map[string]bool{}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || slices.Contains(skip, name) {
			continue
		}
		seen[name] = true
		p, ok := props[name].(map[string]any)
		if !ok {
			t.Errorf("%s: struct field %q (%s) missing from schema", where, name, f.Name)
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
			if items, ok := p["items"].(map[string]any); ok {
				p = items
			}
		}
		ref, _ := p["$ref"].(string)
		if ft.Kind() == reflect.Struct && ft != reflect.TypeOf(time.Time{}) {
			def, ok := defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
			if !ok {
				t.Errorf("%s.%s: struct-valued field needs a $ref to $defs, got %v", where, name, p)
				continue
			}
			compareStruct(t, where+"."+name, ft, def, defs, nil)
		}
	}
	for name := range props {
		if !seen[name] {
			t.Errorf("%s: schema property %q has no struct field", where, name)
		}
	}
}
