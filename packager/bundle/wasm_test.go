package bundle

import (
	"errors"
	"testing"
)

func TestParseSections(t *testing.T) {
	mod := testModule(t)
	secs, err := parseSections(mod)
	if err != nil {
		t.Fatal(err)
	}
	if len(secs) != 3 {
		t.Fatalf("got %d sections, want 3", len(secs))
	}
	if secs[0].id != sectionType || secs[1].id != sectionImport || secs[2].name != "name" {
		t.Fatalf("unexpected sections %+v", secs)
	}
	if got := string(mod[secs[2].payload:secs[2].end]); got != "\x00\x01\x02" {
		t.Fatalf("custom payload %q", got)
	}
	if secs[len(secs)-1].end != len(mod) {
		t.Fatal("sections do not cover the module")
	}
}

func TestParseSectionsMalformed(t *testing.T) {
	mod := testModule(t)
	cases := map[string][]byte{
		"empty":            nil,
		"bad magic":        append([]byte("\x00asn"), mod[4:]...),
		"wrong version":    append(append([]byte(nil), mod[:4]...), append([]byte{2, 0, 0, 0}, mod[8:]...)...),
		"truncated":        mod[:len(mod)-2],
		"size past end":    append(append([]byte(nil), wasmHeader...), 1, 10, 0),
		"overlong leb":     append(append([]byte(nil), wasmHeader...), 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0),
		"leb over 32 bits": append(append([]byte(nil), wasmHeader...), 1, 0xff, 0xff, 0xff, 0xff, 0x7f),
		"custom name long": append(append([]byte(nil), wasmHeader...), 0, 2, 5, 'a'),
		"custom name utf8": append(append([]byte(nil), wasmHeader...), 0, 2, 1, 0xff),
		"missing size":     append(append([]byte(nil), wasmHeader...), 1),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := parseSections(b); !errors.Is(err, ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestLEB128RoundTrip(t *testing.T) {
	for _, v := range []uint32{0, 1, 127, 128, 300, 1 << 21, 0xffffffff} {
		b := appendU32(nil, v)
		got, n, err := readU32(b)
		if err != nil || got != v || n != len(b) {
			t.Fatalf("%d: got %d, %d, %v", v, got, n, err)
		}
	}
}

func TestImports(t *testing.T) {
	mod := testModule(t)
	secs, err := parseSections(mod)
	if err != nil {
		t.Fatal(err)
	}
	imps, err := imports(mod, secs)
	if err != nil {
		t.Fatal(err)
	}
	want := []Import{
		{Module: "aios", Name: "log", Kind: "func", Signature: "(i32, i32) -> i32"},
		{Module: "env", Name: "memory", Kind: "memory"},
	}
	if len(imps) != len(want) || imps[0] != want[0] || imps[1] != want[1] {
		t.Fatalf("imports = %+v, want %+v", imps, want)
	}
	if s := imps[0].String(); s != "aios.log (i32, i32) -> i32" {
		t.Fatalf("String = %q", s)
	}
}

func TestImportsMalformed(t *testing.T) {
	bad := map[string][]byte{
		"type index out of range": {1, 1, 'a', 1, 'b', 0x00, 9},
		"unknown kind":            {1, 1, 'a', 1, 'b', 0x09},
		"huge count":              {0xff, 0xff, 0xff, 0xff, 0x0f},
		"truncated":               {1, 1, 'a'},
	}
	for name, payload := range bad {
		t.Run(name, func(t *testing.T) {
			mod := append(append([]byte(nil), wasmHeader...), rawSection(sectionImport, payload)...)
			secs, err := parseSections(mod)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := imports(mod, secs); !errors.Is(err, ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
		})
	}
}
