package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios/packager/bundle"
	"github.com/aiosys/aios/runtime"
)

// PackOptions are `aios pack`'s flags and dependencies.
type PackOptions struct {
	IO       *IOStreams
	Module   string
	Manifest string
	Output   string
	// Preinit stores the module pre-initialised (runtime/preinit): its _initialize run once,
	// now, so every run starts at aios_main.
	Preinit bool
}

// NewCmdPack builds `aios pack`. runF replaces the command's work in tests; nil runs it for real.
func NewCmdPack(io *IOStreams, runF func(context.Context, *PackOptions) error) *cobra.Command {
	opts := &PackOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "pack AGENT.wasm [--manifest agent.toml] [-o BUNDLE.wasm]",
		Short: "Pack an agent module and its manifest into a bundle",
		Long: `Pack an agent module and its manifest (agent.toml: name, version, description,
capabilities, limits, budgets; see docs/BUNDLE.md) into a bundle: one .wasm file that
still runs anywhere and carries the manifest in a custom section.

Any manifest or signature the module already carries is replaced; the bundle is
unsigned until you run aios sign. The module must be one aios would load: a module
that imports anything but the AIOS system calls is refused (exit 65).

With --preinit the module must be a reactor (it exports _initialize and aios_main, not
_start; in Go: GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared with
//go:wasmexport aios_main). Its _initialize runs now, and the bundle holds the module as
initialisation left it, so runs start at aios_main (docs/ABI.md, section 1.3). The
snapshot is part of what aios sign signs; the manifest records the original module's
digest. Initialisation that makes a system call depending on the run (an LLM, storage,
a tool, input, output) is refused, naming the call.`,
		Example: `  aios pack agent.wasm --manifest agent.toml -o summarizer.wasm
  aios pack target/wasm32-wasip1/release/agent.wasm      # reads ./agent.toml, writes NAME-VERSION.wasm
  aios pack --preinit agent.wasm                          # a Go reactor, initialised ahead of time`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Module = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runPack(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Manifest, "manifest", "m", "agent.toml", "the manifest source (TOML)")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "the bundle to write (default NAME-VERSION.wasm)")
	cmd.Flags().BoolVar(&opts.Preinit, "preinit", false, "run the reactor's _initialize now and store the result (docs/ABI.md 1.3)")
	return cmd
}

func runPack(ctx context.Context, o *PackOptions) error {
	module, err := readModuleFile(o.Module)
	if err != nil {
		return err
	}
	m, err := bundle.LoadManifest(o.Manifest)
	if err != nil {
		if errors.Is(err, bundle.ErrInvalidManifest) {
			return exitWith(ExitRefused, err)
		}
		return exitWith(ExitNoInput, fmt.Errorf("%w (name the manifest with --manifest)", err))
	}
	if err := checkLoadable(o.Module, module); err != nil {
		return err
	}
	var note string
	if o.Preinit {
		if module, m.Preinit, note, err = preinitialise(ctx, o.Module, module); err != nil {
			return err
		}
	}
	raw, err := bundle.Pack(module, m)
	if err != nil {
		return bundleExit(fmt.Errorf("%s: %w", o.Module, err), ExitRefused)
	}
	out := o.Output
	if out == "" {
		out = m.Name + "-" + m.Version + ".wasm"
	}
	if err := bundle.WriteFile(out, raw); err != nil {
		return exitWith(ExitCantCreate, err)
	}
	b, err := bundle.Open(raw)
	if err != nil {
		return exitWith(ExitKernel, fmt.Errorf("reopen the packed bundle: %w", err))
	}
	fmt.Fprintf(o.IO.Out, "packed %s %s into %s (%d bytes, unsigned%s)\ndigest: %s\n", m.Name, m.Version, out, len(raw), note, b.Digest())
	return nil
}

// checkLoadable refuses a module the runtime would refuse, so a bundle never ships one.
func checkLoadable(path string, module []byte) error {
	rep, err := runtime.Inspect(module)
	if err != nil {
		return exitWith(ExitRefused, fmt.Errorf("%s: %w", path, err))
	}
	if err := runtime.Check(rep); err != nil {
		return exitWith(ExitRefused, fmt.Errorf("%s: aios would not load this module: %w", path, err))
	}
	return nil
}
