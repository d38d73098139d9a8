package hostcalls

import (
	"bytes"
	"sync"

	"github.com/aiosys/aios/kernel"
)

// maxLine is the longest line a stdio stream buffers; a longer one is logged in pieces of this
// size, so a guest that never writes a newline cannot grow host memory.
const maxLine = 64 << 10

// lineWriter turns a byte stream (stdout or stderr) into log lines at one level.
type lineWriter struct {
	mu    sync.Mutex
	level int
	buf   []byte // the current partial line
}

// write logs every complete line of b and keeps the rest for the next write.
func (w *lineWriter) write(proc *kernel.Process, b []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			i = len(b)
		}
		room := maxLine - len(w.buf)
		if i > room {
			w.buf = append(w.buf, b[:room]...)
			w.emitLocked(proc)
			b = b[room:]
			continue
		}
		if i == len(b) {
			w.buf = append(w.buf, b...)
			return
		}
		if len(w.buf) == 0 {
			proc.Log(w.level, string(b[:i]))
		} else {
			w.buf = append(w.buf, b[:i]...)
			w.emitLocked(proc)
		}
		b = b[i+1:]
	}
}

// flush logs the partial line, if any.
func (w *lineWriter) flush(proc *kernel.Process) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.emitLocked(proc)
	}
}

func (w *lineWriter) emitLocked(proc *kernel.Process) {
	proc.Log(w.level, string(w.buf))
	w.buf = w.buf[:0]
}
