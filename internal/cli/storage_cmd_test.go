package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/kernel/space"
	"github.com/aiosys/aios/kernel/storage"
	"github.com/aiosys/aios/packager/bundle"
)

// seedStorage writes keys into the storage of the data directory, as agents' storage_put does.
func seedStorage(t *testing.T, e operatorEnv, sp space.Space, kv ...string) {
	t.Helper()
	ctx := context.Background()
	if err := os.MkdirAll(e.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	s, err := storage.Open(ctx, filepath.Join(e.dir, aios.StorageFile), storage.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 0; i < len(kv); i += 2 {
		var err error
		if kv[i+1] == "\x00delete" {
			_, err = s.Delete(ctx, sp, kv[i])
		} else {
			_, err = s.Put(ctx, sp, kv[i], []byte(kv[i+1]))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

var writerSpace = space.Of(space.Identity{Name: "writer"})

func TestStorageBeforeAnyAgentStoredAnything(t *testing.T) {
	e := newOperatorEnv(t, "")
	out, errs := e.mustRun(t, "storage", "ls", "--agent", "writer")
	if out != "" || !strings.Contains(errs, "no storage yet at "+filepath.Join(e.dir, aios.StorageFile)) {
		t.Fatalf("stdout %q, stderr %q", out, errs)
	}
	if m, _ := filepath.Glob(filepath.Join(e.dir, aios.StorageFile+"*")); len(m) != 0 {
		t.Fatalf("aios storage ls created %v", m)
	}
}

func TestStorageLsGetHistory(t *testing.T) {
	e := newOperatorEnv(t, "")
	seedStorage(t, e, writerSpace, "notes/a", "one", "notes/a", "two", "notes/b", "bee", "gone", "x", "gone", "\x00delete", "other", "o")
	seedStorage(t, e, space.Of(space.Identity{Name: "reader"}), "notes/secret", "not the writer's")

	out, _ := e.mustRun(t, "storage", "ls", "notes/", "--agent", "writer")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "KEY") || !strings.HasPrefix(lines[1], "notes/a  ") || !strings.Contains(lines[1], " 2 ") || !strings.HasPrefix(lines[2], "notes/b") {
		t.Fatalf("storage ls notes/:\n%s", out)
	}

	out, _ = e.mustRun(t, "storage", "ls", "--agent", "writer", "--json")
	var keys []string
	dec := json.NewDecoder(strings.NewReader(out))
	for {
		var r storageKeyRow
		if err := dec.Decode(&r); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, r.Key)
	}
	if strings.Join(keys, ",") != "notes/a,notes/b,other" {
		t.Fatalf("storage ls --json keys = %v (a deleted key and another agent's must not show)", keys)
	}

	// Pages: stderr gives the cursor of the next one.
	out, errs := e.mustRun(t, "storage", "ls", "--agent", "writer", "--limit", "2")
	if strings.Contains(out, "other") || !strings.Contains(errs, `--after "notes/b"`) {
		t.Fatalf("first page:\n%s\nstderr: %s", out, errs)
	}
	out, _ = e.mustRun(t, "storage", "ls", "--agent", "writer", "--after", "notes/b")
	if !strings.Contains(out, "other") || strings.Contains(out, "notes/") {
		t.Fatalf("second page:\n%s", out)
	}

	if out, _ := e.mustRun(t, "storage", "get", "notes/a", "--agent", "writer"); out != "two" {
		t.Fatalf("storage get = %q", out)
	}
	if out, _ := e.mustRun(t, "storage", "get", "notes/a", "--agent", "writer", "--version", "1"); out != "one" {
		t.Fatalf("storage get --version 1 = %q", out)
	}
	out, _ = e.mustRun(t, "storage", "get", "notes/a", "--agent", "writer", "--json")
	var it storageItemRow
	if err := json.Unmarshal([]byte(out), &it); err != nil || string(it.Value) != "two" || it.Version != 2 || it.Size != 3 {
		t.Fatalf("storage get --json = %s (%v)", out, err)
	}

	out, _ = e.mustRun(t, "storage", "history", "gone", "--agent", "writer")
	lines = strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "2 ") || !strings.HasSuffix(lines[1], "yes") || !strings.HasSuffix(lines[2], "no") {
		t.Fatalf("storage history gone:\n%s", out)
	}
}

func TestStorageBadInputAndMissingKeys(t *testing.T) {
	e := newOperatorEnv(t, "")
	seedStorage(t, e, writerSpace, "k", "v", "gone", "x", "gone", "\x00delete")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"storage", "ls", "--agent", "writer", "--limit", "-1"}, ExitUsage, "--limit must be at least 1"},
		{[]string{"storage", "ls"}, ExitUsage, "--agent NAME or --bundle FILE"},
		{[]string{"storage", "ls", "--agent", "a", "--bundle", "b.wasm"}, ExitUsage, "give one"},
		{[]string{"storage", "ls", "--agent", "a", "--publisher", "alice"}, ExitUsage, "want a key ID"},
		{[]string{"storage", "history", "k", "--agent", "writer", "--before", "-3"}, ExitUsage, "--before must not be negative"},
		{[]string{"storage", "get", "k", "--agent", "writer", "--version", "-1"}, ExitUsage, "--version must not be negative"},
		{[]string{"storage", "get", "nosuch", "--agent", "writer"}, ExitNoInput, `"nosuch": not found in the storage of agent "writer"`},
		{[]string{"storage", "get", "k", "--agent", "reader"}, ExitNoInput, "not found"},
		{[]string{"storage", "get", "gone", "--agent", "writer"}, ExitNoInput, "not found"},
		{[]string{"storage", "get", "gone", "--agent", "writer", "--version", "2"}, ExitNoInput, "deleted in this version"},
		{[]string{"storage", "history", "nosuch", "--agent", "writer"}, ExitNoInput, "not found"},
		{[]string{"storage", "get", "a\x00b", "--agent", "writer"}, ExitUsage, "NUL"},
	} {
		code, _, errs := e.run(c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("aios %q: exit %d, stderr %q; want %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
	// An agent that stored nothing has no keys: an empty list, not an error.
	if out, _ := e.mustRun(t, "storage", "ls", "--agent", "nobody", "--json"); out != "" {
		t.Fatalf("storage ls of an unknown agent = %q", out)
	}
}

func TestStorageKeysAndValuesReachATerminalInert(t *testing.T) {
	e := newOperatorEnv(t, "")
	evil := "x\x1b]0;pwned\x07\nrm -rf /\u202e"
	seedStorage(t, e, writerSpace, evil, "v", "bin", "\xff\xfe\x00", "text", "hi\x1b[2J\n")
	out, _ := e.mustRun(t, "storage", "ls", "--agent", "writer")
	if strings.ContainsAny(out, "\x1b\x07\u202e") || !strings.Contains(out, `x\x1b]0;pwned\x07\nrm -rf /\u202e`) {
		t.Fatalf("storage ls printed the key raw:\n%q", out)
	}

	get := func(key string, terminal bool) (int, string, string) {
		var stdout, stderr bytes.Buffer
		streams := &IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}
		cmd := NewCmdStorageGet(streams, func(ctx context.Context, o *StorageGetOptions) error {
			o.isTerminal = func(io.Writer) bool { return terminal }
			return runStorageGet(ctx, o)
		})
		cmd.SetArgs([]string{key, "--agent", "writer", "--config", e.config})
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		cmd.SetOut(&stdout)
		cmd.SetErr(&stderr)
		code := 0
		if err := cmd.Execute(); err != nil {
			code = exitCode(err)
		}
		return code, stdout.String(), stderr.String()
	}
	if code, out, _ := get("bin", false); code != 0 || out != "\xff\xfe\x00" {
		t.Fatalf("a binary value to a pipe: exit %d, %q", code, out)
	}
	if code, out, _ := get("bin", true); code != ExitUsage || out != "" {
		t.Fatalf("a binary value at a terminal: exit %d, %q", code, out)
	}
	if code, out, _ := get("text", true); code != 0 || out != "hi\\x1b[2J\n" {
		t.Fatalf("a text value at a terminal: exit %d, %q", code, out)
	}
	if code, out, _ := get("text", false); code != 0 || out != "hi\x1b[2J\n" {
		t.Fatalf("a text value to a pipe: exit %d, %q", code, out)
	}
}

func TestStorageOfASignedBundle(t *testing.T) {
	e := newOperatorEnv(t, "")
	path, pubFile := clerkBundle(t)
	pub, err := bundle.LoadPublicKey(pubFile)
	if err != nil {
		t.Fatal(err)
	}
	keyID := bundle.KeyID(pub)
	seedStorage(t, e, space.Of(space.Identity{Publisher: keyID, Name: "clerk"}), "signed", "by the key")
	seedStorage(t, e, space.Of(space.Identity{Name: "clerk"}), "plain", "unsigned clerk")

	for _, args := range [][]string{
		{"--bundle", path, "--trust-key", pubFile},
		{"--agent", "clerk", "--publisher", keyID},
	} {
		out := e.mustRunOut(t, append([]string{"storage", "ls", "--json"}, args...)...)
		if !strings.Contains(out, `"key":"signed"`) || strings.Contains(out, "plain") {
			t.Fatalf("storage ls %q = %s", args, out)
		}
	}
	if out := e.mustRunOut(t, "storage", "get", "plain", "--agent", "clerk"); out != "unsigned clerk" {
		t.Fatalf("the unsigned clerk's value = %q", out)
	}
}
