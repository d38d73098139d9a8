package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aiosys/aios/packager/bundle"
)

func minimalModule(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "minimal.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return -1
}

func TestLoadAgentPlainModule(t *testing.T) {
	dir := t.TempDir()
	raw := minimalModule(t)
	path := filepath.Join(dir, "hello.wasm")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	io := &IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}

	a, err := loadAgent(context.Background(), io, path, bundle.TrustConfig{}, dir)
	if err != nil {
		t.Fatalf("loadAgent: %v", err)
	}
	sum := sha256.Sum256(raw)
	if a.Name != "hello" || a.Manifest != nil || a.Publisher.Signed || !bytes.Equal(a.Wasm, raw) ||
		a.Digest != "sha256:"+hex.EncodeToString(sum[:]) || a.Source != path || a.RefDigest != "" {
		t.Errorf("loadAgent = %+v", a)
	}

	_, err = loadAgent(context.Background(), io, path, bundle.TrustConfig{RequireSignature: true}, dir)
	if !errors.Is(err, bundle.ErrUnsigned) || exitCode(err) != ExitRefused {
		t.Errorf("plain module with signatures required: err %v (exit %d), want ErrUnsigned (exit %d)", err, exitCode(err), ExitRefused)
	}
}

func TestLoadAgentSignedBundle(t *testing.T) {
	dir := t.TempDir()
	priv, err := bundle.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	keyPath, pubPath := filepath.Join(dir, "k.key"), filepath.Join(dir, "k.pub")
	if err := bundle.WriteKeyPair(priv, keyPath, pubPath); err != nil {
		t.Fatal(err)
	}
	packed, err := bundle.Pack(minimalModule(t), bundle.Manifest{Schema: bundle.ManifestSchema, Name: "hi", Version: "0.1.0"})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := bundle.Sign(packed, priv)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "hi.wasm")
	if err := os.WriteFile(path, signed, 0o644); err != nil {
		t.Fatal(err)
	}
	io := &IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}

	a, err := loadAgent(context.Background(), io, path, bundle.TrustConfig{Keys: []string{pubPath}}, dir)
	if err != nil {
		t.Fatalf("loadAgent: %v", err)
	}
	if a.Name != "hi" || a.Manifest == nil || a.Manifest.Version != "0.1.0" || !a.Publisher.Signed || !bytes.Equal(a.Wasm, signed) {
		t.Errorf("loadAgent = %+v", a)
	}

	_, err = loadAgent(context.Background(), io, path, bundle.TrustConfig{}, dir)
	if !errors.Is(err, bundle.ErrUnknownKey) || exitCode(err) != ExitRefused {
		t.Errorf("untrusted signer: err %v (exit %d), want ErrUnknownKey (exit %d)", err, exitCode(err), ExitRefused)
	}
}

func TestLoadAgentMissing(t *testing.T) {
	io := &IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}
	dir := t.TempDir()
	for _, ref := range []string{filepath.Join(dir, "nosuch.wasm"), "agents/nosuch", "nosuch"} {
		_, err := loadAgent(context.Background(), io, ref, bundle.TrustConfig{}, dir)
		if exitCode(err) != ExitNoInput {
			t.Errorf("loadAgent(%q): err %v (exit %d), want exit %d", ref, err, exitCode(err), ExitNoInput)
		}
	}
	_, err := loadAgent(context.Background(), io, dir, bundle.TrustConfig{}, dir)
	if exitCode(err) != ExitNoInput {
		t.Errorf("loadAgent(directory): err %v, want exit %d", err, ExitNoInput)
	}
	_, err = loadAgent(context.Background(), io, "x.wasm", bundle.TrustConfig{Keys: []string{filepath.Join(dir, "nokey.pub")}}, dir)
	if exitCode(err) != ExitConfig {
		t.Errorf("missing trusted key file: err %v, want exit %d", err, ExitConfig)
	}
}

func TestLooksLikeRef(t *testing.T) {
	for ref, want := range map[string]bool{
		"localhost:5000/agents/summarizer":  true,
		"localhost/agents/summarizer:1.2.0": true,
		"hub.example.com/agents/summarizer@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef": true,
		"127.0.0.1:5000/a":           true,
		"agent.wasm":                 false,
		"dir/agent":                  false,
		"./hub.example.com/a":        false,
		"/abs/path":                  false,
		"hub.example.com/agent.wasm": false,
		"hub.example.com/UPPER":      false,
		"summarizer":                 false,
	} {
		if got := looksLikeRef(ref); got != want {
			t.Errorf("looksLikeRef(%q) = %v, want %v", ref, got, want)
		}
	}
}

func TestPlainHTTP(t *testing.T) {
	t.Setenv(EnvHubPlainHTTP, "")
	for _, c := range []struct {
		host          string
		flag, flagSet bool
		want          bool
	}{
		{"localhost:5000", false, false, true},
		{"127.0.0.1:5000", false, false, true},
		{"[::1]:5000", false, false, true},
		{"hub.example.com", false, false, false},
		{"10.0.0.1:5000", false, false, false},
		{"localhost:5000", false, true, false},
		{"hub.example.com", true, true, true},
	} {
		got, err := plainHTTP(c.host, c.flag, c.flagSet)
		if err != nil || got != c.want {
			t.Errorf("plainHTTP(%q, %v, %v) = %v, %v; want %v", c.host, c.flag, c.flagSet, got, err, c.want)
		}
	}
	t.Setenv(EnvHubPlainHTTP, "true")
	if got, _ := plainHTTP("hub.example.com", false, false); !got {
		t.Errorf("$%s=true: plainHTTP = false", EnvHubPlainHTTP)
	}
	t.Setenv(EnvHubPlainHTTP, "maybe")
	if _, err := plainHTTP("hub.example.com", false, false); exitCode(err) != ExitConfig {
		t.Errorf("$%s=maybe: err %v, want exit %d", EnvHubPlainHTTP, err, ExitConfig)
	}
}
