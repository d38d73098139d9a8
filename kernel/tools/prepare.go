package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Call is a validated call of one tool, ready for the kernel's policy decision and for Run.
type Call struct {
	// Info is the tool called.
	Info Info
	// Args are the arguments: a JSON object its schema accepts.
	Args json.RawMessage
	// Host is, for a tool that fetches a URL (http_fetch), the host of that URL as written,
	// for the policy's args.host; empty for other tools.
	Host string
	// Confirm says the call needs an operator's confirmation before it runs: the tool is
	// destructive and its policy does not trust it, or its policy confirms every call.
	Confirm bool

	entry *entry
}

// refreshTimeout bounds how long Prepare waits for failed sources it asks again.
const refreshTimeout = 10 * time.Second

// Prepare validates a call of tool name with args, as a model wrote them: a JSON object, or a
// JSON string holding one (models return arguments as a string); empty args are {}.
//
// An unknown name is ErrUnknownTool; a tool that cannot be used is ErrUnavailable; arguments
// larger than MaxArgsBytes, not an object, or not accepted by the tool's schema are
// ErrInvalidArgs, with the validator's message.
func (m *Manager) Prepare(name string, args json.RawMessage) (Call, error) {
	e, err := m.lookup(name)
	if err != nil {
		return Call{}, err
	}
	obj, norm, err := normalizeArgs(args)
	if err != nil {
		return Call{}, fmt.Errorf("tool %q: %w: %s", name, ErrInvalidArgs, err)
	}
	if err := e.schema.Validate(obj); err != nil {
		return Call{}, fmt.Errorf("tool %q: %w: %s", name, ErrInvalidArgs, violation(err))
	}
	c := Call{Info: e.info, Args: norm, entry: e}
	c.Confirm = e.policy.Confirm || e.info.Destructive && !e.policy.TrustDestructive
	if e.info.Kind == KindHTTPFetch {
		raw, _ := obj.(map[string]any)["url"].(string)
		u, err := url.Parse(raw)
		if err != nil {
			return Call{}, fmt.Errorf("tool %q: %w: url: %s", name, ErrInvalidArgs, bound(err.Error()))
		}
		c.Host = u.Hostname()
	}
	return c, nil
}

func (m *Manager) lookup(name string) (*entry, error) {
	for try := 0; ; try++ {
		m.mu.RLock()
		e, ok := m.tools[name]
		broken := m.broken[name]
		m.mu.RUnlock()
		switch {
		case ok:
			return e, nil
		case broken != nil:
			return nil, fmt.Errorf("%w: %w", ErrUnavailable, broken)
		case try > 0:
			return nil, fmt.Errorf("%w: %q", ErrUnknownTool, bound(name))
		}
		ctx, cancel := context.WithTimeout(context.Background(), refreshTimeout)
		m.refresh(ctx)
		cancel()
	}
}

// normalizeArgs decodes args into the value the schema validates and the JSON the tool gets.
func normalizeArgs(args json.RawMessage) (any, json.RawMessage, error) {
	if len(args) > MaxArgsBytes {
		return nil, nil, fmt.Errorf("%d bytes of arguments; at most %d", len(args), MaxArgsBytes)
	}
	args = bytes.TrimSpace(args)
	if len(args) > 0 && args[0] == '"' {
		var s string
		if err := json.Unmarshal(args, &s); err != nil {
			return nil, nil, fmt.Errorf("arguments are not JSON: %s", bound(err.Error()))
		}
		args = bytes.TrimSpace([]byte(s))
	}
	if len(args) == 0 {
		args = []byte("{}")
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(args))
	if err != nil {
		return nil, nil, fmt.Errorf("arguments are not JSON: %s", bound(err.Error()))
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, nil, fmt.Errorf("arguments are %s, not a JSON object", jsonKind(v))
	}
	// The tool gets what was validated: one value per key, numbers as written.
	var norm bytes.Buffer
	enc := json.NewEncoder(&norm)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, nil, fmt.Errorf("arguments: %s", bound(err.Error()))
	}
	return v, bytes.TrimSuffix(norm.Bytes(), []byte("\n")), nil
}

// violation gives the validator's message on one line, without the schema's internal name.
func violation(err error) string {
	lines := strings.Split(err.Error(), "\n")
	if len(lines) > 1 && strings.HasPrefix(lines[0], "jsonschema validation failed") {
		lines = lines[1:]
	}
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(strings.TrimSpace(l), "- ")
	}
	return bound(strings.Join(lines, "; "))
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return "not an object"
}
