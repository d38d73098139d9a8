package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Bounds on what one record keeps. A guest controls most of an entry (its arguments, and the
// reason a policy builds from them), so without bounds every denied call could write as much as
// the guest may send; with them a record holds at most about 9 KiB of text. docs/POLICY.md
// lists them.
const (
	maxIdentity    = 256  // agent, version, digest, publisher, tenant, call: each
	maxReason      = 2048 // the decision's reason
	maxArgString   = 1024 // each string (and object key) inside the arguments
	maxArgsJSON    = 4096 // the arguments as stored JSON
	maxObligations = 1024 // the obligations as stored JSON
)

// truncatedArgsKey holds the truncated JSON text of arguments too large to keep whole, so the
// stored column stays a JSON object.
const truncatedArgsKey = "…truncated"

// Truncate returns s when it fits in limit bytes. Otherwise it returns a prefix of s, cut at a
// character boundary, followed by a marker saying how long s was and the first 64 bits of its
// SHA-256, e.g. "aaaa…[truncated 1048576 bytes sha256:3b5d3c7d207e37dc]", so that an operator
// can still tell long values apart and match them against other logs. The result never
// exceeds limit bytes unless limit is shorter than the marker itself.
func Truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	marker := "…[truncated " + strconv.Itoa(len(s)) + " bytes sha256:" + hex.EncodeToString(sum[:8]) + "]"
	keep := max(limit-len(marker), 0)
	for keep > 0 && !utf8.RuneStart(s[keep]) {
		keep--
	}
	return s[:keep] + marker
}

// boundArgs truncates every string and key inside v, a copy made by redact (so changing it in
// place is safe), and returns the result.
func boundArgs(v any) any {
	switch v := v.(type) {
	case string:
		return Truncate(v, maxArgString)
	case map[string]any:
		for k, e := range v {
			b := boundArgs(e)
			if tk := Truncate(k, maxArgString); tk != k {
				delete(v, k)
				k = tk
			}
			v[k] = b
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = boundArgs(e)
		}
		return v
	default:
		return v
	}
}

// boundJSON returns the JSON object text obj when it fits in limit bytes, and otherwise an
// object holding its truncated text under truncatedArgsKey: valid JSON of at most limit bytes.
func boundJSON(obj string, limit int) (string, error) {
	if len(obj) <= limit {
		return obj, nil
	}
	// Escaping can lengthen the kept text (a quote becomes \"), so shorten it until it fits.
	keep := limit - len(truncatedArgsKey) - 8
	for {
		b, err := json.Marshal(map[string]string{truncatedArgsKey: Truncate(obj, keep)})
		if err != nil {
			return "", err
		}
		if len(b) <= limit || keep <= 0 {
			return string(b), nil
		}
		keep -= len(b) - limit
	}
}
