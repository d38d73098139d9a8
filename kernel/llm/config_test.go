package llm

import (
	"strings"
	"testing"
	"time"
)

func TestNewErrors(t *testing.T) {
	t.Setenv("AIOS_TEST_EMPTY_KEY", "")
	tests := []struct {
		name string
		cfg  CoreConfig
		want string
	}{
		{"unknown kind", CoreConfig{Name: "x", Kind: "gpt"}, `core "x": unknown kind "gpt" (want one of echo, openai, anthropic, ollama)`},
		{"no kind", CoreConfig{Name: "x"}, `core "x": kind is required`},
		{"missing base_url", CoreConfig{Kind: KindOpenAI}, `core "openai": base_url is required`},
		{"bad base_url", CoreConfig{Kind: KindOpenAI, BaseURL: "127.0.0.1:8000"}, `must be an http:// or https:// URL`},
		{"empty key", CoreConfig{Kind: KindOpenAI, BaseURL: "http://h/v1", APIKeyEnv: "AIOS_TEST_EMPTY_KEY"},
			"api_key_env names AIOS_TEST_EMPTY_KEY, but that environment variable is empty or unset"},
		{"negative capacity", CoreConfig{Kind: KindEcho, Capacity: -1}, "capacity -1 is negative"},
		{"negative timeout", CoreConfig{Kind: KindEcho, Timeout: -time.Second}, "timeout -1s is negative"},
		{"negative latency", CoreConfig{Kind: KindEcho, Latency: -time.Second}, "latency -1s is negative"},
		{"latency on openai", CoreConfig{Kind: KindOpenAI, BaseURL: "http://h/v1", Latency: time.Second}, "latency applies only"},
		{"base_url on echo", CoreConfig{Kind: KindEcho, BaseURL: "http://h/v1"}, "no meaning for kind"},
		{"empty model", CoreConfig{Kind: KindEcho, Models: []string{"a", " "}}, "models[1] is empty"},
		{"anthropic without key", CoreConfig{Kind: KindAnthropic},
			`core "anthropic": api_key_env is required for kind "anthropic" with the default base_url https://api.anthropic.com`},
		{"anthropic /v1", CoreConfig{Kind: KindAnthropic, BaseURL: "https://api.anthropic.com/v1/"},
			"ends in /v1, but this kind wants the API root without /v1"},
		{"anthropic bad base_url", CoreConfig{Kind: KindAnthropic, BaseURL: "api.anthropic.com"}, "must be an http:// or https:// URL"},
		{"anthropic empty key", CoreConfig{Kind: KindAnthropic, APIKeyEnv: "AIOS_TEST_EMPTY_KEY"},
			"api_key_env names AIOS_TEST_EMPTY_KEY, but that environment variable is empty or unset"},
		{"ollama /v1", CoreConfig{Kind: KindOllama, BaseURL: "http://127.0.0.1:11434/v1"}, `use kind "openai"`},
		{"ollama bad base_url", CoreConfig{Kind: KindOllama, BaseURL: "ftp://h"}, "must be an http:// or https:// URL"},
		{"latency on ollama", CoreConfig{Kind: KindOllama, Latency: time.Second}, "latency applies only"},
	}
	for _, tt := range tests {
		_, err := New(tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

func TestNewKinds(t *testing.T) {
	t.Setenv("AIOS_TEST_KEY", "sk-test")
	echo, err := New(CoreConfig{Kind: KindEcho})
	if err != nil || echo.Name() != EchoName || !IsEcho(echo) {
		t.Fatalf("echo: %v, %v", echo, err)
	}
	oa, err := New(CoreConfig{Name: "local", Kind: KindOpenAI, BaseURL: "http://127.0.0.1:8000/v1",
		APIKeyEnv: "AIOS_TEST_KEY", Models: []string{"m"}})
	if err != nil {
		t.Fatal(err)
	}
	if oa.Name() != "local" || IsEcho(oa) || len(oa.Models()) != 1 || oa.Models()[0] != "m" {
		t.Errorf("openai core: name %q models %q", oa.Name(), oa.Models())
	}
	an, err := New(CoreConfig{Kind: KindAnthropic, APIKeyEnv: "AIOS_TEST_KEY", Models: []string{"claude"}})
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := an.(*anthropicCore); !ok || c.Name() != KindAnthropic || c.baseURL != DefaultAnthropicBaseURL {
		t.Errorf("anthropic core: %T %+v", an, an)
	}
	ol, err := New(CoreConfig{Name: "box", Kind: KindOllama, BaseURL: "http://gpu-box:11434", APIKeyEnv: "AIOS_TEST_KEY"})
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := ol.(*ollamaCore); !ok || c.Name() != "box" || c.base.String() != "http://gpu-box:11434" || c.key != "sk-test" {
		t.Errorf("ollama core: %T %+v", ol, ol)
	}
}
