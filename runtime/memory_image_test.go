package runtime

import (
	"bytes"
	"context"
	"fmt"
	goruntime "runtime"
	"testing"

	"github.com/aiosys/aios/limits"
)

// imageMode is one way a wazero instance's memory gets its initial content.
type imageMode string

const (
	bySegments imageMode = "segments" // wazero copies the data segments, as before images
	byCopy     imageMode = "copied"   // the image is copied into Go memory (small agents)
	byMapping  imageMode = "mapped"   // the image is mapped copy-on-write (Linux, large images)
	byFallback imageMode = "fallback" // the image's file is closed, so mapping fails: copied
)

// imageModule compiles wasm on a wazero engine with its memory set up in mode.
func imageModule(t *testing.T, e *wazeroEngine, wasm []byte, mode imageMode) *wazeroModule {
	t.Helper()
	rep, err := Inspect(wasm)
	if err != nil {
		t.Fatal(err)
	}
	code, img := newMemoryImage(wasm, rep)
	switch mode {
	case bySegments:
		if img != nil {
			img.Close()
		}
		code, img = wasm, nil
	case byCopy:
		if img == nil {
			t.Fatalf("no memory image for this module")
		}
		img.Close()
		img.file = nil
	case byFallback:
		if img == nil {
			t.Fatalf("no memory image for this module")
		}
		img.Close()
	}
	cm, err := e.rt.CompileModule(context.Background(), code)
	if err != nil {
		t.Fatalf("compile (%s): %v", mode, err)
	}
	m := &wazeroModule{rt: e.rt, compiled: cm, report: rep, image: img}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	return m
}

// runShown is what a run shows: how it ended, its log and its output.
func runShown(t *testing.T, m Module, s runSpec) string {
	r := runModule(t, m, s)
	return fmt.Sprintf("err=%v report=%+v\nlog=%q\noutput=%q", r.err, r.report, r.logText(), r.proc.OutputBytes())
}

// TestMemoryImageRunsLikeSegments runs agents three times each on one compiled module with
// their memory from the data segments (wazero's way), from a copied image, from a mapped image
// and from an image whose file was closed (mapping fails, the image is copied): every run of
// every way must show the same. The scribble agent overwrites all its
// memory and its global and grows its memory, so a later run that saw any of it (a mapping
// written through to the image, a reused buffer not cleared) would differ.
func TestMemoryImageRunsLikeSegments(t *testing.T) {
	goInput := runSpec{input: []byte("hello stdin"), args: []string{"a", "b"}, env: []string{"GREETING=hi"}}
	cases := []struct {
		name string
		wasm []byte
		spec runSpec
		want string // a part of what every run shows
	}{
		{"scribble", fixture(t, "scribble.wasm"), runSpec{}, `output="imagepage2703"`},
		{"minimal", fixture(t, "minimal.wasm"), runSpec{}, `output="hello from wasm"`},
		{"generate", fixture(t, "generate.wasm"), runSpec{}, "err=<nil>"},
		{"reactor", fixture(t, "reactor.wasm"), runSpec{}, `output="reactor:ABC1"`},
		{"reactor_passive", fixture(t, "reactor_passive.wasm"), runSpec{}, ""},
		{"reactor_initwrite", fixture(t, "reactor_initwrite.wasm"), runSpec{}, ""},
		{"oob", fixture(t, "oob.wasm"), runSpec{}, "out of bounds"},
		{"growfail", fixture(t, "growfail.wasm"), runSpec{lim: limits.Limits{Memory: 1 << 20}}, "grow refused at 16"},
		{"goagent", goAgent(t), goInput, "exit status 3"},
	}
	eng, err := NewWazero(context.Background(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.Close(context.Background()) })
	e := eng.(*wazeroEngine)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var first string
			for _, mode := range []imageMode{bySegments, byCopy, byMapping, byFallback} {
				if (mode == byCopy || mode == byFallback) && c.name == "goagent" {
					continue // its image is mapped; the copy of a large image is covered by scribble
				}
				m := imageModule(t, e, c.wasm, mode)
				for run := range 3 {
					got := runShown(t, m, c.spec)
					if first == "" {
						first = got
						if !bytes.Contains([]byte(got), []byte(c.want)) {
							t.Fatalf("%s run %d shows\n%s\nwant it to contain %q", mode, run, got, c.want)
						}
					}
					if got != first {
						t.Errorf("%s run %d shows\n%s\nthe first run showed\n%s", mode, run, got, first)
					}
				}
			}
		})
	}
}

