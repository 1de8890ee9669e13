package events

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaFiles holds one JSON Schema (draft 2020-12) per normalized type, named
// <type>.json, except the families below, which share one file each.
//
//go:embed schemas/*.json
var schemaFiles embed.FS

// Schema errors.
var (
	// ErrNoSchema: the type has no JSON Schema, so its events cannot be published
	// with a documented contract.
	ErrNoSchema = errors.New("no schema for event type")
	// ErrSchemaViolation: an event's Data does not match its type's schema.
	ErrSchemaViolation = errors.New("event data violates its schema")
)

// familyPrefixes are the type families whose members share one schema: every
// "pull_request.<action>" uses pull_request.json, every "issue.<action>" issue.json.
var familyPrefixes = []string{"pull_request", "issue"}

// SchemaName returns the base name (without ".json") of the schema file that
// describes t, and false when t is not a well-formed type name. For the
// pull_request.<action> and issue.<action> families it returns the family name;
// the action must be lower-case letters and underscores, since it becomes part of
// a routing key.
func SchemaName(t Type) (string, bool) {
	s := string(t)
	for _, fam := range familyPrefixes {
		if action, ok := strings.CutPrefix(s, fam+"."); ok {
			return fam, validAction(action)
		}
		if s == fam {
			// A bare family name is not a type: the action is part of it.
			return "", false
		}
	}
	if s == "" || !validTypeName(s) {
		return "", false
	}
	return s, true
}

func validAction(a string) bool {
	if a == "" {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if !('a' <= c && c <= 'z') && c != '_' {
			return false
		}
	}
	return true
}

// validTypeName keeps lookups inside schemas/: dotted lower-case words, no path
// separators or "..".
func validTypeName(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if !validAction(part) {
			return false
		}
	}
	return true
}

// Schema returns the JSON Schema document for t (a copy the caller may keep), or
// false when no schema describes t.
func Schema(t Type) ([]byte, bool) {
	name, ok := SchemaName(t)
	if !ok {
		return nil, false
	}
	b, err := schemaFiles.ReadFile(path.Join("schemas", name+".json"))
	if err != nil {
		return nil, false
	}
	return b, true
}

// SchemaNames lists the base names of all embedded schemas, sorted.
func SchemaNames() []string {
	entries, err := schemaFiles.ReadDir("schemas")
	if err != nil {
		// The directory is embedded at build time; it cannot be missing.
		panic(fmt.Sprintf("events: embedded schemas: %v", err))
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(names)
	return names
}

var (
	compileOnce sync.Once
	compiled    map[string]*jsonschema.Schema
	compileErr  error
)

// compiledSchemas compiles every embedded schema once, with format assertions on
// (draft 2020-12 treats "format" as an annotation unless asked).
func compiledSchemas() (map[string]*jsonschema.Schema, error) {
	compileOnce.Do(func() {
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		// Register every document under its file name before compiling, so a $ref
		// can never reach for the network or the file system.
		ids := map[string]string{}
		for _, name := range SchemaNames() {
			b, _ := schemaFiles.ReadFile(path.Join("schemas", name+".json"))
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				compileErr = fmt.Errorf("schema %s: %w", name, err)
				return
			}
			id := "mem:///" + name + ".json"
			if m, ok := doc.(map[string]any); ok {
				if s, ok := m["$id"].(string); ok {
					id = s
				}
			}
			if err := c.AddResource(id, doc); err != nil {
				compileErr = fmt.Errorf("schema %s: %w", name, err)
				return
			}
			ids[name] = id
		}
		out := make(map[string]*jsonschema.Schema, len(ids))
		for name, id := range ids {
			sch, err := c.Compile(id)
			if err != nil {
				compileErr = fmt.Errorf("schema %s: %w", name, err)
				return
			}
			out[name] = sch
		}
		compiled = out
	})
	return compiled, compileErr
}

// Validate checks that ev.Data matches the JSON Schema of ev.Type. It wraps
// ErrNoSchema when the type has none and ErrSchemaViolation (with the validator's
// description of what differs) when the data does not match. That description
// can quote the offending value, which may be personal data (an e-mail address):
// log it where payload data may be logged. It is safe for concurrent use.
func Validate(ev Event) error {
	schemas, err := compiledSchemas()
	if err != nil {
		return fmt.Errorf("compile event schemas: %w", err)
	}
	name, ok := SchemaName(ev.Type)
	if !ok {
		return fmt.Errorf("validate %q: %w", ev.Type, ErrNoSchema)
	}
	sch, ok := schemas[name]
	if !ok {
		return fmt.Errorf("validate %q: %w", ev.Type, ErrNoSchema)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(ev.Data))
	if err != nil {
		return fmt.Errorf("validate %q: data is not JSON: %w", ev.Type, errors.Join(ErrSchemaViolation, err))
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("validate %q: %w", ev.Type, errors.Join(ErrSchemaViolation, err))
	}
	return nil
}
