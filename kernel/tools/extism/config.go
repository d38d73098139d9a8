// Package extism runs Extism plugins as tools (a tools.Source): WebAssembly modules whose
// exports take bytes and give bytes, run on wazero inside a sandbox that has no host
// functions, no files, no environment and no network, with bounded memory and a timeout.
//
// A plugin is compiled once, in New; calls run on instances from a small pool, one call per
// instance at a time. An instance that traps or times out is thrown away, so a crashing or
// hanging plugin fails its own call only.
//
// # Notes
//
// Extism's Go SDK honours the environment variable EXTISM_ENABLE_WASI_OUTPUT: when the host
// process has it set, a WASI plugin's stdout and stderr go to the host's. Do not set it on a
// kernel.
package extism

import (
	"encoding/json"
	"time"

	"github.com/tetratelabs/wazero"
)

// Config is one Extism plugin as the operator configures it ([[tools]] with kind "extism").
type Config struct {
	// Name names the plugin; it is every tool's Info.Source.
	Name string
	// Path is the plugin's .wasm file. Wasm, when not empty, is the module itself and
	// Path is ignored.
	Path string
	Wasm []byte
	// Functions are the tools: each is an export of the module, called with the tool's
	// arguments (JSON) as Extism input; its Extism output is the tool's text.
	Functions []Function
	// MaxMemoryPages bounds each of an instance's linear memories, in 64 KiB pages; zero
	// means DefaultMaxMemoryPages. The plugin's output lives in that memory, so it is also
	// the most output a call can make.
	MaxMemoryPages uint32
	// Timeout bounds each call, on top of the caller's context; zero means the context only.
	Timeout time.Duration
	// MaxOutputBytes, when positive, caps a call's output below the caller's limit.
	MaxOutputBytes int64
	// Instances is how many idle instances the plugin keeps for reuse; zero means
	// DefaultInstances, a negative number none (a new instance for every call). A reused
	// instance keeps the module's global state from earlier calls of the same caller
	// (tools.CallerOf, an agent); another caller's call never gets it.
	Instances int
	// Cache keeps compiled code; plugins that share one (wazero.NewCompilationCacheWithDir
	// keeps it across restarts) compile the same module once. Nil means a private in-memory
	// cache, freed by Close; a given cache is the caller's to close, after the sources.
	Cache wazero.CompilationCache
}

// Function is one export of the plugin offered as a tool.
type Function struct {
	Name        string
	Description string
	// Parameters is the JSON Schema of the arguments; empty means any JSON object.
	Parameters json.RawMessage
}

const (
	// DefaultMaxMemoryPages is 32 MiB per memory: room for a Go plugin's runtime and a few
	// MiB of input and output.
	DefaultMaxMemoryPages = 512
	// DefaultInstances is the idle pool's size when Config.Instances is zero.
	DefaultInstances = 4
)

// anyObject is the schema of a function whose Parameters are empty.
var anyObject = json.RawMessage(`{"type":"object"}`)
