package aios

import (
	"errors"
	"reflect"
	"testing"
)

func TestRequestEncode(t *testing.T) {
	tests := []struct {
		name   string
		req    Request
		stream bool
		want   string
	}{
		{
			name: "prompt",
			req:  Prompt("Say hello"),
			want: `{"model":"","messages":[{"role":"user","content":"Say hello"}],"max_tokens":0,"temperature":null,"stream":false}`,
		},
		{
			name: "every field",
			req: Request{
				Model:       "small",
				Messages:    []Message{SystemMessage("Be brief."), UserMessage("Hi"), AssistantMessage("Hello.")},
				MaxTokens:   64,
				Temperature: Temperature(0.5),
			},
			stream: true,
			want:   `{"model":"small","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello."}],"max_tokens":64,"temperature":0.5,"stream":true}`,
		},
		{
			name: "zero temperature is sent",
			req:  Request{Messages: []Message{UserMessage("x")}, Temperature: Temperature(0)},
			want: `{"model":"","messages":[{"role":"user","content":"x"}],"max_tokens":0,"temperature":0,"stream":false}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.req.encode("llm_generate", tt.stream)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if string(b) != tt.want {
				t.Errorf("encode =\n%s\nwant\n%s", b, tt.want)
			}
		})
	}
}

func TestRequestEncodeRefusesInvalid(t *testing.T) {
	for name, req := range map[string]Request{
		"no messages":     {Model: "small"},
		"negative tokens": {Messages: []Message{UserMessage("x")}, MaxTokens: -1},
	} {
		if _, err := req.encode("submit", false); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: encode error = %v, want ErrInvalid", name, err)
		}
	}
}

func TestResponseDecode(t *testing.T) {
	body := []byte(`{"text":"Hello!","finish_reason":"stop","model":"m","core":"echo","usage":{"input_tokens":3,"output_tokens":2},"later_field":1}`)
	var r Response
	if err := decodeBody("llm_generate", body, &r); err != nil {
		t.Fatal(err)
	}
	want := Response{Text: "Hello!", FinishReason: "stop", Model: "m", Core: "echo", Usage: Usage{InputTokens: 3, OutputTokens: 2}}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("decoded %+v, want %+v", r, want)
	}
	if err := decodeBody("llm_generate", []byte(`{"text":`), &r); err == nil {
		t.Error("decoding a truncated body succeeded")
	}
}

func TestResultBufDecode(t *testing.T) {
	b := resultBuf{0x01, 0x02, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff}
	got := b.decode()
	if got.rid != 0x0201 || got.len != 0xffffffff {
		t.Errorf("decode = %+v, want rid 0x201 and len 0xffffffff (little-endian)", got)
	}
}
