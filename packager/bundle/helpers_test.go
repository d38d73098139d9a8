package bundle

import (
	"bytes"
	"testing"
)

// testModule builds a small module: a type section with (i32, i32) -> i32 and () -> (), an
// import section with aios.log and a memory import, and a custom "name" section.
func testModule(t testing.TB) []byte {
	t.Helper()
	var m bytes.Buffer
	m.Write(wasmHeader)
	types := []byte{2, 0x60, 2, 0x7f, 0x7f, 1, 0x7f, 0x60, 0, 0}
	m.Write(rawSection(sectionType, types))
	var imps []byte
	imps = append(imps, 2)
	imps = appendName(imps, "aios")
	imps = appendName(imps, "log")
	imps = append(imps, 0x00, 0)
	imps = appendName(imps, "env")
	imps = appendName(imps, "memory")
	imps = append(imps, 0x02, 0x01, 1, 2)
	m.Write(rawSection(sectionImport, imps))
	m.Write(customSection("name", []byte{0, 1, 2}))
	return m.Bytes()
}

func rawSection(id byte, payload []byte) []byte {
	out := []byte{id}
	out = appendU32(out, uint32(len(payload)))
	return append(out, payload...)
}

func appendName(b []byte, s string) []byte {
	b = appendU32(b, uint32(len(s)))
	return append(b, s...)
}

// testManifest is a valid manifest as ParseManifest would return it.
func testManifest(t testing.TB) Manifest {
	t.Helper()
	m, err := ParseManifest([]byte(`
name = "summarizer"
version = "1.2.0"
description = "Summarizes text."
authors = ["Ada <ada@example.com>"]
license = "Apache-2.0"

[capabilities]
models = ["gpt-4o-mini", "claude"]
tools = ["http_fetch"]
memory = ["notes"]

[limits]
memory = "64MiB"
cpu_time = "30s"
in_flight = 8

[budgets]
tokens = 100000
usd = "0.50"
`))
	if err != nil {
		t.Fatalf("ParseManifest: %v", err)
	}
	return m
}

// packed returns a packed, unsigned bundle.
func packed(t *testing.T) []byte {
	t.Helper()
	raw, err := Pack(testModule(t), testManifest(t))
	if err != nil {
		t.Fatalf("Pack: %v", err)
	}
	return raw
}

// sectionBytes returns the raw bytes of the first custom section called name.
func sectionBytes(t *testing.T, raw []byte, name string) []byte {
	t.Helper()
	secs, err := parseSections(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secs {
		if s.id == sectionCustom && s.name == name {
			return append([]byte(nil), raw[s.start:s.end]...)
		}
	}
	t.Fatalf("no section %q", name)
	return nil
}
