package main

//lint:file-ignore U1000 the host calls the //go:wasmexport functions, which staticcheck does not count as uses

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// jsonPickInput is json_pick's argument: a JSON document and a dotted path into it
// ("items.0.name"); an empty path picks the whole document.
type jsonPickInput struct {
	Document json.RawMessage `json:"document"`
	Path     string          `json:"path"`
}

// jsonPickOutput is json_pick's answer: Found says whether the path exists, Value is what is
// there (null when not found).
type jsonPickOutput struct {
	Found bool            `json:"found"`
	Value json.RawMessage `json:"value"`
}

// jsonPick exports json_pick: {"document": any, "path": "a.0.b"} → {"found", "value"}.
// Object keys are matched exactly; a segment that is a decimal number indexes an array.
//
//go:wasmexport json_pick
func jsonPick() int32 {
	return run(func(in jsonPickInput) (any, error) {
		if len(in.Document) == 0 {
			return nil, fmt.Errorf("document is missing")
		}
		return pick(in.Document, in.Path)
	})
}

func pick(doc json.RawMessage, path string) (jsonPickOutput, error) {
	notFound := jsonPickOutput{Value: json.RawMessage("null")}
	cur := doc
	if path != "" {
		for _, seg := range strings.Split(path, ".") {
			var obj map[string]json.RawMessage
			var arr []json.RawMessage
			switch {
			case json.Unmarshal(cur, &obj) == nil && obj != nil:
				next, ok := obj[seg]
				if !ok {
					return notFound, nil
				}
				cur = next
			case json.Unmarshal(cur, &arr) == nil && arr != nil:
				i, err := strconv.Atoi(seg)
				if err != nil || i < 0 || i >= len(arr) {
					return notFound, nil
				}
				cur = arr[i]
			default:
				return notFound, nil
			}
		}
	}
	var check any
	if err := json.Unmarshal(cur, &check); err != nil {
		return jsonPickOutput{}, fmt.Errorf("document is not valid JSON: %v", err)
	}
	return jsonPickOutput{Found: true, Value: cur}, nil
}
