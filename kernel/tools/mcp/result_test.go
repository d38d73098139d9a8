package mcp

import (
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestResultSummarizesWhatIsNotText(t *testing.T) {
	size := int64(9)
	res := toResult(&sdk.CallToolResult{Content: []sdk.Content{
		&sdk.TextContent{Text: "a"},
		&sdk.AudioContent{MIMEType: "audio/wav", Data: make([]byte, 3)},
		&sdk.ResourceLink{Name: "notes", URI: "file:///n", Size: &size},
		&sdk.EmbeddedResource{Resource: &sdk.ResourceContents{URI: "file:///t", Text: "inline"}},
		&sdk.EmbeddedResource{Resource: &sdk.ResourceContents{URI: "file:///b", MIMEType: "application/zip", Blob: make([]byte, 4)}},
	}, IsError: true}, 1000)
	want := "a\n[audio audio/wav 3 bytes]\n[resource link notes file:///n]\ninline\n[resource file:///b application/zip 4 bytes]"
	if res.Content != want || !res.IsError || res.Truncated || res.Bytes != int64(len(want)) {
		t.Errorf("result = %+v, want %q", res, want)
	}
}

func TestResultOfStructuredContentOnly(t *testing.T) {
	res := toResult(&sdk.CallToolResult{StructuredContent: map[string]int{"n": 1}}, 1000)
	if res.Content != `{"n":1}` {
		t.Errorf("content = %q", res.Content)
	}
}

func TestResultCutKeepsNothingAfterTheCut(t *testing.T) {
	res := toResult(&sdk.CallToolResult{Content: []sdk.Content{
		&sdk.TextContent{Text: "ab€"}, // € is 3 bytes: a cut at 4 falls inside it
		&sdk.TextContent{Text: "c"},
	}}, 4)
	if res.Content != "ab" || !res.Truncated || res.Bytes != 7 {
		t.Errorf("result = %+v, want ab, truncated, 7 bytes", res)
	}
}
