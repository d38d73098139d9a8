//go:build wasip1

package aios

import "unsafe"

// The raw imports of the aios namespace, exactly as docs/ABI.md, section 4, lists them. Pointers
// are passed as unsafe.Pointer so the garbage collector keeps the memory alive during the call;
// the host sees them as i32 offsets into linear memory.

//go:wasmimport aios abi_version
func rawABIVersion(major, minor uint32) uint32

//go:wasmimport aios input
func rawInput(out unsafe.Pointer) uint32

//go:wasmimport aios output
func rawOutput(ptr unsafe.Pointer, n uint32) uint32

//go:wasmimport aios log
func rawLog(level uint32, ptr unsafe.Pointer, n uint32) uint32

//go:wasmimport aios llm_generate
func rawLLMGenerate(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32

// rawLLMEmbed is ABI 1.1. The linker keeps an import only if the program can reach a call of
// it, so a module that never calls Embed does not import llm_embed and still loads on a 1.0
// host.
//
//go:wasmimport aios llm_embed
func rawLLMEmbed(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32

//go:wasmimport aios submit
func rawSubmit(callPtr unsafe.Pointer, callLen uint32, reqPtr unsafe.Pointer, reqLen uint32, handleOut unsafe.Pointer) uint32

//go:wasmimport aios poll
func rawPoll(handle uint32, out unsafe.Pointer) uint32

//go:wasmimport aios wait
func rawWait(handlesPtr unsafe.Pointer, count uint32, timeoutNs int64, indexOut unsafe.Pointer) uint32

//go:wasmimport aios cancel
func rawCancel(handle uint32) uint32

//go:wasmimport aios stream_next
func rawStreamNext(handle uint32, out unsafe.Pointer) uint32

//go:wasmimport aios result_read
func rawResultRead(rid uint32, bufPtr unsafe.Pointer, bufLen uint32) uint32

//go:wasmimport aios result_drop
func rawResultDrop(rid uint32) uint32

//go:wasmimport aios last_error
func rawLastError(out unsafe.Pointer) uint32

// The calls of ABI 1.2 (section 4.1), all (req_ptr, req_len, out). wasmHost.call reaches them
// by name, so a module that uses one of them imports all thirteen, which a 1.2 host has
// together; a module that uses none of them (or starts them only through submit) imports none
// and still loads on a 1.1 host.

//go:wasmimport aios memory_add
func rawMemoryAdd(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32

//go:wasmimport aios memory_get
func rawMemoryGet(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32

//go:wasmimport aios memory_update
func rawMemoryUpdate(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32

//go:wasmimport aios memory_delete
func rawMemoryDelete(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32

//go:wasmimport aios memory_search
func rawMemorySearch(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32

//go:wasmimport aios storage_put
func rawStoragePut(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32

//go:wasmimport aios storage_get
func rawStorageGet(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32

//go:wasmimport aios storage_list
func rawStorageList(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32

//go:wasmimport aios storage_delete
func rawStorageDelete(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32

//go:wasmimport aios storage_history
func rawStorageHistory(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32

//go:wasmimport aios storage_rollback
func rawStorageRollback(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32

//go:wasmimport aios tool_list
func rawToolList(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32

//go:wasmimport aios tool_call
func rawToolCall(reqPtr unsafe.Pointer, reqLen uint32, out unsafe.Pointer) uint32
