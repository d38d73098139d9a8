package bundle

import (
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func TestKeyPEMRoundTrip(t *testing.T) {
	priv := mustKey(t)
	dir := t.TempDir()
	privPath, pubPath := filepath.Join(dir, "k.key"), filepath.Join(dir, "k.pub")
	if err := WriteKeyPair(priv, privPath, pubPath); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(privPath); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode %v, %v", info.Mode(), err)
	}
	gotPriv, err := LoadPrivateKey(privPath)
	if err != nil || !gotPriv.Equal(priv) {
		t.Fatalf("private key round trip: %v", err)
	}
	gotPub, err := LoadPublicKey(pubPath)
	if err != nil || !gotPub.Equal(priv.Public()) {
		t.Fatalf("public key round trip: %v", err)
	}
	if err := WriteKeyPair(mustKey(t), privPath, filepath.Join(dir, "other.pub")); err == nil {
		t.Fatal("WriteKeyPair overwrote an existing key")
	}
	if again, _ := LoadPrivateKey(privPath); !again.Equal(priv) {
		t.Fatal("existing key changed")
	}
}

func TestKeyID(t *testing.T) {
	pub := mustKey(t).Public().(ed25519.PublicKey)
	id := KeyID(pub)
	if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(id) || KeyID(pub) != id {
		t.Fatalf("key id %q", id)
	}
	if KeyID(mustKey(t).Public().(ed25519.PublicKey)) == id {
		t.Fatal("two keys share an id")
	}
}

func TestParseKeyRejects(t *testing.T) {
	priv := mustKey(t)
	pubPEM, _ := MarshalPublicKeyPEM(priv.Public().(ed25519.PublicKey))
	privPEM, _ := MarshalPrivateKeyPEM(priv)
	if _, err := ParsePrivateKeyPEM(pubPEM); !errors.Is(err, ErrBadKey) {
		t.Fatalf("public key parsed as private: %v", err)
	}
	if _, err := ParsePublicKeyPEM(privPEM); !errors.Is(err, ErrBadKey) {
		t.Fatalf("private key parsed as public: %v", err)
	}
	if _, err := ParsePublicKeyPEM([]byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")); !errors.Is(err, ErrBadKey) {
		t.Fatalf("garbage parsed: %v", err)
	}
}

func TestNewTrust(t *testing.T) {
	a, b, c := mustKey(t), mustKey(t), mustKey(t)
	dir := t.TempDir()
	if err := WriteKeyPair(a, filepath.Join(dir, "a.key"), filepath.Join(dir, "a.pub")); err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrust(TrustConfig{
		Keys:             []string{filepath.Join(dir, "a.pub"), KeyID(b.Public().(ed25519.PublicKey))},
		RequireSignature: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, k := range map[string]ed25519.PrivateKey{"file": a, "key id": b} {
		bb, err := Open(signed(t, k))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bb.Verify(tr); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	bc, _ := Open(signed(t, c))
	if _, err := bc.Verify(tr); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("untrusted key: %v", err)
	}
	if _, err := NewTrust(TrustConfig{Keys: []string{filepath.Join(dir, "missing.pub")}}); err == nil {
		t.Fatal("missing key file accepted")
	}
}
