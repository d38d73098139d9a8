package extism

// maxStderr bounds what is kept of a plugin's standard error during one call.
const maxStderr = 1024

// stderrBuffer keeps the first maxStderr bytes a plugin writes to standard error in a call,
// where a Go plugin's runtime writes its panic message before it traps. Only the goroutine
// running the instance's call touches it.
type stderrBuffer struct {
	buf []byte
}

// Write keeps what fits and reports everything written, so the plugin never sees an error.
func (b *stderrBuffer) Write(p []byte) (int, error) {
	room := maxStderr - len(b.buf)
	b.buf = append(b.buf, p[:min(len(p), max(room, 0))]...)
	return len(p), nil
}

// take returns what was written since the last take and empties the buffer.
func (b *stderrBuffer) take() string {
	s := string(b.buf)
	b.buf = b.buf[:0]
	return s
}
