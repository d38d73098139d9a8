package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestCompileRefusesDeepNesting is the module of issue #8: 600 KB of 200,000 nested blocks,
// which wazero compiled for minutes. Both engines refuse it at once.
func TestCompileRefusesDeepNesting(t *testing.T) {
	wasm := startModule(nestedBody(200_000))
	for _, name := range Engines() {
		t.Run(name, func(t *testing.T) {
			e := testEngine(name)(t)
			start := time.Now()
			_, err := e.Compile(context.Background(), wasm)
			elapsed := time.Since(start)
			var re *RefusedError
			want := "module refused: function 0 nests blocks more than 4096 deep, above the limit of 4096 (nesting depth)"
			if !errors.As(err, &re) || err.Error() != want {
				t.Fatalf("Compile = %v, want *RefusedError %q", err, want)
			}
			if elapsed > time.Second {
				t.Errorf("refusing took %v", elapsed)
			}
		})
	}
}

func TestStructureLimits(t *testing.T) {
	typeSection := func(params int) []byte {
		ty := append([]byte{1, 0x60}, uleb(uint64(params))...)
		ty = append(ty, bytes.Repeat([]byte{byte(ValI32)}, params)...)
		return append(ty, 0)
	}
	bodyOf := func(locals []byte, code []byte) []byte {
		return append(append(locals, code...), 0x0b)
	}
	cases := []struct {
		name string
		wasm []byte
		want string // "" for no problem
	}{
		{"nesting at the limit", startModule(nestedBody(maxNesting)), ""},
		{"nesting past the limit", startModule(nestedBody(10), nestedBody(maxNesting+1)),
			"function 1 nests blocks more than 4096 deep, above the limit of 4096 (nesting depth)"},
		{"locals at the limit", startModule(bodyOf([]byte{2, 0xcf, 0x86, 0x03, byte(ValI32), 1, byte(ValI64)}, nil)), ""}, // 49,999 + 1
		{"locals past the limit", startModule(bodyOf([]byte{2, 0xcf, 0x86, 0x03, byte(ValI32), 2, byte(ValI64)}, nil)),
			"function 0 declares 50001 locals, above the limit of 50000 (locals)"},
		{"locals overflowing 32 bits", startModule(bodyOf([]byte{2, 0xff, 0xff, 0xff, 0xff, 0x0f, byte(ValI32), 0xff, 0xff, 0xff, 0xff, 0x0f, byte(ValI32)}, nil)),
			"function 0 declares 8589934590 locals, above the limit of 50000 (locals)"},
		{"body past the limit", startModule(bodyOf([]byte{0}, bytes.Repeat([]byte{0x01}, maxBodySize))),
			"function 0 has a body of 7654323 bytes, above the limit of 7654321 (function body size)"},
		{"parameters past the limit", withSection(secType, typeSection(maxParams+1)),
			"type 0 has 1001 parameters, above the limit of 1000 (parameters)"},
		{"types past the limit", withSection(secType, uleb(maxTypes+1)), "1000001 types, above the limit of 1000000 (types)"},
		{"functions past the limit", withSection(secFunction, uleb(maxFunctions+1)),
			"1000001 functions, above the limit of 1000000 (functions)"},
		{"exports past the limit", withSection(secExport, uleb(maxExports+1)), "100001 exports, above the limit of 100000 (exports)"},
		{"data segments past the limit", withSection(secData, uleb(maxDataSegments+1)),
			"100001 data segments, above the limit of 100000 (data segments)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckStructure(c.wasm, &Report{})
			var re *RefusedError
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("CheckStructure = %v, want nil", err)
			case c.want != "" && (!errors.As(err, &re) || err.Error() != "module refused: "+c.want):
				t.Fatalf("CheckStructure = %v, want *RefusedError %q", err, c.want)
			}
		})
	}
}

// withSection is a module of one section, which CheckStructure reads on its own (Inspect
// would refuse most such modules first).
func withSection(id byte, payload []byte) []byte {
	out := []byte{0x00, 'a', 's', 'm', 1, 0, 0, 0, id}
	out = append(out, uleb(uint64(len(payload)))...)
	return append(out, payload...)
}

// TestStructureRealModules checks the instruction decoder against real modules (every body
// decodes to its last byte) and that the nesting limit leaves them a wide margin.
func TestStructureRealModules(t *testing.T) {
	mods := map[string][]byte{"Go program": goAgent(t)}
	for _, name := range []string{"minimal.wasm", "loop.wasm", "growbomb.wasm", "growfail.wasm", "recursion.wasm",
		"stdoutflood.wasm", "syscallflood.wasm", "sleep.wasm", "oob.wasm", "badptr.wasm", "generate.wasm"} {
		mods[name] = fixture(t, name)
	}
	for name, wasm := range mods {
		rep, err := Inspect(wasm)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := CheckStructure(wasm, rep); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		deepest, err := deepestNesting(wasm)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if deepest > maxNesting/4 {
			t.Errorf("%s nests %d deep: less than 4 times under the limit of %d", name, deepest, maxNesting)
		}
	}
}

// deepestNesting decodes every function body of wasm and returns the deepest nesting, or an
// error if a body does not end exactly at its last byte.
func deepestNesting(wasm []byte) (int, error) {
	r := &reader{b: wasm, pos: 8}
	deepest := 0
	for r.remaining() > 0 {
		id, _ := r.byte()
		size, _ := r.u32()
		payload, err := r.bytes(uint64(size))
		if err != nil {
			return 0, err
		}
		if id != secCode {
			continue
		}
		sr := &reader{b: payload}
		n, _ := sr.u32()
		for i := range n {
			size, _ := sr.u32()
			b, err := sr.bytes(uint64(size))
			if err != nil {
				return 0, err
			}
			body := &reader{b: b}
			if _, err := countLocals(body); err != nil {
				return 0, err
			}
			d, err := nestingDepth(body, 1<<30)
			if err != nil {
				return 0, fmt.Errorf("function body %d: %w", i, err)
			}
			if body.remaining() != 0 {
				return 0, fmt.Errorf("function body %d: %d bytes left after its end", i, body.remaining())
			}
			deepest = max(deepest, d)
		}
	}
	return deepest, nil
}

func TestNestingDepthUnknownInstruction(t *testing.T) {
	_, err := nestingDepth(&reader{b: []byte{0x02, 0x40, 0x27, 0x0b, 0x0b}, section: "code"}, maxNesting)
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "unknown instruction 0x27") {
		t.Errorf("nestingDepth = %v, want a *FormatError for instruction 0x27", err)
	}
}
