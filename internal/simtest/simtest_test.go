package simtest

import (
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestStartServesModels(t *testing.T) {
	base := Start(t, "--model=other-model")
	if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.HasSuffix(base, "/v1") {
		t.Fatalf("base URL %q", base)
	}
	resp, err := http.Get(base + "/models")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"other-model"`) {
		t.Errorf("GET /models: %d %s", resp.StatusCode, body)
	}
}

func TestWithDefaults(t *testing.T) {
	tests := []struct{ in, want []string }{
		{nil, []string{"--model", Model, "--mode", "echo", "--force-dummy-tokenizer"}},
		{[]string{"--mode", "random", "--model=m"}, []string{"--mode", "random", "--model=m", "--force-dummy-tokenizer"}},
	}
	for _, tt := range tests {
		if got := withDefaults(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("withDefaults(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMissingBinaryNamesBuildCommand(t *testing.T) {
	t.Setenv("AIOS_SIM", "")
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := binary(); err != nil && !strings.Contains(err.Error(), BuildCommand) {
		t.Errorf("missing-binary error %q does not say how to build it", err)
	}
	t.Setenv("AIOS_SIM", root+"/no/such/sim")
	if _, err := binary(); err == nil || !strings.Contains(err.Error(), "AIOS_SIM") {
		t.Errorf("AIOS_SIM pointing nowhere: err = %v", err)
	}
}
