package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/aiosys/aios/config"
)

// TestDemoCoreSnippets: the aios.toml lines the demo offers for real models load as they are,
// each as one core of the kind its label says.
func TestDemoCoreSnippets(t *testing.T) {
	script, err := os.ReadFile(filepath.Join("..", "..", "scripts", "demo.sh"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("OPENAI_API_KEY", "test")
	t.Setenv("ANTHROPIC_API_KEY", "test")
	want := map[string]string{"OpenAI": "openai", "Anthropic": "anthropic", "Ollama": "ollama", "vLLM": "openai"}
	lines := regexp.MustCompile(`(?m)^  (\w+): +(cores = .*)$`).FindAllSubmatch(script, -1)
	if len(lines) != len(want) {
		t.Fatalf("demo.sh offers %d core lines, want %d (one each for %v)", len(lines), len(want), want)
	}
	for _, l := range lines {
		label, toml := string(l[1]), l[2]
		path := filepath.Join(t.TempDir(), "aios.toml")
		if err := os.WriteFile(path, toml, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(path)
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		if len(cfg.Cores) != 1 || string(cfg.Cores[0].Kind) != want[label] {
			t.Errorf("%s: cores %+v, want one of kind %q", label, cfg.Cores, want[label])
		}
	}
}
