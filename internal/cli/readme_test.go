package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/aiosys/aios/internal/scaffold"
)

// readmeHub is the hub the README's examples name; scripts run them against $HUBADDR.
const readmeHub = "localhost:5000"

// cmdReadme writes a shell code block of the README to a file, so scripts run the README's
// own text and the two cannot drift:
//
//	readme HEADING N FILE
//
// N counts the ```sh blocks under the "## HEADING" section from 1. The only change made is
// that localhost:5000, the hub the README names, becomes $HUBADDR.
func cmdReadme(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: readme HEADING N FILE")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil || n < 1 {
		ts.Fatalf("readme: %q is not a block number", args[1])
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot(ts), "README.md"))
	ts.Check(err)
	block, err := readmeBlock(readme, args[0], "sh", n)
	if err != nil {
		ts.Fatalf("readme: %v", err)
	}
	block = strings.ReplaceAll(block, readmeHub, ts.Getenv("HUBADDR"))
	ts.Check(os.WriteFile(ts.MkAbs(args[2]), []byte(block), 0o644))
}

// repoRoot is the repository's root: scripts run with the package directory two levels down.
func repoRoot(ts *testscript.TestScript) string {
	wd, err := os.Getwd()
	ts.Check(err)
	return filepath.Join(wd, "..", "..")
}

// readmeBlock returns the n-th ```lang block of the section under "## heading".
func readmeBlock(readme []byte, heading, lang string, n int) (string, error) {
	sc := bufio.NewScanner(bytes.NewReader(readme))
	inSection, inBlock, seen := false, false, 0
	var b strings.Builder
	for sc.Scan() {
		line := sc.Text()
		switch {
		case inBlock && line == "```":
			if seen == n {
				return b.String(), nil
			}
			inBlock = false
		case inBlock:
			if seen == n {
				b.WriteString(line + "\n")
			}
		case strings.HasPrefix(line, "## "):
			inSection = line == "## "+heading
		case inSection && line == "```"+lang:
			inBlock = true
			seen++
		}
	}
	return "", fmt.Errorf("README.md has no ```%s block %d under ## %s", lang, n, heading)
}

func TestReadmeBlock(t *testing.T) {
	md := []byte("# t\n## A\n```sh\na1\n```\n```go\nx\n```\n```sh\na2\nmore\n```\n## B\n```sh\nb1\n```\n")
	for _, c := range []struct {
		heading string
		n       int
		want    string
	}{{"A", 1, "a1\n"}, {"A", 2, "a2\nmore\n"}, {"B", 1, "b1\n"}} {
		got, err := readmeBlock(md, c.heading, "sh", c.n)
		if err != nil || got != c.want {
			t.Errorf("readmeBlock(%s, %d) = %q, %v; want %q", c.heading, c.n, got, err, c.want)
		}
	}
	if _, err := readmeBlock(md, "A", "sh", 3); err == nil {
		t.Error("readmeBlock(A, 3) found a block that is not there")
	}
}

// TestReadmeAgentIsTheScaffold keeps the agent the README shows equal to the main.go that
// aios new writes (less its opening comment).
func TestReadmeAgentIsTheScaffold(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	shown, err := readmeBlock(readme, "Writing an agent", "go", 1)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "myagent")
	if _, err := scaffold.WriteGo(dir, "myagent", "devel"); err != nil {
		t.Fatal(err)
	}
	mainGo, err := os.ReadFile(filepath.Join(dir, "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := strings.Cut(string(mainGo), "\npackage main\n")
	if !ok || "package main\n"+body != shown {
		t.Errorf("README's agent differs from the main.go aios new writes:\n%s", mainGo)
	}
}

// goEnv is the Go toolchain's environment for scripts that build agents: this test's build
// cache and module cache, so a script's build is quick and needs no network.
func goEnv(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	v := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(v) != 3 {
		t.Fatalf("go env printed %q", out)
	}
	return []string{"GOCACHE=" + v[0], "GOMODCACHE=" + v[1], "GOPATH=" + v[2], "GOTOOLCHAIN=local"}
}
