package bundle

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/BurntSushi/toml"
)

// ManifestSchema is the manifest format version this package writes and reads.
const ManifestSchema = 1

// MaxManifestSize bounds the manifest section's payload and a manifest TOML source.
const MaxManifestSize = 64 << 10

// ErrInvalidManifest is returned for a manifest that breaks the rules of docs/BUNDLE.md.
var ErrInvalidManifest = errors.New("invalid manifest")

// Manifest describes an agent: who it is and what it asks for. Its source is a TOML file beside
// the agent's code (see docs/BUNDLE.md); in a bundle it is stored as canonical JSON.
type Manifest struct {
	// Schema is the manifest format version, always ManifestSchema; the TOML source omits it.
	Schema      int      `toml:"-" json:"schema"`
	Name        string   `toml:"name" json:"name"`
	Version     string   `toml:"version" json:"version"`
	Description string   `toml:"description" json:"description,omitempty"`
	Authors     []string `toml:"authors" json:"authors,omitempty"`
	License     string   `toml:"license" json:"license,omitempty"`

	Capabilities Capabilities `toml:"capabilities" json:"capabilities"`
	Limits       Limits       `toml:"limits" json:"limits"`
	Budgets      Budgets      `toml:"budgets" json:"budgets"`

	// Preinit is set by `aios pack --preinit`, never by the TOML source: the module is
	// pre-initialised.
	Preinit *Preinit `toml:"-" json:"preinit,omitempty"`
}

// Capabilities are what the agent asks to use. Policy decides what it gets; each list is a set,
// kept sorted in the canonical form.
type Capabilities struct {
	Models  []string `toml:"models" json:"models,omitempty"`   // model names or aliases
	Classes []string `toml:"classes" json:"classes,omitempty"` // model capability classes
	Tools   []string `toml:"tools" json:"tools,omitempty"`     // tool names
	Memory  []string `toml:"memory" json:"memory,omitempty"`   // memory spaces
	// Calls are other system calls by name, such as "agent_spawn" (ABI 1.3): calls that
	// policy decides by name alone (docs/POLICY.md).
	Calls []string `toml:"calls" json:"calls,omitempty"`
}

// Limits are the agent's requested resource limits, named as in limits.Limits. Sizes are
// strings such as "64MiB", durations such as "30s"; empty means the host's default.
type Limits struct {
	Memory   string `toml:"memory" json:"memory,omitempty"`
	CPUTime  string `toml:"cpu_time" json:"cpu_time,omitempty"`
	WallTime string `toml:"wall_time" json:"wall_time,omitempty"`
	Stack    string `toml:"stack" json:"stack,omitempty"`
	Log      string `toml:"log" json:"log,omitempty"`
	Output   string `toml:"output" json:"output,omitempty"`
	Request  string `toml:"request" json:"request,omitempty"`
	Response string `toml:"response" json:"response,omitempty"`
	InFlight int    `toml:"in_flight" json:"in_flight,omitempty"`
}

// Budgets cap what one run of the agent may spend; zero or empty means no cap of its own.
type Budgets struct {
	// Tokens is the most LLM tokens (input plus output) per run.
	Tokens int64 `toml:"tokens" json:"tokens,omitempty"`
	// USD is the most money per run, a decimal string such as "0.50" (no floats, so the
	// canonical form is exact).
	USD string `toml:"usd" json:"usd,omitempty"`
}

