package bundle

import (
	"errors"
	"strings"
	"testing"
)

func TestManifestPreinit(t *testing.T) {
	m, err := ParseManifest([]byte("name = \"a\"\nversion = \"1.0.0\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	from := "sha256:" + strings.Repeat("ab", 32)
	m.Preinit = &Preinit{From: from, Fixed: []string{"wasi_snapshot_preview1.random_get", "wasi_snapshot_preview1.clock_time_get"}}
	data, err := m.MarshalCanonical()
	if err != nil {
		t.Fatal(err)
	}
	want := `"preinit":{"fixed":["wasi_snapshot_preview1.clock_time_get","wasi_snapshot_preview1.random_get"],"from":"` + from + `"}`
	if !strings.Contains(string(data), want) {
		t.Errorf("canonical JSON %s lacks %s", data, want)
	}
	got, err := decodeManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Preinit == nil || got.Preinit.From != from || len(got.Preinit.Fixed) != 2 {
		t.Errorf("decoded Preinit = %+v", got.Preinit)
	}
	m.Preinit.From = "sha256:XYZ"
	if _, err := m.MarshalCanonical(); !errors.Is(err, ErrInvalidManifest) || !strings.Contains(err.Error(), "preinit.from") {
		t.Errorf("bad digest: MarshalCanonical = %v", err)
	}
	_, err = ParseManifest([]byte("name = \"a\"\nversion = \"1.0.0\"\n[preinit]\nfrom = \"" + from + "\"\n"))
	if !errors.Is(err, ErrInvalidManifest) {
		t.Errorf("preinit in the TOML source: ParseManifest = %v, want it refused", err)
	}
}
