package bundle

import (
	"fmt"
	"regexp"
	"slices"
)

// Preinit says that a bundle's module is pre-initialised (`aios pack --preinit`, docs/ABI.md
// section 1.3): its memory and globals start where the original module's _initialize left
// them. It is part of the signed manifest, so the signature covers the claim as well as the
// snapshot.
type Preinit struct {
	// From is the digest of the module before pre-initialisation: "sha256:" and 64 hex digits.
	From string `json:"from"`
	// Fixed lists the system calls initialisation made that were answered from the module
	// alone ("wasi_snapshot_preview1.random_get": a generator seeded from the module's digest;
	// "wasi_snapshot_preview1.clock_time_get": a fixed clock), a sorted set.
	Fixed []string `json:"fixed,omitempty"`
}

var digestPattern = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// normalize checks p and sorts Fixed.
func (p *Preinit) normalize() error {
	if !digestPattern.MatchString(p.From) {
		return fmt.Errorf("%w: preinit.from %q: want \"sha256:\" and 64 lower-case hex digits", ErrInvalidManifest, p.From)
	}
	if err := checkList("preinit.fixed", p.Fixed, true); err != nil {
		return err
	}
	slices.Sort(p.Fixed)
	return nil
}

func (p *Preinit) clone() *Preinit {
	if p == nil {
		return nil
	}
	return &Preinit{From: p.From, Fixed: append([]string(nil), p.Fixed...)}
}
