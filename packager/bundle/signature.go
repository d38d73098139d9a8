package bundle

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
)

// SignatureAlgorithm is the only signature algorithm of schema 1.
const SignatureAlgorithm = "ed25519"

// signatureDomain separates bundle signatures from any other use of the same key: a signature
// over a bundle can never be replayed as a signature over something else, and vice versa.
const signatureDomain = "aios-bundle-signature-v1\x00"

// maxSignatureSection bounds the signature section's payload.
const maxSignatureSection = 4 << 10

// ErrBadSignature is returned when a signature does not verify: the module or manifest was
// changed after signing, or the signature section is corrupt.
var ErrBadSignature = errors.New("bad signature")

// Signature is the payload of the signature section, stored as canonical JSON.
type Signature struct {
	Schema    int    `json:"schema"`
	Algorithm string `json:"alg"`
	// KeyID is the fingerprint of PublicKey (see KeyID).
	KeyID     string `json:"key_id"`
	PublicKey []byte `json:"public_key"`
	Value     []byte `json:"signature"`
}

// normalize checks the section's fields agree with each other.
func (s *Signature) normalize() error {
	switch {
	case s.Schema != 1:
		return fmt.Errorf("schema %d, want 1", s.Schema)
	case s.Algorithm != SignatureAlgorithm:
		return fmt.Errorf("algorithm %q, want %q", s.Algorithm, SignatureAlgorithm)
	case len(s.PublicKey) != ed25519.PublicKeySize:
		return fmt.Errorf("public key of %d bytes, want %d", len(s.PublicKey), ed25519.PublicKeySize)
	case len(s.Value) != ed25519.SignatureSize:
		return fmt.Errorf("signature of %d bytes, want %d", len(s.Value), ed25519.SignatureSize)
	case s.KeyID != KeyID(s.PublicKey):
		return fmt.Errorf("key_id %s does not match the public key", s.KeyID)
	}
	return nil
}

// decodeSignature reads a signature section payload.
func decodeSignature(data []byte) (*Signature, error) {
	if len(data) > maxSignatureSection {
		return nil, fmt.Errorf("%w: section is %d bytes, more than %d", ErrBadSignature, len(data), maxSignatureSection)
	}
	var s Signature
	if err := decodeCanonical(data, &s, s.normalize); err != nil {
		return nil, fmt.Errorf("%w: section %s: %v", ErrBadSignature, SignatureSection, err)
	}
	return &s, nil
}

// signedMessage is what the Ed25519 signature covers: the domain string, the SHA-256 of the
// bundle without its signature section, and the SHA-256 of the manifest section's payload.
func signedMessage(moduleDigest [sha256.Size]byte, manifestJSON []byte) []byte {
	manifestDigest := sha256.Sum256(manifestJSON)
	msg := make([]byte, 0, len(signatureDomain)+2*sha256.Size)
	msg = append(msg, signatureDomain...)
	msg = append(msg, moduleDigest[:]...)
	return append(msg, manifestDigest[:]...)
}

// Sign returns the bundle signed with priv. An existing signature is replaced.
func Sign(raw []byte, priv ed25519.PrivateKey) ([]byte, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("sign: %w: private key of %d bytes", ErrBadKey, len(priv))
	}
	b, err := Open(raw)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	unsigned := withoutSections(raw, b.sections, func(s section) bool {
		return s.id == sectionCustom && s.name == SignatureSection
	})
	pub := priv.Public().(ed25519.PublicKey)
	sig := Signature{
		Schema:    1,
		Algorithm: SignatureAlgorithm,
		KeyID:     KeyID(pub),
		PublicKey: pub,
		Value:     ed25519.Sign(priv, signedMessage(sha256.Sum256(unsigned), b.manifestJSON)),
	}
	data, err := canonicalJSON(sig)
	if err != nil {
		return nil, fmt.Errorf("sign: encode signature: %w", err)
	}
	return append(unsigned, customSection(SignatureSection, data)...), nil
}
