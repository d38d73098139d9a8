package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestTruncateKeepsShortAndMarksLong(t *testing.T) {
	if got := Truncate("gpt-4o", 16); got != "gpt-4o" {
		t.Errorf("short value changed: %q", got)
	}
	long := strings.Repeat("é", 1<<19) // 1 MiB of two-byte characters
	sum := sha256.Sum256([]byte(long))
	got := Truncate(long, 1024)
	if len(got) > 1024 {
		t.Errorf("truncated to %d bytes, want at most 1024", len(got))
	}
	if !utf8.ValidString(got) {
		t.Errorf("truncation split a character: %q", got[len(got)-80:])
	}
	want := "…[truncated 1048576 bytes sha256:" + hex.EncodeToString(sum[:8]) + "]"
	if !strings.HasSuffix(got, want) || !strings.HasPrefix(got, "éé") {
		t.Errorf("truncated value %q does not keep a prefix and end in %q", got[len(got)-80:], want)
	}
}

// TestBoundJSONStaysValid truncates argument JSON full of characters that escaping lengthens.
func TestBoundJSONStaysValid(t *testing.T) {
	b, _ := json.Marshal(map[string]string{"q": strings.Repeat(`"<>`, 5000)})
	got, err := boundJSON(string(b), maxArgsJSON)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(got), &m); err != nil {
		t.Fatalf("bounded JSON does not parse: %v", err)
	}
	if len(got) > maxArgsJSON || !strings.Contains(m[truncatedArgsKey], "…[truncated") {
		t.Errorf("bounded JSON is %d bytes (limit %d) or lacks the marker: %.200s", len(got), maxArgsJSON, got)
	}
}

// TestHugeDeniedCallsStayBounded is issue #8's disk-filling case: fifty denied calls naming a
// 1 MB model used to grow audit.db by about 96 MB. Each entry now keeps a marked, hashed prefix.
func TestHugeDeniedCallsStayBounded(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.db")
	l := openLog(t, path)
	model := strings.Repeat("m", 1<<20)
	for range 50 {
		e := Entry{Time: time.Now(), Agent: strings.Repeat("a", 1<<20), Tenant: "acme", Call: "llm_generate",
			Args:   map[string]any{"model": model, strings.Repeat("k", 1<<20): "v"},
			Reason: `model "` + model + `" is not granted`}
		if err := l.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := l.Query(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 50 {
		t.Fatalf("%d entries stored, want 50", len(got))
	}
	sum := sha256.Sum256([]byte(model))
	marker := "…[truncated 1048576 bytes sha256:" + hex.EncodeToString(sum[:8]) + "]"
	e := got[0]
	if m, _ := e.Args["model"].(string); len(m) > maxArgString || !strings.HasSuffix(m, marker) {
		t.Errorf("stored model is %d bytes ending %q, want at most %d ending in %q", len(m), tail(m), maxArgString, marker)
	}
	if len(e.Reason) > maxReason || !strings.Contains(e.Reason, "…[truncated") {
		t.Errorf("stored reason is %d bytes, want at most %d with a marker", len(e.Reason), maxReason)
	}
	if len(e.Agent) > maxIdentity {
		t.Errorf("stored agent is %d bytes, want at most %d", len(e.Agent), maxIdentity)
	}
	var total int64
	for _, name := range []string{"audit.db", "audit.db-wal"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil {
			total += fi.Size()
		}
	}
	if total > 2<<20 {
		t.Errorf("audit store is %d bytes after 50 entries, want under 2 MiB", total)
	}
}

func tail(s string) string { return s[max(len(s)-80, 0):] }
