package oci

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/aiosys/aios/packager/bundle"
	"github.com/aiosys/aios/packager/hub/hubtest"
)

// testBundle packs a module with a padding section of padding bytes, signed by key if not nil.
func testBundle(t *testing.T, name, version, description string, padding int, key ed25519.PrivateKey) *bundle.Bundle {
	t.Helper()
	module := []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}
	pad := []byte("pad")
	payload := append([]byte{byte(len(pad))}, pad...)
	payload = append(payload, make([]byte, padding)...)
	for i := range payload[4:] {
		payload[4+i] = byte(i * 7)
	}
	module = append(module, 0)
	module = appendLEB(module, uint32(len(payload)))
	module = append(module, payload...)
	m, err := bundle.ParseManifest([]byte(fmt.Sprintf("name = %q\nversion = %q\ndescription = %q\nauthors = [\"Ada\"]\n", name, version, description)))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := bundle.Pack(module, m)
	if err != nil {
		t.Fatal(err)
	}
	if key != nil {
		if raw, err = bundle.Sign(raw, key); err != nil {
			t.Fatal(err)
		}
	}
	b, err := bundle.Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func appendLEB(b []byte, v uint32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// publisher is a Remote with the test hub's credentials for every host.
func publisher() Remote {
	return Remote{PlainHTTP: true, Credential: func(context.Context, string) (auth.Credential, error) {
		return auth.Credential{Username: hubtest.User, Password: hubtest.Password}, nil
	}}
}

// anonymous is a Remote without credentials.
func anonymous() Remote { return Remote{PlainHTTP: true} }

func newCache(t *testing.T) *Cache {
	t.Helper()
	c, err := OpenCache(filepath.Join(t.TempDir(), "cache"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func publish(t *testing.T, r Remote, b *bundle.Bundle, ref string) Published {
	t.Helper()
	p, err := r.Publish(context.Background(), b, ref, PublishOptions{})
	if err != nil {
		t.Fatalf("publish %s: %v", ref, err)
	}
	return p
}

// checkNoPartialFiles fails if the cache holds a blob that does not hash to its name, or
// anything left in its ingest directory.
func checkNoPartialFiles(t *testing.T, c *Cache) {
	t.Helper()
	err := filepath.WalkDir(c.Dir(), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(c.Dir(), path)
		switch {
		case strings.HasPrefix(rel, "ingest"+string(filepath.Separator)):
			t.Errorf("partial file left in the cache: %s", rel)
		case strings.HasPrefix(rel, "blobs"+string(filepath.Separator)):
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			if hex.EncodeToString(sum[:]) != filepath.Base(path) {
				t.Errorf("blob %s does not match its name", rel)
			}
		case rel == "index.json" || rel == "oci-layout":
		default:
			t.Errorf("unexpected file in the cache: %s", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

type authCredential = auth.Credential
