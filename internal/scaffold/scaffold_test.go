package scaffold

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aiosys/aios/internal/scaffold/sdkcopy"
)

// TestSDKArchiveCurrent keeps the embedded SDK equal to sdk-go, so `aios new` never writes a
// stale SDK.
func TestSDKArchiveCurrent(t *testing.T) {
	want, err := sdkcopy.Archive(filepath.Join("..", "..", "sdk-go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sdkArchive, want) {
		t.Fatal("internal/scaffold/sdk-go.txtar differs from sdk-go: run go generate ./internal/scaffold")
	}
}

func TestCheckName(t *testing.T) {
	for _, ok := range []string{"a", "myagent", "my-agent_2", "0x", strings.Repeat("a", MaxNameLen)} {
		if err := CheckName(ok); err != nil {
			t.Errorf("CheckName(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"", "My", "-a", "a-", ".a", "a/b", `a\b`, "..", "a.b", "a b", "a\nb", "ä", strings.Repeat("a", MaxNameLen+1)} {
		if err := CheckName(bad); !errors.Is(err, ErrBadName) {
			t.Errorf("CheckName(%q) = %v, want ErrBadName", bad, err)
		}
	}
}

func TestWriteGo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "myagent")
	written, err := WriteGo(dir, "myagent", "v1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"main.go", "go.mod", "agent.toml", "Makefile", ".gitignore", "third_party/sdk-go/go.mod", "third_party/sdk-go/io.go"} {
		if !slices.Contains(written, f) {
			t.Errorf("WriteGo wrote %v, without %s", written, f)
		}
	}
	for _, f := range written {
		if strings.HasSuffix(f, "_test.go") {
			t.Errorf("WriteGo wrote a test file %s", f)
		}
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"module myagent\n", "replace github.com/aiosys/aios/sdk-go => ./third_party/sdk-go", "(v1.2.3)"} {
		if !bytes.Contains(gomod, []byte(want)) {
			t.Errorf("go.mod lacks %q:\n%s", want, gomod)
		}
	}
	// A second run refuses the now non-empty directory and changes nothing.
	before, _ := os.ReadFile(filepath.Join(dir, "main.go"))
	if _, err := WriteGo(dir, "myagent", "v1.2.3"); !errors.Is(err, ErrExists) {
		t.Fatalf("WriteGo into a non-empty directory = %v, want ErrExists", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "main.go"))
	if !bytes.Equal(before, after) {
		t.Error("WriteGo changed a file of an existing project")
	}
}

func TestWriteGoIntoEmptyDir(t *testing.T) {
	dir := t.TempDir()
	if _, err := WriteGo(dir, "x", "devel"); err != nil {
		t.Fatalf("WriteGo into an empty directory: %v", err)
	}
}

// TestWriteProjectUndoes checks that a project that cannot be written completely is removed:
// the directory when it was created, else what was written into the empty one.
func TestWriteProjectUndoes(t *testing.T) {
	// "a" is a file, so "a/b" cannot be written: the write fails half way.
	files := []projectFile{{name: "go.mod", data: []byte("x")}, {name: "a", data: []byte("x")}, {name: "sub/c", data: []byte("x")}, {name: "a/b", data: []byte("x")}}

	created := filepath.Join(t.TempDir(), "p")
	if _, err := writeProject(created, files); err == nil {
		t.Fatal("writeProject succeeded with a file in the way")
	}
	if _, err := os.Stat(created); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after a failed write the created directory is still there (%v)", err)
	}

	given := t.TempDir()
	if _, err := writeProject(given, files); err == nil {
		t.Fatal("writeProject succeeded with a file in the way")
	}
	entries, err := os.ReadDir(given)
	if err != nil || len(entries) != 0 {
		t.Errorf("after a failed write the given directory holds %v (%v), want nothing", entries, err)
	}
}
