package aios

import (
	"encoding/binary"
	"encoding/json"
	"strconv"
	"testing"
)

// fakeHost is an in-memory model of the aios host side of docs/ABI.md, section 4, for testing
// the SDK's use of the ABI on the host. Time is a counter: a submitted request's MaxTokens is
// its duration in ticks, a call finishes when the clock reaches its doneAt, and a wait without a
// deadline advances the clock to the earliest one; a wait with a deadline never advances it.
type fakeHost struct {
	major, minor uint32 // the ABI version the host implements; newFakeHost sets 1.4
	versionCalls int

	in      []byte
	out     []byte
	logs    []string
	levels  []uint32
	outMax  int // 0: unlimited
	inFlMax int // 0: unlimited

	// answer produces the outcome of a generation request.
	answer   func(req generateRequest) (Response, Errno)
	requests []generateRequest
	embeds   []embedRequest

	store12          // memory, storage and tools (ABI 1.2): fakehost12_test.go
	agents13 world13 // agents and messages (ABI 1.3): agent_fakehost_test.go
	ticks12  int     // how long a call of ABI 1.2 started with submit takes

	now     int
	calls   map[uint32]*fakeCall
	handles uint32

	results    map[uint32][]byte
	rids       uint32
	lastErr    *Error
	silent     bool // do not record last_error, as a host with nothing to report
	understate bool // report every result one byte shorter than it is
}

type fakeCall struct {
	doneAt   int
	resp     Response
	value    any // the result body poll gives: resp for a generation
	errno    Errno
	msg      string   // the failure's explanation
	chunks   []string // unread stream chunks
	stream   bool
	canceled bool
}

func newFakeHost() *fakeHost {
	return &fakeHost{
		major:   1,
		minor:   4,
		calls:   map[uint32]*fakeCall{},
		results: map[uint32][]byte{},
		store12: newStore12(),
		ticks12: 1,
		answer: func(req generateRequest) (Response, Errno) {
			return Response{Text: "echo: " + req.Messages[len(req.Messages)-1].Content, FinishReason: "stop", Model: "echo", Core: "echo"}, 0
		},
	}
}

// useHost makes the package's exported functions talk to h for the rest of the test.
func useHost(t *testing.T, h *fakeHost) {
	t.Helper()
	old := std
	std = newABI(h)
	t.Cleanup(func() { std = old })
}

func (h *fakeHost) fail(call string, e Errno, msg string) Errno {
	if !h.silent {
		h.lastErr = &Error{Code: e, Name: e.String(), Call: call, Message: msg}
	}
	return e
}

func (h *fakeHost) store(call string, body []byte, out *resultBuf) Errno {
	if len(h.results) >= 64 {
		return h.fail(call, ErrLimit, "64 unread results")
	}
	h.rids++
	h.results[h.rids] = body
	binary.LittleEndian.PutUint32(out[0:4], h.rids)
	n := len(body)
	if h.understate && n > 0 {
		n--
	}
	binary.LittleEndian.PutUint32(out[4:8], uint32(n))
	return 0
}

func (h *fakeHost) storeJSON(call string, v any, out *resultBuf) Errno {
	b, err := json.Marshal(v)
	if err != nil {
		return h.fail(call, ErrInternal, err.Error())
	}
	return h.store(call, b, out)
}

func (h *fakeHost) abiVersion(major, minor uint32) Errno {
	h.versionCalls++
	if major != h.major || minor > h.minor {
		return h.fail("abi_version", ErrNotSupported, "host implements "+strconv.FormatUint(uint64(h.major), 10)+"."+strconv.FormatUint(uint64(h.minor), 10))
	}
	return 0
}

func (h *fakeHost) input(out *resultBuf) Errno { return h.store("input", h.in, out) }

func (h *fakeHost) output(b []byte) Errno {
	if h.outMax > 0 && len(h.out)+len(b) > h.outMax {
		return h.fail("output", ErrLimit, "output limit reached")
	}
	h.out = append(h.out, b...)
	return 0
}

func (h *fakeHost) log(level uint32, msg []byte) Errno {
	if level > 3 {
		return h.fail("log", ErrInvalid, "unknown level")
	}
	h.levels = append(h.levels, level)
	h.logs = append(h.logs, string(msg))
	return 0
}

func (h *fakeHost) decode(call string, body []byte) (generateRequest, Errno) {
	var req generateRequest
	if err := json.Unmarshal(body, &req); err != nil || len(req.Messages) == 0 {
		return req, h.fail(call, ErrInvalid, "malformed request")
	}
	h.requests = append(h.requests, req)
	return req, 0
}

func (h *fakeHost) llmGenerate(body []byte, out *resultBuf) Errno {
	req, e := h.decode("llm_generate", body)
	if e != 0 {
		return e
	}
	resp, e := h.answer(req)
	if e != 0 {
		return h.fail("llm_generate", e, "generation failed")
	}
	return h.storeJSON("llm_generate", resp, out)
}

// llmEmbed answers every input with the vector [bytes, words].
func (h *fakeHost) llmEmbed(body []byte, out *resultBuf) Errno {
	var req embedRequest
	if err := json.Unmarshal(body, &req); err != nil || len(req.Input) == 0 {
		return h.fail("llm_embed", ErrInvalid, "bad EmbedRequest")
	}
	h.embeds = append(h.embeds, req)
	if req.Model == "none" {
		return h.fail("llm_embed", ErrNotFound, "no core computes embeddings with that model")
	}
	resp := embedResponse{Model: req.Model, Core: "fake"}
	for _, s := range req.Input {
		resp.Vectors = append(resp.Vectors, []float32{float32(len(s)), float32(len(splitWords(s)))})
	}
	return h.storeJSON("llm_embed", resp, out)
}

