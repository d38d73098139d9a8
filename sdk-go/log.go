package aios

import "fmt"

// Level is the severity of a log line.
type Level uint32

// The log levels of the ABI's log call.
const (
	LevelDebug Level = 0
	LevelInfo  Level = 1
	LevelWarn  Level = 2
	LevelError Level = 3
)

// Log appends msg to the agent's log at level. The host silently truncates the log past its
// limit, so an error here means the call itself failed (for example, an unknown level).
func Log(level Level, msg string) error {
	return std.do("log", func(s syscalls) Errno { return s.log(uint32(level), []byte(msg)) })
}

// Debugf logs a formatted line at LevelDebug. Like the helpers beside it, it is best effort:
// it ignores errors, because a failed log line should not stop an agent. Use Log to see them.
func Debugf(format string, args ...any) { logf(LevelDebug, format, args) }

// Infof logs a formatted line at LevelInfo, ignoring errors.
func Infof(format string, args ...any) { logf(LevelInfo, format, args) }

// Warnf logs a formatted line at LevelWarn, ignoring errors.
func Warnf(format string, args ...any) { logf(LevelWarn, format, args) }

// Errorf logs a formatted line at LevelError, ignoring errors. Unlike fmt.Errorf it does not
// return an error value; it writes to the agent's log, as in glog and klog.
func Errorf(format string, args ...any) { logf(LevelError, format, args) }

func logf(level Level, format string, args []any) {
	_ = Log(level, fmt.Sprintf(format, args...))
}