// TestMemoryImageMapped checks that the large images of the scribble agent and the Go program
// are mapped (on Linux), and that a small one is copied.
func TestMemoryImageMapped(t *testing.T) {
	for _, c := range []struct {
		name   string
		wasm   []byte
		mapped bool
	}{
		{"scribble", fixture(t, "scribble.wasm"), goruntime.GOOS == "linux"},
		{"goagent", goAgent(t), goruntime.GOOS == "linux"},
		{"minimal", fixture(t, "minimal.wasm"), false},
	} {
		rep, err := Inspect(c.wasm)
		if err != nil {
			t.Fatal(err)
		}
		_, img := newMemoryImage(c.wasm, rep)
		if img == nil {
			t.Fatalf("%s: no memory image", c.name)
		}
		if got := img.file != nil; got != c.mapped {
			t.Errorf("%s: mapped = %v, want %v (image of %d bytes)", c.name, got, c.mapped, len(img.data))
		}
		img.Close()
	}
}

// TestSplitDataSegmentsKeeps checks the modules whose segments stay where they are: an
// imported memory, an offset that is not a constant, a segment past the initial memory.
func TestSplitDataSegmentsKeeps(t *testing.T) {
	imported, err := Inspect(fixture(t, "importedmem.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := splitDataSegments(fixture(t, "importedmem.wasm"), imported); ok {
		t.Error("split the segments of a module whose memory is imported")
	}
	mem := &Report{Memories: 1, Memory: &MemoryInfo{MinPages: 1}}
	// One active segment of 2 bytes: memory 0, offset expr, bytes.
	section := func(segment ...byte) []byte {
		m := append([]byte{}, wasmMagic...)
		m = append(m, 1, 0, 0, 0, secData)
		m = append(m, uleb(uint64(len(segment)+1))...)
		m = append(m, 1)
		return append(m, segment...)
	}
	for name, wasm := range map[string][]byte{
		"global offset":   section(0, 0x23, 0, 0x0b, 2, 'h', 'i'),
		"past the memory": section(0, 0x41, 0xff, 0xff, 0x03, 0x0b, 2, 'h', 'i'), // offset 65535
		"memory 1":        section(2, 1, 0x41, 0, 0x0b, 2, 'h', 'i'),
		"truncated":       section(0, 0x41, 0, 0x0b, 9, 'h', 'i'),
	} {
		if _, _, ok := splitDataSegments(wasm, mem); ok {
			t.Errorf("%s: segments split", name)
		}
	}
	// Without a data count section the emptied segment goes; with one it stays, emptied, so
	// that segment indices keep their meaning. The offset is 0 in a padded LEB.
	wasm := section(0, 0x41, 0x80, 0x80, 0, 0x0b, 2, 'h', 'i')
	stripped, image, ok := splitDataSegments(wasm, mem)
	if want := append(wasm[:9:9], 1, 0); !ok || !bytes.Equal(image, []byte("hi")) || !bytes.Equal(stripped, want) {
		t.Errorf("split = %x, %q, %v; want %x", stripped, image, ok, want)
	}
	counted := func(m []byte) []byte {
		return append(append(m[:8:8], secDataCount, 1, 1), m[8:]...)
	}
	stripped, image, ok = splitDataSegments(counted(wasm), mem)
	if want := counted(section(0, 0x41, 0x80, 0x80, 0, 0x0b, 0)); !ok || !bytes.Equal(image, []byte("hi")) || !bytes.Equal(stripped, want) {
		t.Errorf("split with a data count = %x, %q, %v; want %x", stripped, image, ok, want)
	}
}

// BenchmarkNewMemoryImage measures what Compile adds to every compile of the Go program, even
// one served from the disk cache: splitting its data segments out and writing the image file.
func BenchmarkNewMemoryImage(b *testing.B) {
	wasm := goAgent(b)
	rep, err := Inspect(wasm)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		_, img := newMemoryImage(wasm, rep)
		img.Close()
	}
}

// TestMemoryImageOnlyForTheAgent: wazero asks the run's allocator for the memory of every
// module instantiated under the run's context, an Extism tool plugin too; only the first, the
// agent's own, starts from the agent's image (a Go plugin given it failed with "objects with
// pointers must be zeroed").
func TestMemoryImageOnlyForTheAgent(t *testing.T) {
	for _, name := range []string{"minimal.wasm", "scribble.wasm"} {
		wasm := fixture(t, name)
		rep, err := Inspect(wasm)
		if err != nil {
			t.Fatal(err)
		}
		_, img := newMemoryImage(wasm, rep)
		if img == nil || len(img.data) == 0 {
			t.Fatalf("%s: no memory image", name)
		}
		lim := newMemoryLimit(1<<20, img)
		size := img.initial
		agent := lim.Allocate(size, size)
		plugin := lim.Allocate(size, size)
		if got := agent.Reallocate(size); !bytes.Equal(got[:len(img.data)], img.data) {
			t.Errorf("%s: the agent's memory does not start with the image", name)
		}
		if got := plugin.Reallocate(size); !bytes.Equal(got, make([]byte, size)) {
			t.Errorf("%s: another module's memory under the same context is not zero", name)
		}
		agent.Free()
		plugin.Free()
		img.Close()
	}
}
