package bundle

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"
)

func mustKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	priv, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

func trusting(keys ...ed25519.PrivateKey) *Trust {
	t := &Trust{}
	for _, k := range keys {
		t.AddKey(k.Public().(ed25519.PublicKey))
	}
	return t
}

func signed(t *testing.T, priv ed25519.PrivateKey) []byte {
	t.Helper()
	raw, err := Sign(packed(t), priv)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestSignVerify(t *testing.T) {
	priv := mustKey(t)
	b, err := Open(signed(t, priv))
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.Verify(trusting(priv))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Signed || p.KeyID != KeyID(priv.Public().(ed25519.PublicKey)) {
		t.Fatalf("publisher %+v", p)
	}
	unsigned, _ := Open(packed(t))
	if b.ModuleDigest() != unsigned.Digest() {
		t.Fatal("module digest must be the digest of the bundle without its signature")
	}
}

func TestResignReplacesSignature(t *testing.T) {
	first, second := mustKey(t), mustKey(t)
	raw, err := Sign(signed(t, first), second)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Verify(trusting(second)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Verify(trusting(first)); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("err = %v, want ErrUnknownKey", err)
	}
}

func TestSignatureIsPositionIndependent(t *testing.T) {
	priv := mustKey(t)
	raw := signed(t, priv)
	sig := sectionBytes(t, raw, SignatureSection)
	rest := raw[:len(raw)-len(sig)]
	moved := append(append(append([]byte(nil), rest[:8]...), sig...), rest[8:]...)
	b, err := Open(moved)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Verify(trusting(priv)); err != nil {
		t.Fatalf("signature moved to the front: %v", err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	priv := mustKey(t)
	raw := signed(t, priv)
	sig := sectionBytes(t, raw, SignatureSection)

	tamperedModule := bytes.Replace(raw, []byte("log"), []byte("lof"), 1)

	other := testManifest(t)
	other.Capabilities.Tools = append(other.Capabilities.Tools, "shell")
	repacked, err := Pack(raw, other)
	if err != nil {
		t.Fatal(err)
	}
	tamperedManifest := append(repacked, sig...)

	cases := map[string]struct {
		data  []byte
		trust *Trust
		want  error
	}{
		"tampered module":   {tamperedModule, trusting(priv), ErrBadSignature},
		"tampered manifest": {tamperedManifest, trusting(priv), ErrBadSignature},
		"unknown key":       {raw, trusting(mustKey(t)), ErrUnknownKey},
		"no trust at all":   {raw, nil, ErrUnknownKey},
		"unsigned required": {packed(t), &Trust{requireSignature: true}, ErrUnsigned},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			b, err := Open(c.data)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.Verify(c.trust); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestUnsignedAllowed(t *testing.T) {
	b, err := Open(packed(t))
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.Verify(&Trust{})
	if err != nil || p.Signed {
		t.Fatalf("publisher %+v, err %v", p, err)
	}
}

func TestOpenRejectsBadSignatureSections(t *testing.T) {
	priv := mustKey(t)
	raw := signed(t, priv)
	sig := sectionBytes(t, raw, SignatureSection)
	pub := priv.Public().(ed25519.PublicKey)
	wrongID, err := canonicalJSON(Signature{Schema: 1, Algorithm: SignatureAlgorithm, KeyID: KeyID(mustKey(t).Public().(ed25519.PublicKey)), PublicKey: pub, Value: make([]byte, 64)})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		data []byte
		want error
	}{
		"duplicate":     {append(append([]byte(nil), raw...), sig...), ErrDuplicateSection},
		"not json":      {append(packed(t), customSection(SignatureSection, []byte("sig"))...), ErrBadSignature},
		"key id forged": {append(packed(t), customSection(SignatureSection, wrongID)...), ErrBadSignature},
		"oversized":     {append(packed(t), customSection(SignatureSection, make([]byte, maxSignatureSection+1))...), ErrBadSignature},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Open(c.data); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestSignRefusesBadInput(t *testing.T) {
	if _, err := Sign(testModule(t), mustKey(t)); !errors.Is(err, ErrNoManifest) {
		t.Fatalf("err = %v", err)
	}
	if _, err := Sign(packed(t), ed25519.PrivateKey{1, 2}); !errors.Is(err, ErrBadKey) {
		t.Fatalf("err = %v", err)
	}
}
