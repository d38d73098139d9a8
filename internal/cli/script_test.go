package cli

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets scripts run `aios` as a command: the test binary re-executes itself as aios.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"aios": func() { os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script.
//
// Each script starts in a work directory holding minimal.wasm (testdata/minimal.wasm, the
// smallest well-formed agent), with $AIOS_DATA_DIR inside it and $HUBADDR a free loopback
// address for a hub. $FIXTURES holds the repository's testdata/*.wasm and goagent.wasm;
// $SAMPLES the sample agents hello.wasm, fanout.wasm and react.wasm; $PLUGINS the Extism plugin
// textkit.wasm; $RUST_AGENTS the Rust agents hello-rust.wasm and calls.wasm (buildRustAgents); $RESEARCH the research team
// of samples/research, planner.wasm, researcher.wasm and writer.wasm (buildResearchTeam); $MCP_EVERYTHING the reference MCP server (scripts/ensure-mcp.sh installs it). Go builds share this test's build and
// module caches (goEnv). Besides testscript's built-ins, scripts may use the commands of
// scriptCmds.
func TestScripts(t *testing.T) {
	minimal, err := os.ReadFile(filepath.Join("..", "..", "testdata", "minimal.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	fixtures, samples, plugins := buildAgents(t)
	rustAgents := buildRustAgents(t)
	research := buildResearchTeam(t)
	everything, err := filepath.Abs(filepath.Join("..", "..", "tools", "mcp", "node_modules", ".bin", "mcp-server-everything"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(everything); err != nil {
		t.Fatalf("the MCP test server is not installed (%v): run scripts/ensure-mcp.sh (make deps does)", err)
	}
	goenv := goEnv(t)
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		Cmds:                scriptCmds,
		Setup: func(env *testscript.Env) error {
			if err := os.WriteFile(filepath.Join(env.WorkDir, "minimal.wasm"), minimal, 0o644); err != nil {
				return err
			}
			addr, err := freeLoopbackAddr()
			if err != nil {
				return err
			}
			env.Setenv("AIOS_DATA_DIR", filepath.Join(env.WorkDir, ".aios"))
			env.Setenv("FIXTURES", fixtures)
			env.Setenv("SAMPLES", samples)
			env.Setenv("PLUGINS", plugins)
			env.Setenv("RUST_AGENTS", rustAgents)
			env.Setenv("RESEARCH", research)
			env.Setenv("MCP_EVERYTHING", everything)
			env.Setenv("HUBADDR", addr)
			env.Vars = append(env.Vars, goenv...)
			return nil
		},
	})
}

// freeLoopbackAddr returns a loopback address with a port nothing listens on right now.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	return addr, nil
}
