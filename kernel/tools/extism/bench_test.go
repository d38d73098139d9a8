package extism

import (
	"context"
	"testing"

	sdk "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero"
)

// BenchmarkCall compares a textkit word_count call made directly on an Extism plugin
// instance with the same call through Source.Call, from its pool and with a fresh instance
// per call.
func BenchmarkCall(b *testing.B) {
	args := []byte(`{"text":"the quick brown fox jumps over the lazy dog"}`)
	want := `{"words":9,"chars":43,"lines":1,"bytes":43}`
	ctx := context.Background()

	b.Run("direct", func(b *testing.B) {
		compiled, err := sdk.NewCompiledPlugin(ctx, sdk.Manifest{
			Wasm:   []sdk.Wasm{sdk.WasmFile{Path: textkitWasm}},
			Memory: &sdk.ManifestMemory{MaxPages: DefaultMaxMemoryPages},
		}, sdk.PluginConfig{
			EnableWasi:    true,
			RuntimeConfig: wazero.NewRuntimeConfig().WithCompilationCache(testCache).WithCloseOnContextDone(true),
		}, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer compiled.Close(ctx)
		inst, err := compiled.Instance(ctx, sdk.PluginInstanceConfig{})
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			_, out, err := inst.CallWithContext(ctx, "word_count", args)
			if err != nil || string(out) != want {
				b.Fatalf("word_count = %s, %v", out, err)
			}
		}
	})
	for _, bc := range []struct {
		name      string
		instances int
	}{{"source", 0}, {"source-fresh-instance", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := textkitConfig()
			cfg.Instances = bc.instances
			s := newSourceT(b, cfg)
			for b.Loop() {
				res, err := s.Call(ctx, "word_count", args, 1<<20)
				if err != nil || res.Content != want {
					b.Fatalf("word_count = %+v, %v", res, err)
				}
			}
		})
	}
}
