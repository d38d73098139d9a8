package llm

import (
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"
)

// Core kinds that New understands.
const (
	// KindEcho is the built-in deterministic echo core (see Echo).
	KindEcho = "echo"
	// KindOpenAI is any server that speaks the OpenAI chat completions API: OpenAI itself, vLLM,
	// llama.cpp, Ollama's /v1, the llm-d inference simulator.
	KindOpenAI = "openai"
	// KindAnthropic is Anthropic's Messages API, or a gateway that speaks it.
	KindAnthropic = "anthropic"
	// KindOllama is an Ollama server, through its own /api/chat.
	KindOllama = "ollama"
)

// Kinds lists the core kinds New understands, in the order error messages name them.
var Kinds = []string{KindEcho, KindOpenAI, KindAnthropic, KindOllama}

// Default API roots of the kinds whose base_url may be left empty.
const (
	DefaultAnthropicBaseURL = "https://api.anthropic.com"
	DefaultOllamaBaseURL    = "http://127.0.0.1:11434"
)

// CoreConfig describes one LLM core: an [[cores]] table of aios.toml.
//
// The zero value of Capacity, Latency and Timeout means "no bound".
type CoreConfig struct {
	// Name identifies the core in routing, logs and responses; empty means Kind.
	Name string `toml:"name"`
	// Kind selects the implementation: "echo", "openai", "anthropic" or "ollama".
	Kind string `toml:"kind"`
	// BaseURL is the API root of the backend: for an openai core the root that ends in /v1 and
	// is required, e.g. "http://127.0.0.1:8000/v1"; for an anthropic core the root without
	// /v1, DefaultAnthropicBaseURL when empty; for an ollama core the server's address,
	// DefaultOllamaBaseURL when empty.
	BaseURL string `toml:"base_url"`
	// APIKeyEnv names the environment variable holding the API key. The key itself never goes
	// into the configuration file. Empty means the server needs no key.
	APIKeyEnv string `toml:"api_key_env"`
	// Models lists the model names the core serves; the first is used when a request names
	// none. Empty means any model (and, for any kind but echo, requests must name one).
	Models []string `toml:"models"`
	// Capacity is the most requests the core has in flight; more wait for a free slot.
	Capacity int `toml:"capacity"`
	// Latency is the echo core's delay before each streamed word.
	Latency time.Duration `toml:"latency"`
	// Timeout bounds one request to the backend, from the moment it holds a capacity slot.
	Timeout time.Duration `toml:"timeout"`
	// ContextWindow is the models' context window in tokens (prompt plus output), for a backend
	// that does not report one; zero means unknown. See ContextWindow.
	ContextWindow int `toml:"context_window"`
}

// EffectiveName returns the name the core will have: Name, or Kind when Name is empty.
func (c CoreConfig) EffectiveName() string {
	if c.Name != "" {
		return c.Name
	}
	return c.Kind
}

// Validate checks c without reading the environment or touching the network.
func (c CoreConfig) Validate() error {
	if err := c.validate(); err != nil {
		return fmt.Errorf("core %q: %w", c.EffectiveName(), err)
	}
	return nil
}

func (c CoreConfig) validate() error {
	if err := c.validateKind(); err != nil {
		return err
	}
	if c.Kind != KindEcho && c.Latency != 0 {
		return fmt.Errorf("latency applies only to kind %q", KindEcho)
	}
	if c.Capacity < 0 {
		return fmt.Errorf("capacity %d is negative (0 means no bound)", c.Capacity)
	}
	if c.Latency < 0 {
		return fmt.Errorf("latency %s is negative", c.Latency)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("timeout %s is negative (0 means no bound)", c.Timeout)
	}
	if c.ContextWindow < 0 {
		return fmt.Errorf("context_window %d is negative (0 means unknown)", c.ContextWindow)
	}
	for i, m := range c.Models {
		if strings.TrimSpace(m) == "" {
			return fmt.Errorf("models[%d] is empty", i)
		}
	}
	return nil
}

// validateKind checks the kind and the settings whose meaning depends on it.
func (c CoreConfig) validateKind() error {
	switch c.Kind {
	case KindEcho:
		if c.BaseURL != "" || c.APIKeyEnv != "" {
			return fmt.Errorf("base_url and api_key_env have no meaning for kind %q", KindEcho)
		}
		return nil
	case KindOpenAI:
		if c.BaseURL == "" {
			return fmt.Errorf("base_url is required for kind %q", KindOpenAI)
		}
		return checkBaseURL(c.BaseURL, "http://127.0.0.1:8000/v1")
	case KindAnthropic:
		if c.BaseURL == "" {
			if c.APIKeyEnv == "" {
				return fmt.Errorf("api_key_env is required for kind %q with the default base_url %s", KindAnthropic, DefaultAnthropicBaseURL)
			}
			return nil
		}
		if err := checkBaseURL(c.BaseURL, DefaultAnthropicBaseURL); err != nil {
			return err
		}
		return refuseV1(c.BaseURL, "the API root without /v1, e.g. "+DefaultAnthropicBaseURL)
	case KindOllama:
		if c.BaseURL == "" {
			return nil
		}
		if err := checkBaseURL(c.BaseURL, DefaultOllamaBaseURL); err != nil {
			return err
		}
		return refuseV1(c.BaseURL, "the server's address, e.g. "+DefaultOllamaBaseURL+
			" (for Ollama's OpenAI-compatible /v1, use kind \""+KindOpenAI+"\")")
	case "":
		return fmt.Errorf("kind is required (one of %s)", strings.Join(Kinds, ", "))
	default:
		return fmt.Errorf("unknown kind %q (want one of %s)", c.Kind, strings.Join(Kinds, ", "))
	}
}

func checkBaseURL(raw, example string) error {
	u, err := url.Parse(raw)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return nil
	}
	return fmt.Errorf("base_url %q must be an http:// or https:// URL with a host, e.g. %s", raw, example)
}

// refuseV1 rejects a base_url ending in /v1 for a kind whose client adds the API's own path.
func refuseV1(raw, want string) error {
	if strings.HasSuffix(strings.TrimRight(raw, "/"), "/v1") {
		return fmt.Errorf("base_url %q ends in /v1, but this kind wants %s", raw, want)
	}
	return nil
}

// New returns the core cfg describes. It validates cfg and, for cores that need a key, reads the
// variable cfg.APIKeyEnv names; it does not contact the backend.
func New(cfg CoreConfig) (Core, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Kind == KindEcho {
		return NewEcho(cfg)
	}
	key, err := apiKey(cfg)
	if err != nil {
		return nil, err
	}
	switch cfg.Kind {
	case KindAnthropic:
		return newAnthropic(cfg, key)
	case KindOllama:
		return newOllama(cfg, key)
	default:
		return newOpenAI(cfg, key)
	}
}

func apiKey(cfg CoreConfig) (string, error) {
	if cfg.APIKeyEnv == "" {
		return "", nil
	}
	key := os.Getenv(cfg.APIKeyEnv)
	if key == "" {
		return "", fmt.Errorf("core %q: api_key_env names %s, but that environment variable is empty or unset",
			cfg.EffectiveName(), cfg.APIKeyEnv)
	}
	return key, nil
}
