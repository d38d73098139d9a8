package cli

import (
	"bytes"
	"net"
	"strings"
	"testing"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/internal/telemetry/otlptest"
)

func TestRunExportsTracesToOTLPEndpointFromEnv(t *testing.T) {
	recv := otlptest.NewReceiver(t)
	t.Setenv("AIOS_CONFIG", "")
	t.Setenv("AIOS_DATA_DIR", t.TempDir())
	t.Setenv(EnvLogFormat, "")
	t.Setenv(config.EnvOTLPEndpoint, recv.URL)
	var out, errOut bytes.Buffer
	if code := Main([]string{"run", fixturePath("generate.wasm"), "--tenant", "acme"}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	// aios run closes its System before it returns, which sends the spans it holds.
	_, spans := recv.Received()
	names := map[string]int{}
	for _, s := range spans {
		names[s.Name]++
		if s.Name == "aios.run" && (s.Attr("aios.agent") != "generate" || s.Attr("aios.tenant") != "acme" || s.Attr("aios.exit_code") != "0") {
			t.Errorf("run span attributes %v", s.Attributes)
		}
	}
	for _, name := range []string{"aios.run", "aios.start", "aios.llm_generate", "aios.output"} {
		if names[name] != 1 {
			t.Errorf("%d %s spans, want 1 (all: %v)", names[name], name, names)
		}
	}

	// Without an endpoint nothing is sent.
	t.Setenv(config.EnvOTLPEndpoint, "")
	before, _ := recv.Received()
	if code := Main([]string{"run", fixturePath("generate.wasm")}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if after, _ := recv.Received(); after != before {
		t.Errorf("without an endpoint the receiver got %d more requests", after-before)
	}
}

func TestRunWithReceiverDownLogsRecords(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close()
	t.Setenv(config.EnvOTLPEndpoint, down)
	code, stdout, recs := runLogJSON(t, fixturePath("minimal.wasm"))
	if code != 0 || stdout != "hello from wasm\n" {
		t.Fatalf("a receiver that is down must not fail the run: exit %d, %q", code, stdout)
	}
	r := find(recs, map[string]any{"level": "WARN", "origin": "aios"})
	if r == nil || !strings.Contains(r["msg"].(string), "traces export") {
		t.Errorf("no warning record about the failed export among %v", recs)
	}
}
