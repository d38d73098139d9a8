package config

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/limits"
)

// isolate points every location Load consults into a fresh temporary directory.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	t.Setenv(EnvConfig, "")
	t.Setenv(EnvDataDir, "")
	t.Setenv(EnvOTLPEndpoint, "")
	return dir
}

func writeFile(t *testing.T, dir, text string) string {
	t.Helper()
	p := filepath.Join(dir, "aios.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadDefaultsWithoutFile(t *testing.T) {
	dir := isolate(t)
	cfg, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.DataDir = filepath.Join(dir, "data", "aios")
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got %+v\nwant %+v", cfg, want)
	}
	cores := cfg.CoresOrEcho()
	if len(cores) != 1 || cores[0].Kind != llm.KindEcho || cores[0].Name != llm.EchoName {
		t.Errorf("CoresOrEcho = %+v, want one echo core", cores)
	}

	t.Setenv("XDG_DATA_HOME", "")
	cfg, err = Load("")
	if err != nil || cfg.DataDir != filepath.Join(dir, ".local", "share", "aios") {
		t.Errorf("without XDG_DATA_HOME: %q, %v", cfg.DataDir, err)
	}
}

func TestLoadDefaultLocation(t *testing.T) {
	dir := isolate(t)
	if err := os.MkdirAll(filepath.Join(dir, "config", "aios"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "config", "aios"), `data_dir = "state"`)
	cfg, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Path != filepath.Join(dir, "config", "aios", "aios.toml") || cfg.DataDir != filepath.Join(dir, "config", "aios", "state") {
		t.Errorf("path %q data dir %q", cfg.Path, cfg.DataDir)
	}
}

func TestLoadMissingNamedFile(t *testing.T) {
	dir := isolate(t)
	missing := filepath.Join(dir, "nope.toml")
	if _, err := Load(missing); err == nil || !strings.Contains(err.Error(), "nope.toml") {
		t.Errorf("Load(missing) err = %v, want an error naming the file", err)
	}
	t.Setenv(EnvConfig, missing)
	if _, err := Load(""); err == nil {
		t.Error("Load with AIOS_CONFIG naming a missing file succeeded")
	}
}

func TestLoadFullFile(t *testing.T) {
	dir := isolate(t)
	p := writeFile(t, dir, `
data_dir = "/var/lib/aios"

[[cores]]
name = "local"
kind = "openai"
base_url = "http://127.0.0.1:8000/v1"
api_key_env = "LOCAL_KEY"
models = ["a", "b"]
capacity = 4
timeout = "1m30s"

[[cores]]
kind = "echo"
latency = "5ms"

[limits]
memory = "64MiB"
cpu_time = "30s"
wall_time = "1h"
stack = 524288
log = "2 KiB"
output = "1MB"
request = "512KiB"
response = "1GiB"
in_flight = 8
`)
	cfg, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Path:    p,
		DataDir: "/var/lib/aios",
		Cores: []Core{
			{CoreConfig: llm.CoreConfig{Name: "local", Kind: "openai", BaseURL: "http://127.0.0.1:8000/v1", APIKeyEnv: "LOCAL_KEY",
				Models: []string{"a", "b"}, Capacity: 4, Timeout: 90 * time.Second}},
			{CoreConfig: llm.CoreConfig{Kind: "echo", Latency: 5 * time.Millisecond}},
		},
		Scheduler: DefaultScheduler(),
		Limits: limits.Limits{
			Memory: 64 << 20, CPUTime: 30 * time.Second, WallTime: time.Hour, Stack: 512 << 10,
			Log: 2 << 10, Output: 1e6, Request: 512 << 10, Response: 1 << 30, InFlight: 8,
		},
		Audit:     DefaultAudit(),
		Journal:   Journal{MaxAge: DefaultJournalMaxAge},
		Preinit:   Preinit{MaxCached: DefaultPreinitCached},
		Telemetry: Telemetry{SampleRatio: 1, ServiceName: DefaultServiceName},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got  %+v\nwant %+v", cfg, want)
	}
}

