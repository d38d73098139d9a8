package aios

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"
)

// msgBytesSyscalls are the message calls of ABI 1.4 (docs/ABI.md 4.2), which carry a message's
// body as bytes: no JSON, no base64, and no result to read unless a body is larger than the
// receive buffer. A platform that has them implements it beside syscalls.
type msgBytesSyscalls interface {
	msgSendBytes(to uint64, body []byte) Errno
	msgRecvBytes(timeoutNs int64, buf []byte, info *msgInfoBuf) Errno
}

// msgInfoBuf is the memory msg_recv_bytes describes the message in:
//
//	struct msg_info { u64 from; u32 len; u32 rid; }   // little-endian, 16 bytes
type msgInfoBuf [16]byte

func (b *msgInfoBuf) decode() (from uint64, n, rid uint32) {
	return binary.LittleEndian.Uint64(b[0:]), binary.LittleEndian.Uint32(b[8:]), binary.LittleEndian.Uint32(b[12:])
}

// inboxSize is the size of the buffer messages are received into; a longer body is read as a
// result.
const inboxSize = 4 << 10

// msgBytes returns the platform's ABI 1.4 message calls, when the host implements them.
func (a *abi) msgBytes() (msgBytesSyscalls, bool) {
	if a.ready() != nil {
		return nil, false
	}
	return a.msg, a.msg != nil
}

// sendBytes is Send over msg_send_bytes.
func (a *abi) sendBytes(s msgBytesSyscalls, to uint64, body []byte) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if e := s.msgSendBytes(to, body); e != 0 {
		return a.describe("msg_send_bytes", e)
	}
	return nil
}

// recvBytes is Recv over msg_recv_bytes: the body lands in the agent's inbox and is copied out
// of it; one longer than the inbox is read as the result the host kept it in.
func (a *abi) recvBytes(s msgBytesSyscalls, timeout time.Duration) (Mail, error) {
	ns := int64(timeout)
	if timeout < 0 {
		ns = -1
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.inbox == nil {
		a.inbox = make([]byte, inboxSize)
	}
	var info msgInfoBuf
	if e := s.msgRecvBytes(ns, a.inbox, &info); e != 0 {
		return Mail{}, a.describe("msg_recv_bytes", e)
	}
	from, n, rid := info.decode()
	if rid == 0 {
		if int(n) > len(a.inbox) {
			return Mail{}, &Error{Code: ErrInternal, Name: ErrInternal.String(), Call: "msg_recv_bytes",
				Message: fmt.Sprintf("the host reported a body of %d bytes in a buffer of %d", n, len(a.inbox))}
		}
		return Mail{From: from, Body: bytes.Clone(a.inbox[:n])}, nil
	}
	body := make([]byte, n)
	if e := a.sys.resultRead(rid, body); e != 0 {
		err := a.describe("result_read", e)
		a.sys.resultDrop(rid)
		return Mail{}, fmt.Errorf("msg_recv_bytes: read result: %w", err)
	}
	return Mail{From: from, Body: body}, nil
}
