//go:build wasip1

package aios

import "unsafe"

// wasmHost is the aios host this module is running in, reached through the raw imports.
type wasmHost struct{}

// platform returns the real host.
func platform() syscalls { return wasmHost{} }

// ptr returns the address of b's first byte, or nil for an empty slice; (nil, 0) is a valid
// empty range for the host.
func ptr[T any](b []T) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(b)) }

func (wasmHost) abiVersion(major, minor uint32) Errno {
	return Errno(rawABIVersion(major, minor))
}

func (wasmHost) input(out *resultBuf) Errno {
	return Errno(rawInput(unsafe.Pointer(out)))
}

func (wasmHost) output(b []byte) Errno {
	return Errno(rawOutput(ptr(b), uint32(len(b))))
}

func (wasmHost) log(level uint32, msg []byte) Errno {
	return Errno(rawLog(level, ptr(msg), uint32(len(msg))))
}

func (wasmHost) llmGenerate(req []byte, out *resultBuf) Errno {
	return Errno(rawLLMGenerate(ptr(req), uint32(len(req)), unsafe.Pointer(out)))
}

func (wasmHost) llmEmbed(req []byte, out *resultBuf) Errno {
	return Errno(rawLLMEmbed(ptr(req), uint32(len(req)), unsafe.Pointer(out)))
}

func (wasmHost) submit(call, req []byte, handle *uint32) Errno {
	return Errno(rawSubmit(ptr(call), uint32(len(call)), ptr(req), uint32(len(req)), unsafe.Pointer(handle)))
}

func (wasmHost) poll(handle uint32, out *resultBuf) Errno {
	return Errno(rawPoll(handle, unsafe.Pointer(out)))
}

func (wasmHost) wait(handles []uint32, timeoutNs int64, index *uint32) Errno {
	return Errno(rawWait(ptr(handles), uint32(len(handles)), timeoutNs, unsafe.Pointer(index)))
}

func (wasmHost) cancel(handle uint32) Errno {
	return Errno(rawCancel(handle))
}

func (wasmHost) streamNext(handle uint32, out *resultBuf) Errno {
	return Errno(rawStreamNext(handle, unsafe.Pointer(out)))
}

func (wasmHost) resultRead(rid uint32, buf []byte) Errno {
	return Errno(rawResultRead(rid, ptr(buf), uint32(len(buf))))
}

func (wasmHost) resultDrop(rid uint32) Errno {
	return Errno(rawResultDrop(rid))
}

func (wasmHost) lastError(out *resultBuf) Errno {
	return Errno(rawLastError(unsafe.Pointer(out)))
}

func (wasmHost) call(name string, req []byte, out *resultBuf) Errno {
	var raw func(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32
	switch name {
	case "memory_add":
		raw = rawMemoryAdd
	case "memory_get":
		raw = rawMemoryGet
	case "memory_update":
		raw = rawMemoryUpdate
	case "memory_delete":
		raw = rawMemoryDelete
	case "memory_search":
		raw = rawMemorySearch
	case "storage_put":
		raw = rawStoragePut
	case "storage_get":
		raw = rawStorageGet
	case "storage_list":
		raw = rawStorageList
	case "storage_delete":
		raw = rawStorageDelete
	case "storage_history":
		raw = rawStorageHistory
	case "storage_rollback":
		raw = rawStorageRollback
	case "tool_list":
		raw = rawToolList
	case "tool_call":
		raw = rawToolCall
	default:
		return ErrNoSys
	}
	return Errno(raw(ptr(req), uint32(len(req)), unsafe.Pointer(out)))
}