func TestLoadPartialLimitsKeepDefaults(t *testing.T) {
	dir := isolate(t)
	cfg, err := Load(writeFile(t, dir, "[limits]\nmemory = \"1GiB\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := limits.Defaults()
	want.Memory = 1 << 30
	if cfg.Limits != want {
		t.Errorf("limits %+v, want %+v", cfg.Limits, want)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"unknown top-level key", "data_dir = \"/x\"\ncolour = \"blue\"\n",
			[]string{`line 2: unknown key "colour"`}},
		{"unknown limit", "[limits]\nmemory = 1\n\n memroy = \"1MiB\"\n",
			[]string{`line 4: unknown key "limits.memroy"`}},
		{"unknown core key", "[[cores]]\nkind = \"echo\"\n[[cores]]\nkind = \"echo\"\nname = \"e2\"\nmodel = \"x\"\n",
			[]string{`line 6: unknown key "cores.model"`}},
		{"unknown dotted key", "limits.stak = 5\n",
			[]string{`line 1: unknown key "limits.stak"`}},
		{"bad size", "[limits]\nmemory = \"12 parsecs\"\n",
			[]string{"line 2", `size "12 parsecs"`, "MiB"}},
		{"negative size", "[limits]\nstack = -1\n",
			[]string{"line 2", `size "-1"`}},
		{"fractional size", "[limits]\nlog = 1.5\n",
			[]string{"line 2", "size"}},
		{"size overflow", "[limits]\nmemory = \"99999999999TiB\"\n",
			[]string{"too large"}},
		{"duration without unit", "[limits]\ncpu_time = 30\n",
			[]string{"line 2", `duration "30"`, `e.g. "30s"`}},
		{"negative duration", "[[cores]]\nkind = \"echo\"\ntimeout = \"-1s\"\n",
			[]string{"line 3", `duration "-1s" is negative`}},
		{"negative in_flight", "[limits]\nin_flight = -2\n",
			[]string{"in_flight -2 is negative"}},
		{"bad kind", "[[cores]]\nkind = \"gpt\"\n",
			[]string{`cores[0]: core "gpt": unknown kind "gpt"`}},
		{"duplicate names", "[[cores]]\nkind = \"echo\"\n[[cores]]\nname = \"echo\"\nkind = \"echo\"\n",
			[]string{`cores[0] and cores[1] are both named "echo"`}},
		{"syntax", "[limits\n", []string{"toml: line", "to end table name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			_, err := Load(writeFile(t, dir, tt.text))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestEnvOverrides(t *testing.T) {
	dir := isolate(t)
	p := writeFile(t, dir, "data_dir = \"/from/file\"\n")
	t.Setenv(EnvConfig, p)
	t.Setenv(EnvDataDir, "/from/env")
	cfg, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Path != p || cfg.DataDir != "/from/env" {
		t.Errorf("path %q data dir %q, want %q and /from/env", cfg.Path, cfg.DataDir, p)
	}
	// An explicit path wins over AIOS_CONFIG.
	other := filepath.Join(dir, "other.toml")
	if err := os.WriteFile(other, []byte("[[cores]]\nkind = \"echo\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err = Load(other)
	if err != nil || cfg.Path != other || len(cfg.Cores) != 1 {
		t.Errorf("Load(other) = %+v, %v", cfg, err)
	}
	// A relative AIOS_DATA_DIR is made absolute against the working directory.
	t.Setenv(EnvDataDir, "rel")
	cfg, err = Load(other)
	wd, _ := os.Getwd()
	if err != nil || cfg.DataDir != filepath.Join(wd, "rel") {
		t.Errorf("relative AIOS_DATA_DIR: %q, %v", cfg.DataDir, err)
	}
}

func TestSampleConfigLoads(t *testing.T) {
	isolate(t)
	cfg, err := Load(filepath.Join("..", "samples", "aios.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Cores) != 2 || cfg.Cores[0].Kind != llm.KindOpenAI || cfg.Cores[0].BaseURL != "http://127.0.0.1:8000/v1" ||
		cfg.Cores[1].Kind != llm.KindEcho {
		t.Errorf("sample cores: %+v", cfg.Cores)
	}
	if cfg.Limits != limits.Defaults() {
		t.Errorf("sample limits %+v differ from the defaults the docs state %+v", cfg.Limits, limits.Defaults())
	}
}

// TestFileKeysMatch keeps the file structs in step with the types they fill: a key added to
// llm.CoreConfig, Core, Scheduler or limits.Limits must be readable from aios.toml.
func TestFileKeysMatch(t *testing.T) {
	coreKeys := append(tomlKeys(llm.CoreConfig{}), "rpm", "tpm", "price_in", "price_out", "class", "weight")
	if got := tomlKeys(fileCore{}); !reflect.DeepEqual(got, coreKeys) {
		t.Errorf("fileCore keys %q, want llm.CoreConfig's and Core's %q", got, coreKeys)
	}
	if got, want := len(tomlKeys(Core{})), 1+len(coreKeys)-len(tomlKeys(llm.CoreConfig{})); got != want {
		t.Errorf("Core has %d fields, fileCore reads %d of its own: add the new key to fileCore", got, want)
	}
	if got, want := len(tomlKeys(fileScheduler{})), len(tomlKeys(Scheduler{})); got != want {
		t.Errorf("fileScheduler has %d keys, Scheduler %d fields", got, want)
	}
	if got, want := tomlKeys(fileLimits{}), tomlKeys(limits.Limits{}); !reflect.DeepEqual(got, want) {
		t.Errorf("fileLimits keys %q, limits.Limits keys %q", got, want)
	}
}

func tomlKeys(v any) []string {
	var keys []string
	rt := reflect.TypeOf(v)
	for i := range rt.NumField() {
		keys = append(keys, rt.Field(i).Tag.Get("toml"))
	}
	return keys
}

func TestTrustAndHubTables(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, `
[trust]
keys = ["keys/alice.pub", "sha256:0123"]
require_signature = true

[hub]
default = "hub.example.com"
cache_dir = "cache"
`)
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "keys", "alice.pub"), "sha256:0123"}
	if !slices.Equal(cfg.Trust.Keys, want) || !cfg.Trust.RequireSignature {
		t.Fatalf("trust = %+v, want keys %v relative to the file and signatures required", cfg.Trust, want)
	}
	if cfg.Hub.Default != "hub.example.com" || cfg.BundleCache() != filepath.Join(dir, "cache") {
		t.Fatalf("hub = %+v, cache %q", cfg.Hub, cfg.BundleCache())
	}
}
