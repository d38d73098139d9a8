package hostcalls

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/aiosys/aios/kernel"
)

// The message calls of ABI 1.4 (docs/ABI.md 4.2): msg_send and msg_recv with the body as bytes
// in guest memory instead of a JSON request and result, so that a message costs the guest no
// encoding and no result_read. The kernel decides, audits and counts them as msg_send and
// msg_recv.

// msgInfoSize is the size of the struct msg_recv_bytes writes at info_out:
//
//	struct msg_info { u64 from; u32 len; u32 rid; }
const msgInfoSize = 16

// msgSendBytes implements msg_send_bytes(to i64, body_ptr, body_len).
func msgSendBytes(ctx context.Context, g *Guest, mem Memory, p []uint64) error {
	pid, err := pidOf("msg_send_bytes", int64(p[0]))
	if err != nil {
		return err
	}
	body, err := viewRequest(mem, p[1], p[2], g.lim.Request)
	if err != nil {
		return err
	}
	unblock := g.block()                     // policy may ask for a confirmation
	err = g.proc.SendMessage(ctx, pid, body) // which copies body before the guest runs again
	unblock()
	return err
}

// msgRecvBytes implements msg_recv_bytes(timeout_ns i64, buf_ptr, buf_len, info_out). The
// ranges and the room for a result are checked before a message is taken, so a message is
// never taken and then lost.
func msgRecvBytes(ctx context.Context, g *Guest, mem Memory, p []uint64) error {
	timeout, buf, n, info := time.Duration(p[0]), p[1], p[2], p[3]
	if timeout < 0 {
		timeout = -1
	}
	if err := checkRange(mem, info, msgInfoSize); err != nil {
		return err
	}
	if err := checkRange(mem, buf, n); err != nil {
		return err
	}
	if err := g.prepareResult(mem, info); err != nil {
		return err
	}
	unblock := g.block()
	m, err := g.proc.RecvMessage(ctx, timeout)
	unblock()
	if err != nil {
		return err
	}
	var rid uint32
	if uint64(len(m.Body)) <= n {
		err = write(mem, buf, m.Body)
	} else {
		rid, err = g.keep(m.Body)
	}
	if err != nil {
		return err
	}
	var out [msgInfoSize]byte
	binary.LittleEndian.PutUint64(out[0:], uint64(m.From))
	binary.LittleEndian.PutUint32(out[8:], uint32(len(m.Body)))
	binary.LittleEndian.PutUint32(out[12:], rid)
	return write(mem, info, out[:])
}

// keep stores body as a new result, for result_read, and returns its id.
func (g *Guest) keep(body []byte) (uint32, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if uint64(len(body)) > g.lim.Response {
		return 0, fail(E2BIG, fmt.Sprintf("message of %d bytes is larger than the response limit (%d bytes)", len(body), g.lim.Response))
	}
	return g.storeLocked(body)
}

// ReceivedFrom reports the sender of the message a journaled call received: a successful
// msg_recv (its result) or msg_recv_bytes (the msg_info it wrote at info_out). A resumed run's
// mailbox drops the copies of what its journal shows it received (kernel.Process.NoteReceived).
func (c *Call) ReceivedFrom() (kernel.PID, bool) {
	if c.Trap != "" || c.Errno() != uint64(OK) {
		return 0, false
	}
	switch c.Name {
	case "msg_recv":
		if len(c.Delivered) == 0 {
			return 0, false
		}
		var m messageBody
		if json.Unmarshal(c.Delivered[len(c.Delivered)-1].Body, &m) != nil || m.From == 0 || m.From > math.MaxInt64 {
			return 0, false
		}
		return kernel.PID(m.From), true
	case "msg_recv_bytes":
		if len(c.Params) < 4 {
			return 0, false
		}
		for _, w := range c.Writes {
			if uint64(w.Off) == c.Params[3] && len(w.Data) == msgInfoSize {
				from := binary.LittleEndian.Uint64(w.Data)
				return kernel.PID(from), from != 0 && from <= math.MaxInt64
			}
		}
	}
	return 0, false
}

// sentMessage returns the recipient and body of a journaled msg_send or msg_send_bytes that a
// resumed guest replays, reading its request from the guest's memory, which holds it again.
func sentMessage(c *Call, mem Memory) (kernel.PID, []byte, bool) {
	switch c.Name {
	case "msg_send":
		var r msgSendRequest
		if b, ok := readParams(c, mem, 0); ok && decodeBody("msg_send", b, &r) == nil && r.To > 0 {
			return kernel.PID(r.To), r.Body, true
		}
	case "msg_send_bytes":
		if b, ok := readParams(c, mem, 1); ok && c.Params[0] != 0 && c.Params[0] <= math.MaxInt64 {
			return kernel.PID(c.Params[0]), bytes.Clone(b), true
		}
	}
	return 0, nil, false
}

// readParams reads the guest memory range a call's parameters i and i+1 (ptr, len) name.
func readParams(c *Call, mem Memory, i int) ([]byte, bool) {
	if len(c.Params) < i+2 || c.Params[i] > math.MaxUint32 || c.Params[i+1] > math.MaxUint32 {
		return nil, false
	}
	return mem.Read(uint32(c.Params[i]), uint32(c.Params[i+1]))
}
