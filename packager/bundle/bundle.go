// Package bundle implements the aios bundle format (docs/BUNDLE.md): an agent's WebAssembly
// module carrying its manifest and an optional Ed25519 signature in custom sections.
//
// A bundle is still a plain module: engines ignore custom sections, so the same file runs
// anywhere, and the runtime reads the manifest from it.
package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Custom section names a bundle uses.
const (
	ManifestSection  = "aios.manifest"
	SignatureSection = "aios.signature"
)

// MaxBundleSize bounds a bundle file.
const MaxBundleSize = 512 << 20

var (
	// ErrNoManifest is returned when a module has no manifest section: it was not packed.
	ErrNoManifest = errors.New("no manifest section (pack the module first: aios pack)")
	// ErrDuplicateSection is returned when an aios section appears more than once.
	ErrDuplicateSection = errors.New("duplicated section")
	// ErrUnknownSection is returned for a custom section in the reserved "aios." namespace that
	// this version does not define.
	ErrUnknownSection = errors.New("unknown aios section")
)

// Bundle is a parsed bundle file. It is immutable; Sign and Pack return new bytes.
type Bundle struct {
	raw      []byte
	sections []section

	manifest     Manifest
	manifestJSON []byte
	signature    *Signature
	moduleDigest [sha256.Size]byte
}

// Open parses a bundle: its section framing, its manifest (which must be valid and canonical)
// and the form of its signature, if any. It does not check the signature; see Verify.
func Open(raw []byte) (*Bundle, error) {
	if len(raw) > MaxBundleSize {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrMalformed, len(raw), MaxBundleSize)
	}
	sections, err := parseSections(raw)
	if err != nil {
		return nil, err
	}
	b := &Bundle{raw: raw, sections: sections}
	var manifest, signature *section
	for i := range sections {
		s := &sections[i]
		if s.id != sectionCustom || !strings.HasPrefix(s.name, "aios.") {
			continue
		}
		var slot **section
		switch s.name {
		case ManifestSection:
			slot = &manifest
		case SignatureSection:
			slot = &signature
		default:
			return nil, fmt.Errorf("%w: %q at offset %d", ErrUnknownSection, s.name, s.start)
		}
		if *slot != nil {
			return nil, fmt.Errorf("%w: %q at offsets %d and %d", ErrDuplicateSection, s.name, (*slot).start, s.start)
		}
		*slot = s
	}
	if manifest == nil {
		return nil, ErrNoManifest
	}
	b.manifestJSON = raw[manifest.payload:manifest.end]
	if b.manifest, err = decodeManifest(b.manifestJSON); err != nil {
		return nil, err
	}
	if signature != nil {
		if b.signature, err = decodeSignature(raw[signature.payload:signature.end]); err != nil {
			return nil, err
		}
	}
	// Hash the file minus the signature section without copying it: the bytes before and
	// after the section, in order.
	h := sha256.New()
	if signature == nil {
		h.Write(raw)
	} else {
		h.Write(raw[:signature.start])
		h.Write(raw[signature.end:])
	}
	h.Sum(b.moduleDigest[:0])
	return b, nil
}

// ReadFile opens the bundle at path.
func ReadFile(path string) (*Bundle, error) {
	raw, err := readFileMax(path, MaxBundleSize)
	if err != nil {
		return nil, fmt.Errorf("read bundle: %w", err)
	}
	b, err := Open(raw)
	if err != nil {
		return nil, fmt.Errorf("open bundle %s: %w", path, err)
	}
	return b, nil
}

// Pack makes a bundle from a module and a manifest. Any aios sections the module already has
// (an older manifest or signature) are replaced; the result is unsigned.
func Pack(module []byte, m Manifest) ([]byte, error) {
	if len(module) > MaxBundleSize {
		return nil, fmt.Errorf("pack: %w: %d bytes, more than %d", ErrMalformed, len(module), MaxBundleSize)
	}
	sections, err := parseSections(module)
	if err != nil {
		return nil, fmt.Errorf("pack: %w", err)
	}
	data, err := m.MarshalCanonical()
	if err != nil {
		return nil, fmt.Errorf("pack: %w", err)
	}
	out := withoutSections(module, sections, isAiosSection)
	return append(out, customSection(ManifestSection, data)...), nil
}

func isAiosSection(s section) bool {
	return s.id == sectionCustom && strings.HasPrefix(s.name, "aios.")
}

// Bytes returns the bundle file's bytes. The caller must not modify them.
func (b *Bundle) Bytes() []byte { return b.raw }

// Manifest returns the bundle's manifest.
func (b *Bundle) Manifest() Manifest { return b.manifest.clone() }

// ManifestJSON returns the manifest section's payload, the canonical JSON the signature covers.
func (b *Bundle) ManifestJSON() []byte { return b.manifestJSON }

// Signature returns the bundle's signature section, or nil if it is unsigned.
func (b *Bundle) Signature() *Signature {
	if b.signature == nil {
		return nil
	}
	s := *b.signature
	return &s
}

// Digest is the OCI digest of the whole file: "sha256:" and its hex SHA-256. It is the layer
// digest a registry stores the bundle under.
func (b *Bundle) Digest() string {
	sum := sha256.Sum256(b.raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// ModuleDigest is the digest the signature covers: the SHA-256 of the file with its signature
// section removed, as "sha256:" and hex.
func (b *Bundle) ModuleDigest() string {
	return "sha256:" + hex.EncodeToString(b.moduleDigest[:])
}

// Imports lists the module's imports in order.
func (b *Bundle) Imports() ([]Import, error) {
	return imports(b.raw, b.sections)
}
