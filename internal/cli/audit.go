package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/policy/audit"
)

// AuditOptions are `aios audit`'s flags and dependencies.
type AuditOptions struct {
	IO         *IOStreams
	ConfigPath string
	Agent      string
	Denied     bool
	Since      string
	Limit      int
	JSON       bool
	now        func() time.Time
}

// NewCmdAudit builds `aios audit`. runF replaces the command's work in tests; nil runs it.
func NewCmdAudit(io *IOStreams, runF func(context.Context, *AuditOptions) error) *cobra.Command {
	opts := &AuditOptions{IO: io, now: time.Now}
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Show the policy decisions recorded in the audit log",
		Long: `Show the policy decisions recorded in the audit log of the data directory, oldest
first: time, agent, call, allow or deny, reason, obligations and evaluation time.
Secret argument values were redacted before they were stored.`,
		Example: `  aios audit --denied
  aios audit --agent writer --since 1h
  aios audit --since 2026-01-02 --json | jq .reason`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runAudit(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.ConfigPath, "config", "c", "", "configuration file (it names the data directory)")
	f.StringVar(&opts.Agent, "agent", "", "only this agent's decisions")
	f.BoolVar(&opts.Denied, "denied", false, "only denials")
	f.StringVar(&opts.Since, "since", "", "only decisions since D: a duration back from now (1h, 30m) or a time (2026-01-02, RFC 3339)")
	f.IntVarP(&opts.Limit, "limit", "n", 0, "at most N decisions, the newest (0, the default: all)")
	f.BoolVar(&opts.JSON, "json", false, "print one JSON object per decision")
	return cmd
}

func runAudit(ctx context.Context, o *AuditOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	since, err := parseSince(o.Since, o.now())
	if err != nil {
		return exitWith(ExitUsage, fmt.Errorf("--since: %w", err))
	}
	if o.Limit < 0 {
		return exitWith(ExitUsage, fmt.Errorf("--limit must not be negative, not %d (0 shows every decision)", o.Limit))
	}
	cfg, err := loadConfigFrom(o.ConfigPath)
	if err != nil {
		return err
	}
	path := filepath.Join(cfg.DataDir, aios.AuditFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(o.IO.ErrOut, "aios: no audit log at %s yet (no decision has been recorded)\n", path)
		return nil
	}
	log, err := audit.Open(ctx, path)
	if err != nil {
		return exitWith(ExitKernel, err)
	}
	defer log.Close()
	entries, err := log.Query(ctx, audit.Filter{Agent: o.Agent, Denied: o.Denied, Since: since, Limit: o.Limit})
	if err != nil {
		return exitWith(ExitKernel, err)
	}
	if o.JSON {
		enc := json.NewEncoder(o.IO.Out)
		for _, e := range entries {
			if err := enc.Encode(e); err != nil {
				return fmt.Errorf("write: %w", err)
			}
		}
		return nil
	}
	for _, e := range entries {
		fmt.Fprintln(o.IO.Out, auditLine(e))
	}
	return nil
}

// auditLine formats an entry for people: time, agent, call, verdict, reason, then obligations
// and evaluation time.
func auditLine(e audit.Entry) string {
	verdict := "deny"
	if e.Allow {
		verdict = "allow"
	}
	var b strings.Builder
	// The agent's name and the reason (which may quote the agent's arguments) are the agent's
	// text: escape their control characters before they reach a terminal.
	fmt.Fprintf(&b, "%s  %s  %s  %s  %s", e.Time.Format(time.RFC3339), safeText(e.Agent), safeText(e.Call), verdict, safeText(e.Reason))
	o := e.Obligations
	var obl []string
	if o.MaxTokens > 0 {
		obl = append(obl, fmt.Sprintf("max_tokens=%d", o.MaxTokens))
	}
	if o.CoreClass != "" {
		obl = append(obl, "core_class="+o.CoreClass)
	}
	if o.Confirm {
		obl = append(obl, "confirm")
	}
	if len(o.Redact) > 0 {
		obl = append(obl, "redact="+strings.Join(o.Redact, ","))
	}
	if len(obl) > 0 {
		fmt.Fprintf(&b, "  [%s]", strings.Join(obl, " "))
	}
	fmt.Fprintf(&b, "  (%s)", roundDuration(e.Eval))
	return b.String()
}

// parseSince reads --since: empty (no bound), a duration back from now, a date or an RFC 3339
// time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither a duration (1h, 30m) nor a time (2026-01-02, 2026-01-02T15:04:05Z)", s)
}
