package aios

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"time"
)

// Mail is a message from another agent of the same run (ABI 1.3).
type Mail struct {
	From uint64 `json:"from"` // the sender's process id
	Body []byte `json:"body"`
}

// Send puts body in the mailbox of agent to: this agent's parent (Parent), one of its
// children, or a sibling (another child of its parent), which policy must grant
// (calls = ["msg_send"]). Send never blocks: a full mailbox gives an error matching ErrAgain,
// and the sender may retry. A body past the host's bound (64 KiB by default) matches ErrTooBig;
// an agent that is not a relative, or has ended, ErrNotFound.
//
// On a host that implements ABI 1.4, Send and Recv use its msg_send_bytes and msg_recv_bytes,
// which carry the body as bytes; a module that calls them therefore needs such a host.
func Send(to uint64, body []byte) error {
	if s, ok := std.msgBytes(); ok {
		return std.sendBytes(s, to, body)
	}
	_, err := agentRequest[struct{}]{name: "msg_send", raw: sendBody(to, body), decode: empty("msg_send")}.run(std)
	return err
}

// Recv takes the oldest message in this agent's mailbox, waiting at most timeout for one
// (negative: without a deadline). With none in time the error matches ErrTimeout; with a zero
// timeout and an empty mailbox, ErrAgain.
func Recv(timeout time.Duration) (Mail, error) {
	if s, ok := std.msgBytes(); ok {
		return std.recvBytes(s, timeout)
	}
	return recvRequest(timeout).run(std)
}

// StartRecv starts Recv asynchronously, for WaitAny.
func StartRecv(timeout time.Duration) (*Pending[Mail], error) { return recvRequest(timeout).start(std) }

func recvRequest(timeout time.Duration) agentRequest[Mail] {
	raw := []byte(`{}`)
	if ms := millis(timeout); ms != nil {
		raw = strconv.AppendInt([]byte(`{"timeout_ms":`), *ms, 10)
		raw = append(raw, '}')
	}
	return agentRequest[Mail]{name: "msg_recv", raw: raw, decode: decodeMail}
}

// Messages are the calls an agent makes most often, so their bodies are written and read
// without reflection (encoding/json is slow in a wasm build); a result in any other shape than
// the host writes is read by encoding/json all the same.

// sendBody writes msg_send's body: {"to":N,"body":"base64"}.
func sendBody(to uint64, body []byte) []byte {
	b := make([]byte, 0, 24+base64.StdEncoding.EncodedLen(len(body)))
	b = strconv.AppendUint(append(b, `{"to":`...), to, 10)
	b = append(b, `,"body":"`...)
	b = base64.StdEncoding.AppendEncode(b, body)
	return append(b, `"}`...)
}

// decodeMail reads msg_recv's result.
func decodeMail(b []byte) (Mail, error) {
	if m, ok := parseMail(b); ok {
		return m, nil
	}
	return whole[Mail]("msg_recv")(b)
}

// parseMail reads exactly {"from":N,"body":"base64"}, the host's shape.
func parseMail(b []byte) (Mail, bool) {
	rest, ok := bytes.CutPrefix(b, []byte(`{"from":`))
	if !ok {
		return Mail{}, false
	}
	digits, rest, ok := bytes.Cut(rest, []byte(`,"body":"`))
	if !ok {
		return Mail{}, false
	}
	from, err := strconv.ParseUint(string(digits), 10, 64)
	if err != nil {
		return Mail{}, false
	}
	enc, ok := bytes.CutSuffix(rest, []byte(`"}`))
	if !ok || bytes.IndexByte(enc, '"') >= 0 {
		return Mail{}, false
	}
	body, err := base64.StdEncoding.AppendDecode([]byte{}, enc)
	if err != nil {
		return Mail{}, false
	}
	return Mail{From: from, Body: body}, true
}

// empty is the decoder of a result that carries nothing: {} (or any object).
func empty(call string) func([]byte) (struct{}, error) {
	return func(b []byte) (struct{}, error) {
		if string(b) == "{}" {
			return struct{}{}, nil
		}
		return whole[struct{}](call)(b)
	}
}
