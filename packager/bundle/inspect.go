package bundle

import (
	"fmt"
	"io"
	"strings"
)

// Report is what `aios inspect` shows about a bundle. It checks nothing against a trust
// policy; Signer is whoever the signature section names.
type Report struct {
	Manifest     Manifest `json:"manifest"`
	Digest       string   `json:"digest"`
	ModuleDigest string   `json:"module_digest"`
	Size         int      `json:"size"`
	// Signer is the signing key's ID, empty when unsigned.
	Signer  string   `json:"signer,omitempty"`
	Imports []Import `json:"imports"`
}

// Inspect describes the bundle.
func (b *Bundle) Inspect() (Report, error) {
	imps, err := b.Imports()
	if err != nil {
		return Report{}, fmt.Errorf("inspect: %w", err)
	}
	r := Report{
		Manifest:     b.Manifest(),
		Digest:       b.Digest(),
		ModuleDigest: b.ModuleDigest(),
		Size:         len(b.raw),
		Imports:      imps,
	}
	if b.signature != nil {
		r.Signer = b.signature.KeyID
	}
	return r, nil
}

// WriteText writes the report for a person to read.
func (r Report) WriteText(w io.Writer) error {
	m := r.Manifest
	var sb strings.Builder
	fmt.Fprintf(&sb, "name:          %s\nversion:       %s\n", m.Name, m.Version)
	optional(&sb, "description", m.Description)
	optional(&sb, "authors", strings.Join(m.Authors, ", "))
	optional(&sb, "license", m.License)
	fmt.Fprintf(&sb, "digest:        %s (%d bytes)\nmodule digest: %s\n", r.Digest, r.Size, r.ModuleDigest)
	if r.Signer == "" {
		sb.WriteString("signer:        (unsigned)\n")
	} else {
		fmt.Fprintf(&sb, "signer:        %s\n", r.Signer)
	}
	sb.WriteString("capabilities:\n")
	c := m.Capabilities
	listLine(&sb, "models", c.Models)
	listLine(&sb, "classes", c.Classes)
	listLine(&sb, "tools", c.Tools)
	listLine(&sb, "memory", c.Memory)
	sb.WriteString("limits:\n")
	l := m.Limits
	for _, f := range append(l.sizes(), l.durations()...) {
		if *f.value != "" {
			fmt.Fprintf(&sb, "  %-10s %s\n", f.name+":", *f.value)
		}
	}
	if l.InFlight != 0 {
		fmt.Fprintf(&sb, "  %-10s %d\n", "in_flight:", l.InFlight)
	}
	if m.Budgets.Tokens != 0 || m.Budgets.USD != "" {
		fmt.Fprintf(&sb, "budgets:\n  tokens:    %d\n  usd:       %s\n", m.Budgets.Tokens, m.Budgets.USD)
	}
	fmt.Fprintf(&sb, "imports (%d):\n", len(r.Imports))
	for _, imp := range r.Imports {
		fmt.Fprintf(&sb, "  %s\n", imp)
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

func optional(sb *strings.Builder, label, value string) {
	if value != "" {
		fmt.Fprintf(sb, "%-14s %s\n", label+":", value)
	}
}

func listLine(sb *strings.Builder, label string, values []string) {
	if len(values) > 0 {
		fmt.Fprintf(sb, "  %-10s %s\n", label+":", strings.Join(values, ", "))
	}
}
