package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios/limits"
	"github.com/aiosys/aios/packager/bundle"
	"github.com/aiosys/aios/runtime"
)

// InspectOptions are `aios inspect`'s flags and dependencies.
type InspectOptions struct {
	IO   *IOStreams
	File string
	JSON bool
}

// NewCmdInspect builds `aios inspect`.
func NewCmdInspect(io *IOStreams, runF func(context.Context, *InspectOptions) error) *cobra.Command {
	opts := &InspectOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "inspect FILE.wasm",
		Short: "Show a module's imports, exports, sections and whether aios would load it",
		Long: `Inspect a WebAssembly module without running any of its code: its imports (and which
of them aios refuses), exports, custom sections, memory limits and digest.

Exits 0 if the module would load, 65 if it would be refused.`,
		Example: `  aios inspect agent.wasm
  aios inspect --json agent.wasm | jq .imports`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runInspect(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the report as JSON")
	return cmd
}

// inspection is what `aios inspect` shows; its JSON form is stable for scripts.
type inspection struct {
	File     string                  `json:"file"`
	Size     int                     `json:"size"`
	Digest   string                  `json:"digest"`
	Imports  []inspectImport         `json:"imports"`
	Exports  []inspectExport         `json:"exports"`
	Sections []runtime.CustomSection `json:"custom_sections"`
	Memory   *runtime.MemoryInfo     `json:"memory,omitempty"`
	// Entry is "_start (command)" or "aios_main (reactor)" for a module that would load.
	Entry   string `json:"entry,omitempty"`
	Loads   bool   `json:"loads"`
	Refusal string `json:"refusal,omitempty"`
	// Bundle is set for a bundle: its manifest and (unverified) signer.
	Bundle *bundle.Report `json:"bundle,omitempty"`
}

type inspectImport struct {
	Module    string `json:"module"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Signature string `json:"signature,omitempty"`
	Allowed   bool   `json:"allowed"`
	// Count is how many times the module imports this same function: Go's runtime and its
	// syscall package each import wasi_snapshot_preview1.fd_write, so a Go module has two.
	Count int `json:"count"`
}

type inspectExport struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Signature string `json:"signature,omitempty"`
}

func runInspect(o *InspectOptions) error {
	wasm, err := os.ReadFile(o.File)
	if err != nil {
		return exitWith(ExitNoInput, err)
	}
	rep, err := runtime.Inspect(wasm)
	if err != nil {
		return exitWith(ExitRefused, fmt.Errorf("%s: %w", o.File, err))
	}
	sum := sha256.Sum256(wasm)
	in := inspection{
		File: o.File, Size: len(wasm), Digest: "sha256:" + hex.EncodeToString(sum[:]),
		Sections: rep.Customs, Memory: rep.Memory, Loads: true,
		Imports: []inspectImport{}, Exports: []inspectExport{},
	}
	if b, err := bundle.Open(wasm); err == nil {
		rep, err := b.Inspect()
		if err != nil {
			return exitWith(ExitRefused, fmt.Errorf("%s: %w", o.File, err))
		}
		rep.Imports = nil // listed below, with aios's verdict on each
		in.Bundle = &rep
	} else if !errors.Is(err, bundle.ErrNoManifest) {
		return exitWith(ExitRefused, fmt.Errorf("%s: %w", o.File, err))
	}
	bad := map[string]bool{}
	if err := runtime.Check(rep); err != nil {
		var refused *runtime.RefusedError
		if !errors.As(err, &refused) {
			return exitWith(ExitKernel, err)
		}
		in.Loads, in.Refusal = false, err.Error()
		for _, p := range refused.Imports {
			bad[p.Import.Module+"."+p.Import.Name] = true
		}
	} else if err := runtime.CheckStructure(wasm, rep); err != nil {
		// Past a structural limit (docs/ABI.md section 1.1), or code that cannot be decoded.
		in.Loads, in.Refusal = false, err.Error()
	}
	if in.Loads {
		in.Entry = "_start (command)"
		if runtime.IsReactor(rep) {
			in.Entry = "aios_main (reactor)"
		}
	}
	// An import the module repeats (same name, kind and signature) is listed once, counted.
	seen := map[inspectImport]int{}
	for _, im := range rep.Imports {
		ii := inspectImport{Module: im.Module, Name: im.Name, Kind: im.Kind.String(), Allowed: !bad[im.Module+"."+im.Name]}
		if im.Func != nil {
			ii.Signature = im.Func.String()
		}
		if i, ok := seen[ii]; ok {
			in.Imports[i].Count++
			continue
		}
		seen[ii] = len(in.Imports)
		ii.Count = 1
		in.Imports = append(in.Imports, ii)
	}
	for _, ex := range rep.Exports {
		ie := inspectExport{Name: ex.Name, Kind: ex.Kind.String()}
		if ex.Func != nil {
			ie.Signature = ex.Func.String()
		}
		in.Exports = append(in.Exports, ie)
	}
	if o.JSON {
		enc := json.NewEncoder(o.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(in); err != nil {
			return err
		}
	} else {
		printInspection(o.IO, in)
	}
	if !in.Loads {
		return exitWith(ExitRefused, nil)
	}
	return nil
}

func printInspection(io *IOStreams, in inspection) {
	w := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
	defer w.Flush()
	// Every name below comes from the module or its manifest, which anyone may have written:
	// safeText keeps its control characters off the terminal.
	fmt.Fprintf(w, "file:\t%s (%d bytes)\n", safeText(in.File), in.Size)
	fmt.Fprintf(w, "digest:\t%s\n", in.Digest)
	if b := in.Bundle; b != nil {
		printBundle(w, b)
	}
	if m := in.Memory; m != nil {
		max := "none"
		if m.HasMax {
			max = fmt.Sprintf("%d pages (%s)", m.MaxPages, pagesSize(m.MaxPages))
		}
		fmt.Fprintf(w, "memory:\tmin %d pages (%s), max %s, exported %v\n", m.MinPages, pagesSize(m.MinPages), max, m.Exported)
	} else {
		fmt.Fprintln(w, "memory:\tnone")
	}
	fmt.Fprintf(w, "imports:\t%d\n", len(in.Imports))
	for _, im := range in.Imports {
		verdict := "ok"
		if !im.Allowed {
			verdict = "REFUSED"
		}
		if im.Count > 1 {
			verdict += fmt.Sprintf(" (imported %d times)", im.Count)
		}
		fmt.Fprintf(w, "  %s.%s\t%s %s\t%s\n", safeText(im.Module), safeText(im.Name), im.Kind, im.Signature, verdict)
	}
	fmt.Fprintf(w, "exports:\t%d\n", len(in.Exports))
	for _, ex := range in.Exports {
		fmt.Fprintf(w, "  %s\t%s %s\n", safeText(ex.Name), ex.Kind, ex.Signature)
	}
	if in.Entry != "" {
		fmt.Fprintf(w, "entry:\t%s\n", in.Entry)
	}
	fmt.Fprintf(w, "custom sections:\t%d\n", len(in.Sections))
	for _, s := range in.Sections {
		fmt.Fprintf(w, "  %s\t%d bytes\n", safeText(s.Name), s.Size)
	}
	if in.Loads {
		fmt.Fprintln(w, "verdict:\taios would load this module")
	} else {
		fmt.Fprintf(w, "verdict:\t%s\n", safeText(in.Refusal))
	}
}

func pagesSize(pages uint64) string {
	b := pages * 65536
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	default:
		return fmt.Sprintf("%d KiB", b>>10)
	}
}

// printBundle shows what a bundle's manifest asks for and who signed it. The signature is not
// checked against any trust setting here; `aios verify` does that.
func printBundle(w io.Writer, b *bundle.Report) {
	m := b.Manifest
	fmt.Fprintf(w, "bundle:\t%s %s\n", safeText(m.Name), safeText(m.Version))
	if m.Description != "" {
		fmt.Fprintf(w, "description:\t%s\n", safeText(m.Description))
	}
	if len(m.Authors) > 0 {
		fmt.Fprintf(w, "authors:\t%s\n", safeText(strings.Join(m.Authors, ", ")))
	}
	if m.License != "" {
		fmt.Fprintf(w, "license:\t%s\n", safeText(m.License))
	}
	signer := "(unsigned)"
	if b.Signer != "" {
		signer = b.Signer + " (not verified here: use aios verify)"
	}
	fmt.Fprintf(w, "signer:\t%s\n", signer)
	c := m.Capabilities
	for _, l := range []struct {
		name string
		vs   []string
	}{{"models", c.Models}, {"classes", c.Classes}, {"tools", c.Tools}, {"memory spaces", c.Memory}} {
		if len(l.vs) > 0 {
			fmt.Fprintf(w, "asks for %s:\t%s\n", l.name, safeText(strings.Join(l.vs, ", ")))
		}
	}
	if lim, err := m.Limits.Resolve(); err == nil && lim != (limits.Limits{}) {
		fmt.Fprintf(w, "asks for limits:\t%s\n", safeText(describeLimits(m.Limits)))
	}
	if p := m.Preinit; p != nil {
		printPreinit(w, p)
	}
}

// printPreinit says that a bundle is pre-initialised and what that fixed (docs/RATIONALE.md).
func printPreinit(w io.Writer, p *bundle.Preinit) {
	fmt.Fprintf(w, "pre-initialised:\tfrom %s (runs start at aios_main)\n", safeText(p.From))
	if len(p.Fixed) == 0 {
		return
	}
	fmt.Fprintf(w, "fixed at pack time:\t%s\n", safeText(strings.Join(p.Fixed, ", ")))
	if slices.Contains(p.Fixed, "wasi_snapshot_preview1.random_get") {
		fmt.Fprintln(w, "\tevery run shares the random state of initialisation (Go's map hash seeds,")
		fmt.Fprintln(w, "\tmath/rand's generator); crypto/rand still asks the host")
	}
}

func describeLimits(l bundle.Limits) string {
	var parts []string
	for _, f := range []struct{ name, v string }{
		{"memory", l.Memory}, {"cpu_time", l.CPUTime}, {"wall_time", l.WallTime}, {"stack", l.Stack},
		{"log", l.Log}, {"output", l.Output}, {"request", l.Request}, {"response", l.Response},
	} {
		if f.v != "" {
			parts = append(parts, f.name+" "+f.v)
		}
	}
	if l.InFlight != 0 {
		parts = append(parts, fmt.Sprintf("in_flight %d", l.InFlight))
	}
	return strings.Join(parts, ", ")
}
