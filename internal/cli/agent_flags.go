package cli

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel/space"
	"github.com/aiosys/aios/policy"
)

// agentFlags name the agent whose tools, memory or storage an operator command shows: by name
// (--agent, with --publisher and --tenant), by its bundle (--bundle, whose manifest name and
// verified signer make its identity), or, for memory, a shared space (--space).
type agentFlags struct {
	Name      string
	Publisher string
	Tenant    string
	Bundle    string
	Shared    string
	Trust     trustFlags
}

// register adds the identity flags to fs; publisher adds --publisher and shared adds --space.
func (f *agentFlags) register(fs *pflag.FlagSet, publisher, shared bool) {
	fs.StringVar(&f.Name, "agent", "", "the agent's name (its manifest's name, or its module's file name without .wasm)")
	fs.StringVar(&f.Tenant, "tenant", "", "the tenant the agent runs for (default: none)")
	fs.StringVar(&f.Bundle, "bundle", "", "take the agent's name and signer from this bundle FILE or hub reference, verified against trust")
	f.Trust.registerKeys(fs)
	if publisher {
		fs.StringVar(&f.Publisher, "publisher", space.LocalPublisher, `the key ID (sha256:...) that signed the agent's bundle, or "local" for an unsigned module`)
	}
	if shared {
		fs.StringVar(&f.Shared, "space", "", "a shared memory space of the tenant instead of an agent's own")
	}
}

// check refuses contradictory or missing identity flags (a usage error).
func (f *agentFlags) check() error {
	named := 0
	for _, set := range []bool{f.Name != "", f.Bundle != "", f.Shared != ""} {
		if set {
			named++
		}
	}
	switch {
	case named == 0:
		return exitWith(ExitUsage, errors.New("name the agent with --agent NAME or --bundle FILE"))
	case named > 1:
		return exitWith(ExitUsage, errors.New("--agent, --bundle and --space each name whose entries to show: give one"))
	case f.Publisher != "" && f.Publisher != space.LocalPublisher && f.Name == "":
		return exitWith(ExitUsage, errors.New("--publisher goes with --agent (a bundle names its own signer)"))
	case f.Shared != "" && !space.ValidSharedName(f.Shared):
		return exitWith(ExitUsage, fmt.Errorf("--space %s is not a shared space name (1 to %d letters, digits, '.', '_', '-')", quote(f.Shared), space.MaxSharedName))
	case f.Name != "" && !validKeyID(f.Publisher):
		return exitWith(ExitUsage, fmt.Errorf(`--publisher %s: want a key ID sha256:<64 hex digits>, as aios verify prints it, or "local"`, quote(f.Publisher)))
	}
	return nil
}

// validKeyID reports whether pub is LocalPublisher, empty or a key ID as bundle.KeyID writes it.
func validKeyID(pub string) bool {
	if pub == "" || pub == space.LocalPublisher {
		return true
	}
	h, ok := strings.CutPrefix(pub, "sha256:")
	if !ok || len(h) != 64 || strings.ToLower(h) != h {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

// identity is the agent as policy sees it, as `aios run` would give it: a bundle's manifest
// name, version, capabilities and verified signer, or, for --agent, a plain module of that name
// declaring what an unpackaged agent declares (or, with --publisher, a signed one whose manifest
// is unknown: it declares nothing).
func (f *agentFlags) identity(ctx context.Context, io *IOStreams, cfg config.Config) (policy.Agent, error) {
	if f.Bundle != "" {
		trust, cacheDir := f.Trust.config(cfg)
		a, err := loadAgent(ctx, io, f.Bundle, trust, cacheDir)
		if err != nil {
			return policy.Agent{}, withTrustHint(err)
		}
		return a.identity(f.Tenant), nil
	}
	plain := (&loadedAgent{Name: f.Name}).identity(f.Tenant)
	if f.Publisher != "" && f.Publisher != space.LocalPublisher {
		plain.Publisher, plain.Capabilities = f.Publisher, policy.Capabilities{}
	}
	return plain, nil
}

// space is the space whose entries to show, and how to name it to people.
func (f *agentFlags) space(ctx context.Context, io *IOStreams, cfg config.Config) (space.Space, string, error) {
	if f.Shared != "" {
		return space.Shared(f.Tenant, f.Shared), "shared space " + quote(f.Shared), nil
	}
	a, err := f.identity(ctx, io, cfg)
	if err != nil {
		return "", "", err
	}
	return space.Of(space.Identity{Tenant: a.Tenant, Publisher: a.Publisher, Name: a.Name}), "agent " + quote(a.Name), nil
}

// quote quotes an operator's or agent's name for a message, at most 64 bytes of it.
func quote(s string) string {
	const most = 64
	if len(s) > most {
		return fmt.Sprintf("%q… (%d bytes)", s[:most], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// openedFile reports whether path exists; when it does not, it says on stderr that there is
// nothing of what yet, as `aios audit` does for a missing log.
func openedFile(io *IOStreams, path, what string) (bool, error) {
	_, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(io.ErrOut, "aios: no %s yet at %s\n", what, path)
		return false, nil
	}
	if err != nil {
		return false, exitWith(ExitNoInput, err)
	}
	return true, nil
}

// cell makes agent-written text one inert table cell: control characters escaped as safeText
// does, and tabs too, which would shift the columns.
func cell(s string) string { return strings.ReplaceAll(safeText(s), "\t", `\t`) }

// orBackground is ctx, or the background context when cobra ran the command without one.
func orBackground(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}
