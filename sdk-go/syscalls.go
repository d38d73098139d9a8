package aios

import "encoding/binary"

// syscalls is the aios namespace of docs/ABI.md, section 4, with Go slices and pointers in place
// of (ptr, len) pairs. host_wasip1.go implements it over the real imports; tests implement it in
// Go. Every method returns the call's errno.
type syscalls interface {
	abiVersion(major, minor uint32) Errno
	input(out *resultBuf) Errno
	output(b []byte) Errno
	log(level uint32, msg []byte) Errno
	llmGenerate(req []byte, out *resultBuf) Errno
	llmEmbed(req []byte, out *resultBuf) Errno
	submit(call, req []byte, handle *uint32) Errno
	poll(handle uint32, out *resultBuf) Errno
	wait(handles []uint32, timeoutNs int64, index *uint32) Errno
	cancel(handle uint32) Errno
	streamNext(handle uint32, out *resultBuf) Errno
	resultRead(rid uint32, buf []byte) Errno
	resultDrop(rid uint32) Errno
	lastError(out *resultBuf) Errno
	// call runs one of the calls of ABI 1.2 (section 4.1), all of the shape
	// (req_ptr, req_len, out), by name; an unknown name is ENOSYS.
	call(name string, req []byte, out *resultBuf) Errno
}

// resultBuf is the memory a call writes its result struct to:
//
//	struct result { u32 rid; u32 len; }   // little-endian, 8 bytes
type resultBuf [8]byte

// result is a decoded result struct: the id of a result the host holds and its length in bytes.
type result struct {
	rid uint32
	len uint32
}

// decode returns the result struct stored in b.
func (b *resultBuf) decode() result {
	return result{
		rid: binary.LittleEndian.Uint32(b[0:4]),
		len: binary.LittleEndian.Uint32(b[4:8]),
	}
}