// submit starts llm_generate, whose MaxTokens is its duration, or a call of ABI 1.2, which
// takes ticks12 ticks and has its outcome decided at once.
func (h *fakeHost) submit(call, body []byte, handle *uint32) Errno {
	if string(call) != "llm_generate" && (h.minor < 2 || !calls12[string(call)]) && (h.minor < 3 || !calls13[string(call)]) {
		return h.fail("submit", ErrNoSys, "unknown call "+string(call))
	}
	if h.inFlMax > 0 && len(h.calls) >= h.inFlMax {
		return h.fail("submit", ErrLimit, "calls in flight")
	}
	var c *fakeCall
	if string(call) == "llm_generate" {
		req, e := h.decode("submit", body)
		if e != 0 {
			return e
		}
		resp, e := h.answer(req)
		c = &fakeCall{resp: resp, value: resp, errno: e, msg: "generation failed", stream: req.Stream, doneAt: h.now + req.MaxTokens}
		if req.Stream && e == 0 {
			c.chunks = splitWords(resp.Text)
		}
	} else {
		v, e := h.serve(string(call), body)
		c = &fakeCall{value: v, errno: e, doneAt: h.now + h.ticks12}
		if e != 0 && h.lastErr != nil {
			c.msg = h.lastErr.Message
		}
	}
	h.handles++
	h.calls[h.handles] = c
	*handle = h.handles
	return 0
}

// finished reports whether c has its final outcome: its time has come and a stream's chunks
// have all been read.
func (h *fakeHost) finished(c *fakeCall) bool {
	return c.canceled || (h.now >= c.doneAt && len(c.chunks) == 0)
}

func (h *fakeHost) poll(handle uint32, out *resultBuf) Errno {
	c, ok := h.calls[handle]
	if !ok {
		return h.fail("poll", ErrBadHandle, "unknown handle")
	}
	if !h.finished(c) {
		return ErrAgain
	}
	delete(h.calls, handle)
	if c.canceled {
		return h.fail("poll", ErrCanceled, "cancelled")
	}
	if c.errno != 0 {
		return h.fail("poll", c.errno, c.msg)
	}
	return h.storeJSON("poll", c.value, out)
}

func (h *fakeHost) wait(handles []uint32, timeoutNs int64, index *uint32) Errno {
	earliest := -1
	for i, id := range handles {
		c, ok := h.calls[id]
		if !ok {
			return h.fail("wait", ErrBadHandle, "unknown handle")
		}
		if h.finished(c) || len(c.chunks) > 0 {
			*index = uint32(i)
			return 0
		}
		if earliest < 0 || c.doneAt < h.calls[handles[earliest]].doneAt {
			earliest = i
		}
	}
	if timeoutNs >= 0 {
		return h.fail("wait", ErrTimeout, "deadline passed")
	}
	h.now = h.calls[handles[earliest]].doneAt
	*index = uint32(earliest)
	return 0
}

func (h *fakeHost) cancel(handle uint32) Errno {
	c, ok := h.calls[handle]
	if !ok {
		return h.fail("cancel", ErrBadHandle, "unknown handle")
	}
	if !h.finished(c) {
		c.canceled = true
		c.chunks = nil
	}
	return 0
}

func (h *fakeHost) streamNext(handle uint32, out *resultBuf) Errno {
	c, ok := h.calls[handle]
	if !ok || !c.stream {
		return h.fail("stream_next", ErrBadHandle, "not a stream")
	}
	if len(c.chunks) == 0 {
		if c.errno == 0 || c.canceled {
			return ErrEOF
		}
		return h.fail("stream_next", c.errno, "generation failed")
	}
	chunk := c.chunks[0]
	c.chunks = c.chunks[1:]
	return h.storeJSON("stream_next", Chunk{Text: chunk}, out)
}

func (h *fakeHost) resultRead(rid uint32, buf []byte) Errno {
	b, ok := h.results[rid]
	if !ok {
		return h.fail("result_read", ErrBadHandle, "unknown result")
	}
	if len(buf) < len(b) {
		return h.fail("result_read", ErrRange, "buffer too small")
	}
	copy(buf, b)
	delete(h.results, rid)
	return 0
}

func (h *fakeHost) resultDrop(rid uint32) Errno {
	if _, ok := h.results[rid]; !ok {
		return h.fail("result_drop", ErrBadHandle, "unknown result")
	}
	delete(h.results, rid)
	return 0
}

func (h *fakeHost) lastError(out *resultBuf) Errno {
	if h.lastErr == nil {
		return ErrNotFound
	}
	return h.storeJSON("last_error", h.lastErr, out)
}

// splitWords cuts s after every space, so the chunks concatenate back to s.
func splitWords(s string) []string {
	var out []string
	start := 0
	for i := range len(s) {
		if s[i] == ' ' {
			out = append(out, s[start:i+1])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// checkClean fails the test if the host still holds results or handles the SDK should have
// released.
func (h *fakeHost) checkClean(t *testing.T) {
	t.Helper()
	if len(h.results) != 0 {
		t.Errorf("host holds %d unread results; want 0", len(h.results))
	}
	if len(h.calls) != 0 {
		t.Errorf("host holds %d unreleased handles; want 0", len(h.calls))
	}
}
