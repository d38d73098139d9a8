package extism

import (
	"context"
	"encoding/json"
	"testing"
)

func TestToolsListsConfiguredFunctions(t *testing.T) {
	s := newSourceT(t, textkitConfig())
	infos, err := s.Tools(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 3 {
		t.Fatalf("got %d tools, want 3", len(infos))
	}
	for i, want := range []string{"word_count", "slugify", "json_pick"} {
		info := infos[i]
		if info.Name != want || info.Kind != "extism" || info.Source != "textkit" || info.Description == "" {
			t.Errorf("tool %d = %+v", i, info)
		}
		var schema map[string]any
		if err := json.Unmarshal(info.Parameters, &schema); err != nil || schema["type"] != "object" {
			t.Errorf("tool %s parameters %s", info.Name, info.Parameters)
		}
	}
}

func TestWordCount(t *testing.T) {
	s := newSourceT(t, textkitConfig())
	for _, tc := range []struct{ text, want string }{
		{"", `{"words":0,"chars":0,"lines":0,"bytes":0}`},
		{"one two  three\nfour\n", `{"words":4,"chars":20,"lines":2,"bytes":20}`},
		{"héllo wörld", `{"words":2,"chars":11,"lines":1,"bytes":13}`},
	} {
		args, _ := json.Marshal(map[string]string{"text": tc.text})
		if got := mustCall(t, s, "word_count", string(args)); got != tc.want {
			t.Errorf("word_count(%q) = %s, want %s", tc.text, got, tc.want)
		}
	}
}

func TestSlugify(t *testing.T) {
	s := newSourceT(t, textkitConfig())
	for _, tc := range []struct{ args, want string }{
		{`{"text":"Hello, World! 2026"}`, `{"slug":"hello-world-2026"}`},
		{`{"text":"  Ünïcode  Straße "}`, `{"slug":"ünïcode-straße"}`},
		{`{"text":"one two three","max_length":8}`, `{"slug":"one-two"}`},
		{`{"text":"--- !!! ---"}`, `{"slug":""}`},
	} {
		if got := mustCall(t, s, "slugify", tc.args); got != tc.want {
			t.Errorf("slugify(%s) = %s, want %s", tc.args, got, tc.want)
		}
	}
}

func TestJSONPick(t *testing.T) {
	s := newSourceT(t, textkitConfig())
	doc := `{"items":[{"name":"a"},{"name":"b","tags":["x","y"]}],"n":null}`
	for _, tc := range []struct{ path, want string }{
		{"items.1.name", `{"found":true,"value":"b"}`},
		{"items.1.tags", `{"found":true,"value":["x","y"]}`},
		{"items.2", `{"found":false,"value":null}`},
		{"items.x", `{"found":false,"value":null}`},
		{"n", `{"found":true,"value":null}`},
		{"n.deeper", `{"found":false,"value":null}`},
	} {
		args, _ := json.Marshal(map[string]any{"document": json.RawMessage(doc), "path": tc.path})
		if got := mustCall(t, s, "json_pick", string(args)); got != tc.want {
			t.Errorf("json_pick(%q) = %s, want %s", tc.path, got, tc.want)
		}
	}
}

// TestTextkitBadInputIsToolError: a plugin that rejects its input reports an error result,
// not a Go error, and its instance stays usable.
func TestTextkitBadInputIsToolError(t *testing.T) {
	s := newSourceT(t, textkitConfig())
	for _, tc := range []struct{ name, args string }{
		{"word_count", `{"text": 5}`},
		{"slugify", `{"text":"a","max_length":-1}`},
		{"json_pick", `{"path":"a"}`},
	} {
		res, err := call(t, context.Background(), s, tc.name, tc.args, 1000)
		if err != nil {
			t.Fatalf("%s(%s): %v", tc.name, tc.args, err)
		}
		if !res.IsError || res.Content == "" {
			t.Errorf("%s(%s) = %+v, want an error result", tc.name, tc.args, res)
		}
	}
	if got := mustCall(t, s, "slugify", `{"text":"still works"}`); got != `{"slug":"still-works"}` {
		t.Errorf("after errors: %s", got)
	}
}
