//go:build wasmtime

package runtime

/*
#include <stdbool.h>
#include <stdint.h>

// Declarations from Wasmtime's C API (wasmtime/store.h, wasmtime/error.h), which wasmtime-go
// links but does not wrap.
typedef struct wasmtime_store wasmtime_store_t;
typedef struct wasmtime_context wasmtime_context_t;
typedef struct wasmtime_error wasmtime_error_t;
typedef uint8_t wasmtime_update_deadline_kind_t;
extern void wasmtime_store_epoch_deadline_callback(wasmtime_store_t *store,
	wasmtime_error_t *(*func)(wasmtime_context_t *context, void *data,
		uint64_t *epoch_deadline_delta, wasmtime_update_deadline_kind_t *update_kind),
	void *data, void (*finalizer)(void *));
extern wasmtime_error_t *wasmtime_error_new(const char *message);

// Exported by wasmtime_epoch.go.
extern bool aiosWasmtimeEpochDeadline(uintptr_t h);

static wasmtime_error_t *aios_epoch_deadline(wasmtime_context_t *context, void *data,
	uint64_t *delta, wasmtime_update_deadline_kind_t *kind) {
	if (aiosWasmtimeEpochDeadline((uintptr_t)data)) {
		return wasmtime_error_new("aios: agent stopped");
	}
	*delta = 1;
	return NULL;
}

static void aios_set_epoch_callback(void *store, uintptr_t h) {
	wasmtime_store_epoch_deadline_callback((wasmtime_store_t *)store, aios_epoch_deadline,
		(void *)h, NULL);
}
*/
import "C"

import (
	"errors"
	"reflect"
	goruntime "runtime"
	"runtime/cgo"
	"strings"
	"sync"
	"unsafe"

	"github.com/bytecodealliance/wasmtime-go/v39"
)

// interruptOnDone makes the guest in store stop within one epoch tick of in.ctx ending, even
// in a loop that never calls the host: Wasmtime calls back at every tick and the callback
// checks the context. Call stop, which releases the callback's handle, after the store's last
// call into wasm.
func interruptOnDone(store *wasmtime.Store, in *wtInstance) (stop func(), err error) {
	ptr, err := storePointer(store)
	if err != nil {
		return nil, err
	}
	h := cgo.NewHandle(in)
	C.aios_set_epoch_callback(ptr, C.uintptr_t(h))
	goruntime.KeepAlive(store)
	store.SetEpochDeadline(1)
	return h.Delete, nil
}

// storePointerOffset finds the wasmtime_store_t pointer inside wasmtime-go's Store.
//
// # Notes
//
// wasmtime-go (v39) wraps the store's epoch deadline but not the deadline callback, and keeps
// the C pointer in the unexported field _ptr. Reading it is tied to that version's layout,
// which go.mod pins; the lookup checks the field's name and type and NewWasmtime fails
// cleanly if a later version changes them.
var storePointerOffset = sync.OnceValues(func() (uintptr, error) {
	f, ok := reflect.TypeFor[wasmtime.Store]().FieldByName("_ptr")
	if !ok || f.Type.Kind() != reflect.Pointer || !strings.HasSuffix(f.Type.Elem().Name(), "wasmtime_store") {
		return 0, errors.New("this wasmtime-go's Store does not hold a wasmtime_store_t pointer in _ptr; " +
			"the epoch deadline callback cannot be installed")
	}
	return f.Offset, nil
})

func storePointer(s *wasmtime.Store) (unsafe.Pointer, error) {
	off, err := storePointerOffset()
	if err != nil {
		return nil, err
	}
	p := *(*unsafe.Pointer)(unsafe.Add(unsafe.Pointer(s), off))
	if p == nil {
		return nil, errors.New("wasmtime: store already closed")
	}
	return p, nil
}
