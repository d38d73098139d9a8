package bundle

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPackOpen(t *testing.T) {
	raw := packed(t)
	b, err := Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	if m := b.Manifest(); m.Name != "summarizer" || m.Version != "1.2.0" || m.Limits.Memory != "64MiB" {
		t.Fatalf("manifest %+v", m)
	}
	if b.Signature() != nil {
		t.Fatal("fresh pack is signed")
	}
	if !bytes.HasPrefix(raw, testModule(t)) {
		t.Fatal("pack did not keep the module's bytes")
	}
	if !strings.HasPrefix(b.Digest(), "sha256:") || b.Digest() != b.ModuleDigest() {
		t.Fatalf("digests %s %s: unsigned bundle's module digest must equal its file digest", b.Digest(), b.ModuleDigest())
	}
}

func TestPackReplacesManifest(t *testing.T) {
	m := testManifest(t)
	m.Version = "2.0.0"
	again, err := Pack(packed(t), m)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(again)
	if err != nil {
		t.Fatal(err)
	}
	if b.Manifest().Version != "2.0.0" {
		t.Fatalf("version %s", b.Manifest().Version)
	}
}

func TestPackRejectsBadInput(t *testing.T) {
	if _, err := Pack([]byte("not wasm"), testManifest(t)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v", err)
	}
	if _, err := Pack(testModule(t), Manifest{Name: "x"}); !errors.Is(err, ErrInvalidManifest) {
		t.Fatalf("err = %v", err)
	}
}

func TestOpenRejects(t *testing.T) {
	raw := packed(t)
	manifest := sectionBytes(t, raw, ManifestSection)
	big := customSection(ManifestSection, bytes.Repeat([]byte(" "), MaxManifestSize+1))
	cases := map[string]struct {
		data []byte
		want error
	}{
		"not packed":         {testModule(t), ErrNoManifest},
		"duplicate manifest": {append(append([]byte(nil), raw...), manifest...), ErrDuplicateSection},
		"unknown aios":       {append(append([]byte(nil), raw...), customSection("aios.extra", nil)...), ErrUnknownSection},
		"oversized manifest": {append(testModule(t), big...), ErrInvalidManifest},
		"garbage manifest":   {append(testModule(t), customSection(ManifestSection, []byte("{"))...), ErrInvalidManifest},
		"truncated":          {raw[:len(raw)-5], ErrMalformed},
		"not wasm":           {[]byte("#!/bin/sh\n"), ErrMalformed},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Open(c.data); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestWriteReadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.wasm")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, packed(t)); err != nil {
		t.Fatal(err)
	}
	b, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), packed(t)) {
		t.Fatal("file content differs")
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
	if err := WriteFile(filepath.Join(t.TempDir(), "missing", "x.wasm"), packed(t)); err == nil {
		t.Fatal("write into a missing directory succeeded")
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing.wasm")); err == nil {
		t.Fatal("missing file opened")
	}
}

func TestInspect(t *testing.T) {
	priv := mustKey(t)
	raw, err := Sign(packed(t), priv)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	r, err := b.Inspect()
	if err != nil {
		t.Fatal(err)
	}
	if r.Signer != KeyID(priv.Public().(ed25519.PublicKey)) || len(r.Imports) != 2 || r.Size != len(raw) {
		t.Fatalf("report %+v", r)
	}
	var out bytes.Buffer
	if err := r.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"summarizer", "1.2.0", r.Signer, "aios.log (i32, i32) -> i32", "memory:    64MiB", "http_fetch"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("inspect text lacks %q:\n%s", want, out.String())
		}
	}
}
