package aios

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestMessageBodies: the hand-written bodies read as encoding/json reads them, and a result
// in another shape than the host's usual one is still read.
func TestMessageBodies(t *testing.T) {
	for _, body := range [][]byte{nil, {}, []byte("hi"), []byte("\x00\xff\"\\}"), bytes.Repeat([]byte{0xfe}, 1000)} {
		var r msgSendRequest
		if err := json.Unmarshal(sendBody(1<<63, body), &r); err != nil || r.To != 1<<63 || !bytes.Equal(r.Body, body) {
			t.Errorf("sendBody(%q) reads as %+v, %v", body, r, err)
		}
		wire, _ := json.Marshal(Mail{From: 42, Body: body})
		m, err := decodeMail(wire)
		if err != nil || m.From != 42 || !bytes.Equal(m.Body, body) {
			t.Errorf("decodeMail(%s) = %+v, %v", wire, m, err)
		}
		if _, ok := parseMail(wire); !ok && body != nil { // the host writes "" for no body, never null
			t.Errorf("parseMail(%s) did not read the host's shape", wire)
		}
	}
	for _, wire := range []string{
		`{"body":"aGk=","from":7}`,
		`{ "from": 7, "body": "aGk=" }`,
		`{"from":7,"body":"aGk=","sent":"2026-01-01T00:00:00Z"}`,
		`{"from":7,"body":"aGk=","note":"x\"}"}`,
	} {
		m, err := decodeMail([]byte(wire))
		if err != nil || m.From != 7 || string(m.Body) != "hi" {
			t.Errorf("decodeMail(%s) = %+v, %v", wire, m, err)
		}
	}
	if _, err := decodeMail([]byte(`{"from":"x"}`)); err == nil {
		t.Error("decodeMail of a malformed result: no error")
	}
	if string(recvRequest(-1).raw) != `{}` || string(recvRequest(1500e6).raw) != `{"timeout_ms":1500}` {
		t.Errorf("recv bodies %s, %s", recvRequest(-1).raw, recvRequest(1500e6).raw)
	}
}
