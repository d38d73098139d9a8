package aios

import "fmt"

// Input returns the run input: the bytes given to `aios run`. It may be empty.
func Input() ([]byte, error) {
	return std.doResult("input", func(s syscalls, out *resultBuf) Errno { return s.input(out) })
}

// Output appends b to the run output. When the output limit would be passed, nothing is appended
// and the error matches ErrLimit.
func Output(b []byte) error {
	return std.do("output", func(s syscalls) Errno { return s.output(b) })
}

// Outputf formats like fmt.Sprintf and appends the text to the run output.
func Outputf(format string, args ...any) error {
	return Output(fmt.Appendf(nil, format, args...))
}
