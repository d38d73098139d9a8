package bundle

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"regexp"
)

var (
	// ErrUnsigned is returned when the trust policy requires a signature and the bundle has none.
	ErrUnsigned = errors.New("bundle is not signed and the trust policy requires a signature")
	// ErrUnknownKey is returned for a valid signature by a key the trust policy does not list.
	ErrUnknownKey = errors.New("signed by a key that is not trusted")
)

// TrustConfig is the [trust] table of aios.toml.
type TrustConfig struct {
	// Keys lists trusted publishers, each a path to a PEM public key file or a key ID
	// ("sha256:" and 64 hex digits, as `aios inspect` shows).
	Keys []string `toml:"keys"`
	// RequireSignature refuses unsigned bundles.
	RequireSignature bool `toml:"require_signature"`
}

// Trust decides which bundle signatures are accepted. The zero value trusts no key and accepts
// unsigned bundles.
type Trust struct {
	keys             map[string]bool
	requireSignature bool
}

var keyIDPattern = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// NewTrust builds a trust policy, reading the key files cfg names.
func NewTrust(cfg TrustConfig) (*Trust, error) {
	t := &Trust{keys: make(map[string]bool), requireSignature: cfg.RequireSignature}
	for _, k := range cfg.Keys {
		if keyIDPattern.MatchString(k) {
			t.keys[k] = true
			continue
		}
		pub, err := LoadPublicKey(k)
		if err != nil {
			return nil, fmt.Errorf("trust: %w", err)
		}
		t.AddKey(pub)
	}
	return t, nil
}

// AddKey trusts pub. It must not be called while Verify runs on another goroutine.
func (t *Trust) AddKey(pub ed25519.PublicKey) {
	if t.keys == nil {
		t.keys = make(map[string]bool)
	}
	t.keys[KeyID(pub)] = true
}

// Publisher is who vouches for a bundle, as Verify found it. It is meant for the policy input.
type Publisher struct {
	// Signed reports whether the bundle carries a signature (that verified).
	Signed bool `json:"signed"`
	// KeyID is the signer's key fingerprint, empty when unsigned.
	KeyID string `json:"key_id,omitempty"`
}

// Verify checks the bundle's signature against the trust policy t (nil: the zero Trust).
//
// A signature must verify and be by a trusted key; a signature that cannot be checked against
// a trusted key is refused even when signatures are optional, because it is a claim the host
// cannot vouch for. An unsigned bundle passes only when t does not require signatures.
func (b *Bundle) Verify(t *Trust) (Publisher, error) {
	if t == nil {
		t = &Trust{}
	}
	if b.signature == nil {
		if t.requireSignature {
			return Publisher{}, ErrUnsigned
		}
		return Publisher{}, nil
	}
	s := b.signature
	if !ed25519.Verify(s.PublicKey, signedMessage(b.moduleDigest, b.manifestJSON), s.Value) {
		return Publisher{}, fmt.Errorf("%w: the module or manifest changed after it was signed by %s", ErrBadSignature, s.KeyID)
	}
	if !t.keys[s.KeyID] {
		return Publisher{}, fmt.Errorf("%w: %s (add its public key to [trust] keys to accept it)", ErrUnknownKey, s.KeyID)
	}
	return Publisher{Signed: true, KeyID: s.KeyID}, nil
}
