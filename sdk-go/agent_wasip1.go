//go:build wasip1

package aios

import "unsafe"

// The agent calls of ABI 1.3 (section 4.2). Only wasmHost.agentCall reaches them, through the
// agentSyscalls interface, so a module that never starts or messages an agent imports none.

//go:wasmimport aios agent_spawn
func rawAgentSpawn(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32

//go:wasmimport aios agent_wait
func rawAgentWait(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32

//go:wasmimport aios agent_kill
func rawAgentKill(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32

//go:wasmimport aios msg_send
func rawMsgSend(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32

//go:wasmimport aios msg_recv
func rawMsgRecv(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32

func (wasmHost) agentCall(name string, req []byte, out *resultBuf) Errno {
	var raw func(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32
	switch name {
	case "agent_spawn":
		raw = rawAgentSpawn
	case "agent_wait":
		raw = rawAgentWait
	case "agent_kill":
		raw = rawAgentKill
	case "msg_send":
		raw = rawMsgSend
	case "msg_recv":
		raw = rawMsgRecv
	default:
		return ErrNoSys
	}
	return Errno(raw(ptr(req), uint32(len(req)), unsafe.Pointer(out)))
}
