package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaURL is the name a tool's schema is compiled under; nothing is ever loaded from it.
const schemaURL = "aios:tool-schema.json"

// maxMessage bounds the validator's messages passed on to agents and operators.
const maxMessage = 1 << 10

// noLoader refuses every reference a schema makes outside itself: a schema from an MCP server
// must not make the host read files or fetch URLs (the library's default loader reads files).
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema references %q: tool schemas must be self-contained", url)
}

// CheckSchema reports whether schema is a JSON Schema aios can validate tool arguments with:
// a self-contained schema (no $ref outside itself) describing a JSON object.
func CheckSchema(schema json.RawMessage) error {
	_, err := compileSchema(schema)
	return err
}

func compileSchema(schema json.RawMessage) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return nil, fmt.Errorf("schema is not JSON: %w", err)
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, errors.New("schema is not a JSON object")
	}
	if t, ok := obj["type"]; ok && t != "object" {
		return nil, fmt.Errorf("schema has type %s; a tool's parameters must be an object", bound(fmt.Sprint(t)))
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(noLoader{})
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("schema: %s", bound(err.Error()))
	}
	s, err := c.Compile(schemaURL)
	if err != nil {
		return nil, fmt.Errorf("schema: %s", bound(err.Error()))
	}
	return s, nil
}

// bound cuts s to about maxMessage bytes, at a character boundary.
func bound(s string) string {
	if len(s) <= maxMessage {
		return s
	}
	cut := maxMessage
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// forModels returns a tool's schema as agents hand it to a model: without the top-level
// "$schema" and "$id" keywords, which name the schema rather than constrain arguments, and
// which some OpenAI-compatible servers refuse in a function's parameters (llm-d-inference-sim
// answers 400). The manager validates arguments against the schema as it was given.
func forModels(schema json.RawMessage) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(schema, &m) != nil {
		return schema
	}
	_, hasSchema := m["$schema"]
	_, hasID := m["$id"]
	if !hasSchema && !hasID {
		return schema
	}
	delete(m, "$schema")
	delete(m, "$id")
	b, err := json.Marshal(m)
	if err != nil {
		return schema
	}
	return b
}
