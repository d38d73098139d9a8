package audit

import (
	"strings"
)

// Redacted replaces every secret value.
const Redacted = "[redacted]"

// secretWords mark an argument key as a credential when the key, lower-cased, contains one.
var secretWords = []string{"api_key", "apikey", "api-key", "authorization", "token", "secret", "password", "passwd"}

// isSecretKey reports whether an argument key names a credential.
func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// minSecretLen is the shortest redacted value that is also removed from the reason text;
// shorter values would garble ordinary words.
const minSecretLen = 4

// redact returns a deep copy of args with credential keys and the dotted paths in fields
// replaced by Redacted (a path descends through objects and every element of an array), and the
// string values it replaced. args itself is not changed.
func redact(args map[string]any, fields []string) (map[string]any, []string) {
	r := redactor{}
	out, _ := r.copy(args).(map[string]any)
	for _, f := range fields {
		if f = strings.TrimPrefix(f, "args."); f != "" {
			r.path(out, strings.Split(f, "."))
		}
	}
	return out, r.secrets
}

type redactor struct {
	secrets []string
}

// copy deep-copies v, redacting credential keys on the way.
func (r *redactor) copy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if isSecretKey(k) {
				r.note(e)
				out[k] = Redacted
				continue
			}
			out[k] = r.copy(e)
		}
		return out
	case map[string]string:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if isSecretKey(k) {
				r.note(e)
				out[k] = Redacted
				continue
			}
			out[k] = e
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = r.copy(e)
		}
		return out
	case []string:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = e
		}
		return out
	default:
		return v
	}
}

// path redacts the value at path under v (a copy made by copy).
func (r *redactor) path(v any, path []string) {
	switch v := v.(type) {
	case map[string]any:
		e, ok := v[path[0]]
		if !ok {
			return
		}
		if len(path) == 1 {
			r.note(e)
			v[path[0]] = Redacted
			return
		}
		r.path(e, path[1:])
	case []any:
		for _, e := range v {
			r.path(e, path)
		}
	}
}

// note remembers the string values inside a redacted value.
func (r *redactor) note(v any) {
	switch v := v.(type) {
	case string:
		if len(v) >= minSecretLen {
			r.secrets = append(r.secrets, v)
		}
	case map[string]any:
		for _, e := range v {
			r.note(e)
		}
	case map[string]string:
		for _, e := range v {
			r.note(e)
		}
	case []any:
		for _, e := range v {
			r.note(e)
		}
	case []string:
		for _, e := range v {
			r.note(e)
		}
	}
}

// scrub removes secrets from free text such as a decision's reason.
func scrub(text string, secrets []string) string {
	for _, s := range secrets {
		text = strings.ReplaceAll(text, s, Redacted)
	}
	return text
}
