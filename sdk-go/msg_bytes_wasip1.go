//go:build wasip1

package aios

import "unsafe"

// The message calls of ABI 1.4. Only Send and Recv reach them, so a module that never sends or
// receives a message imports neither.

//go:wasmimport aios msg_send_bytes
func rawMsgSendBytes(to uint64, bodyPtr unsafe.Pointer, bodyLen uint32) uint32

//go:wasmimport aios msg_recv_bytes
func rawMsgRecvBytes(timeoutNs int64, bufPtr unsafe.Pointer, bufLen uint32, info unsafe.Pointer) uint32

func (wasmHost) msgSendBytes(to uint64, body []byte) Errno {
	return Errno(rawMsgSendBytes(to, ptr(body), uint32(len(body))))
}

func (wasmHost) msgRecvBytes(timeoutNs int64, buf []byte, info *msgInfoBuf) Errno {
	return Errno(rawMsgRecvBytes(timeoutNs, ptr(buf), uint32(len(buf)), unsafe.Pointer(info)))
}