// ParseManifest reads a manifest from its TOML source, validates it and brings it to
// canonical form. Unknown keys are errors, so a typo never silently drops a limit.
func ParseManifest(src []byte) (Manifest, error) {
	if len(src) > MaxManifestSize {
		return Manifest{}, fmt.Errorf("%w: %d bytes, more than %d", ErrInvalidManifest, len(src), MaxManifestSize)
	}
	var m Manifest
	md, err := toml.Decode(string(src), &m)
	if err != nil {
		return Manifest{}, fmt.Errorf("%w: %v", ErrInvalidManifest, err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		keys := make([]string, len(undecoded))
		for i, k := range undecoded {
			keys[i] = k.String()
		}
		return Manifest{}, fmt.Errorf("%w: unknown keys: %s", ErrInvalidManifest, strings.Join(keys, ", "))
	}
	m.Schema = ManifestSchema
	if err := m.normalize(); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

// LoadManifest reads and parses a manifest TOML file.
func LoadManifest(path string) (Manifest, error) {
	src, err := readFileMax(path, MaxManifestSize)
	if err != nil {
		return Manifest{}, fmt.Errorf("load manifest: %w", err)
	}
	m, err := ParseManifest(src)
	if err != nil {
		return Manifest{}, fmt.Errorf("load manifest %s: %w", path, err)
	}
	return m, nil
}

var (
	namePattern    = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$`)
	versionPattern = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$`)
	usdPattern     = regexp.MustCompile(`^[0-9]+(\.[0-9]{1,6})?$`)
)

// Field bounds keep a manifest small enough to show and to feed to policy.
const (
	maxDescription = 1024
	maxText        = 256
	maxListEntries = 256
)

// normalize validates m and rewrites it into its canonical form: capability sets sorted, sizes
// and durations in one spelling, money without redundant zeros.
func (m *Manifest) normalize() error {
	if m.Schema != ManifestSchema {
		return fmt.Errorf("%w: schema %d, want %d", ErrInvalidManifest, m.Schema, ManifestSchema)
	}
	if !namePattern.MatchString(m.Name) {
		return fmt.Errorf("%w: name %q: want 1-64 of a-z, 0-9, '.', '_', '-', starting and ending with a letter or digit", ErrInvalidManifest, m.Name)
	}
	if !versionPattern.MatchString(m.Version) || len(m.Version) > 128 {
		return fmt.Errorf("%w: version %q: want semantic version MAJOR.MINOR.PATCH[-PRERELEASE] (no +build, which OCI tags cannot hold)", ErrInvalidManifest, m.Version)
	}
	if err := checkText("description", m.Description, maxDescription); err != nil {
		return err
	}
	if err := checkText("license", m.License, maxText); err != nil {
		return err
	}
	if err := checkList("authors", m.Authors, false); err != nil {
		return err
	}
	c := &m.Capabilities
	for _, l := range []struct {
		name string
		list *[]string
	}{{"capabilities.models", &c.Models}, {"capabilities.classes", &c.Classes}, {"capabilities.tools", &c.Tools}, {"capabilities.memory", &c.Memory}, {"capabilities.calls", &c.Calls}} {
		if err := checkList(l.name, *l.list, true); err != nil {
			return err
		}
		slices.Sort(*l.list)
	}
	if err := m.Limits.normalize(); err != nil {
		return err
	}
	if m.Preinit != nil {
		if err := m.Preinit.normalize(); err != nil {
			return err
		}
	}
	return m.Budgets.normalize()
}

// checkText refuses control characters and overlong text.
func checkText(field, s string, max int) error {
	if len(s) > max {
		return fmt.Errorf("%w: %s: %d bytes, more than %d", ErrInvalidManifest, field, len(s), max)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return fmt.Errorf("%w: %s: control character %U", ErrInvalidManifest, field, r)
		}
	}
	return nil
}

// checkList checks a list of short strings; a set (capabilities) may not repeat an entry.
func checkList(field string, list []string, set bool) error {
	if len(list) > maxListEntries {
		return fmt.Errorf("%w: %s: %d entries, more than %d", ErrInvalidManifest, field, len(list), maxListEntries)
	}
	seen := make(map[string]bool, len(list))
	for _, s := range list {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("%w: %s: empty entry", ErrInvalidManifest, field)
		}
		if err := checkText(field, s, maxText); err != nil {
			return err
		}
		if set && seen[s] {
			return fmt.Errorf("%w: %s: %q listed twice", ErrInvalidManifest, field, s)
		}
		seen[s] = true
	}
	return nil
}

// normalize checks the budgets and strips redundant zeros from the money amount.
func (b *Budgets) normalize() error {
	if b.Tokens < 0 {
		return fmt.Errorf("%w: budgets.tokens: %d is negative", ErrInvalidManifest, b.Tokens)
	}
	if b.USD == "" {
		return nil
	}
	if !usdPattern.MatchString(b.USD) {
		return fmt.Errorf("%w: budgets.usd %q: want a decimal string such as \"0.50\" (at most 6 decimals)", ErrInvalidManifest, b.USD)
	}
	whole, frac, _ := strings.Cut(b.USD, ".")
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	frac = strings.TrimRight(frac, "0")
	b.USD = whole
	if frac != "" {
		b.USD += "." + frac
	}
	return nil
}
