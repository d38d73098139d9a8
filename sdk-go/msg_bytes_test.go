package aios

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"
)

// msgSendBytes is ABI 1.4's msg_send_bytes on the fake host's mailboxes, with msg_send's
// checks.
func (h *fakeHost) msgSendBytes(to uint64, body []byte) Errno {
	const name = "msg_send_bytes"
	w := &h.agents13
	h.sent = append(h.sent, sentCall{name, string(body)})
	switch {
	case h.minor < 4:
		return h.fail(name, ErrNoSys, "no such call")
	case len(body) > 16:
		return h.fail(name, ErrTooBig, "the message is too large")
	case w.children[to] == nil && to != 1:
		return h.fail(name, ErrNotFound, "no such agent in the caller's tree")
	}
	w.sentMail = append(w.sentMail, msgSendRequest{To: to, Body: bytes.Clone(body)})
	return 0
}

// msgRecvBytes is ABI 1.4's msg_recv_bytes on the fake host's mailbox: a body longer than buf
// is kept as a result.
func (h *fakeHost) msgRecvBytes(timeoutNs int64, buf []byte, info *msgInfoBuf) Errno {
	const name = "msg_recv_bytes"
	w := &h.agents13
	w.recvTimeouts = append(w.recvTimeouts, timeoutNs)
	switch {
	case h.minor < 4:
		return h.fail(name, ErrNoSys, "no such call")
	case len(h.results) >= 64:
		return h.fail(name, ErrLimit, "64 unread results")
	case len(w.mailbox) == 0 && timeoutNs == 0:
		return h.fail(name, ErrAgain, "no message is waiting")
	case len(w.mailbox) == 0:
		return h.fail(name, ErrTimeout, "no message in time")
	}
	m := w.mailbox[0]
	w.mailbox = w.mailbox[1:]
	var rid uint32
	if len(m.Body) <= len(buf) {
		copy(buf, m.Body)
	} else {
		h.rids++
		rid = h.rids
		h.results[rid] = bytes.Clone(m.Body)
	}
	binary.LittleEndian.PutUint64(info[0:], m.From)
	binary.LittleEndian.PutUint32(info[8:], uint32(len(m.Body)))
	binary.LittleEndian.PutUint32(info[12:], rid)
	return 0
}

// TestSendRecvBytes: on a 1.4 host, Send and Recv carry the body as bytes (msg_send_bytes,
// msg_recv_bytes) with the same outcomes as over JSON; a body longer than the inbox is read as
// a result, and a received body is the caller's own.
func TestSendRecvBytes(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	if err := Send(1, []byte("hello\x00parent")); err != nil {
		t.Fatal(err)
	}
	if got := h.agents13.sentMail; len(got) != 1 || got[0].To != 1 || string(got[0].Body) != "hello\x00parent" {
		t.Errorf("sent = %+v", got)
	}
	if h.lastSent("msg_send") != nil {
		t.Error("Send on a 1.4 host used msg_send")
	}
	var e *Error
	if err := Send(1, []byte(strings.Repeat("x", 17))); !errors.Is(err, ErrTooBig) || !errors.As(err, &e) || e.Message == "" {
		t.Errorf("a message past the bound: %v, want ErrTooBig with the host's explanation", err)
	}
	if err := Send(42, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("to a stranger: %v, want ErrNotFound", err)
	}
	if _, err := Recv(0); !errors.Is(err, ErrAgain) {
		t.Errorf("Recv(0) on an empty mailbox: %v, want ErrAgain", err)
	}
	if _, err := Recv(1500 * time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Errorf("Recv(1.5s) on an empty mailbox: %v, want ErrTimeout", err)
	}
	long := bytes.Repeat([]byte{0xfe}, inboxSize+1)
	h.agents13.mailbox = []Mail{{From: 7, Body: []byte("hi")}, {From: 8, Body: long}, {From: 9}, {From: 10, Body: []byte("yo")}}
	var got []Mail
	for range 4 {
		m, err := Recv(-1)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
	}
	if got[0].From != 7 || string(got[0].Body) != "hi" || got[1].From != 8 || !bytes.Equal(got[1].Body, long) ||
		got[2].From != 9 || got[2].Body == nil || len(got[2].Body) != 0 || got[3].From != 10 || string(got[3].Body) != "yo" {
		t.Errorf("received %+v", got)
	}
	if want := []int64{0, 1500e6, -1, -1, -1, -1}; !slicesEqual(h.agents13.recvTimeouts, want) {
		t.Errorf("timeouts %v, want %v", h.agents13.recvTimeouts, want)
	}
	if h.lastSent("msg_recv") != nil {
		t.Error("Recv on a 1.4 host used msg_recv")
	}
	h.checkClean(t)
}

// TestRecvBytesHostMisreports: a body reported as in the inbox but longer than it, or kept
// under a result id that cannot be read, is an error naming msg_recv_bytes, not a panic.
func TestRecvBytesHostMisreports(t *testing.T) {
	for name, info := range map[string][3]uint32{"too long for the inbox": {7, inboxSize + 1, 0}, "unknown result": {7, 10, 12345}} {
		h := newFakeHost()
		lie := &lyingInfo{fakeHost: h}
		binary.LittleEndian.PutUint64(lie.info[0:], uint64(info[0]))
		binary.LittleEndian.PutUint32(lie.info[8:], info[1])
		binary.LittleEndian.PutUint32(lie.info[12:], info[2])
		old := std
		std = newABI(lie)
		_, err := Recv(-1)
		std = old
		if err == nil || !strings.Contains(err.Error(), "msg_recv_bytes") {
			t.Errorf("%s: %v, want an error naming msg_recv_bytes", name, err)
		}
	}
}

// lyingInfo answers msg_recv_bytes with the info it holds, whatever the mailbox holds.
type lyingInfo struct {
	*fakeHost
	info msgInfoBuf
}

func (h *lyingInfo) msgRecvBytes(_ int64, _ []byte, info *msgInfoBuf) Errno {
	*info = h.info
	return 0
}

func slicesEqual(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
