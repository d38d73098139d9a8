package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/policy"
	"github.com/aiosys/aios/policy/audit"
)

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"90m", now.Add(-90 * time.Minute)},
		{"2026-01-02T03:04:05Z", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"2026-01-02", time.Date(2026, 1, 2, 0, 0, 0, 0, time.Local)},
	} {
		got, err := parseSince(c.in, now)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	if _, err := parseSince("yesterday", now); err == nil {
		t.Error("parseSince accepted \"yesterday\"")
	}
}

func TestAuditLine(t *testing.T) {
	e := audit.Entry{Time: time.Unix(0, 0).UTC(), Agent: "w", Call: "llm_generate", Reason: "ok", Allow: true,
		Obligations: policy.Obligations{MaxTokens: 8, CoreClass: "small", Confirm: true, Redact: []string{"a", "b"}},
		Eval:        1500 * time.Microsecond}
	got := auditLine(e)
	want := "1970-01-01T00:00:00Z  w  llm_generate  allow  ok  [max_tokens=8 core_class=small confirm redact=a,b]  (2ms)"
	if got != want {
		t.Errorf("auditLine = %q\nwant        %q", got, want)
	}
	e.Allow, e.Obligations = false, policy.Obligations{}
	if got := auditLine(e); !strings.Contains(got, "  deny  ok  (") {
		t.Errorf("denial line = %q", got)
	}
}
