package bundle

import (
	"crypto/ed25519"
	"testing"
)

// FuzzOpen checks that no input makes Open, Imports or Verify panic, and that whatever Open
// accepts keeps a manifest that re-encodes to the stored bytes.
func FuzzOpen(f *testing.F) {
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	mod := testModule(f)
	raw, err := Pack(mod, testManifest(f))
	if err != nil {
		f.Fatal(err)
	}
	signedRaw, err := Sign(raw, priv)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{mod, raw, signedRaw, wasmHeader, nil} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Open(data)
		if err != nil {
			return
		}
		_, _ = b.Imports()
		_, _ = b.Verify(nil)
		again, err := b.Manifest().MarshalCanonical()
		if err != nil || string(again) != string(b.ManifestJSON()) {
			t.Fatalf("accepted manifest does not re-encode to itself: %v", err)
		}
	})
}
