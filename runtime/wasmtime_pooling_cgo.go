//go:build wasmtime

package runtime

/*
#include <stddef.h>
#include <stdint.h>

// Declarations from Wasmtime's C API (wasm.h, wasmtime/config.h), which wasmtime-go links but
// does not wrap: the pooling allocator.
typedef struct wasm_config_t wasm_config_t;
typedef struct wasmtime_pooling_allocation_config_t wasmtime_pooling_allocation_config_t;
extern wasmtime_pooling_allocation_config_t *wasmtime_pooling_allocation_config_new(void);
extern void wasmtime_pooling_allocation_config_delete(wasmtime_pooling_allocation_config_t *);
extern void wasmtime_pooling_allocation_config_total_core_instances_set(wasmtime_pooling_allocation_config_t *, uint32_t);
extern void wasmtime_pooling_allocation_config_total_memories_set(wasmtime_pooling_allocation_config_t *, uint32_t);
extern void wasmtime_pooling_allocation_config_total_tables_set(wasmtime_pooling_allocation_config_t *, uint32_t);
extern void wasmtime_pooling_allocation_config_max_memories_per_module_set(wasmtime_pooling_allocation_config_t *, uint32_t);
extern void wasmtime_pooling_allocation_config_max_tables_per_module_set(wasmtime_pooling_allocation_config_t *, uint32_t);
extern void wasmtime_pooling_allocation_config_max_memory_size_set(wasmtime_pooling_allocation_config_t *, size_t);
extern void wasmtime_pooling_allocation_config_table_elements_set(wasmtime_pooling_allocation_config_t *, size_t);
extern void wasmtime_pooling_allocation_config_max_core_instance_size_set(wasmtime_pooling_allocation_config_t *, size_t);
extern void wasmtime_pooling_allocation_config_linear_memory_keep_resident_set(wasmtime_pooling_allocation_config_t *, size_t);
extern void wasmtime_pooling_allocation_strategy_set(wasm_config_t *, const wasmtime_pooling_allocation_config_t *);

static void aios_set_pooling(void *config, uint32_t slots, size_t memory, size_t elements,
	size_t instance, size_t keep) {
	wasmtime_pooling_allocation_config_t *p = wasmtime_pooling_allocation_config_new();
	wasmtime_pooling_allocation_config_total_core_instances_set(p, slots);
	wasmtime_pooling_allocation_config_total_memories_set(p, slots);
	wasmtime_pooling_allocation_config_total_tables_set(p, slots);
	wasmtime_pooling_allocation_config_max_memories_per_module_set(p, 1);
	wasmtime_pooling_allocation_config_max_tables_per_module_set(p, 1);
	wasmtime_pooling_allocation_config_max_memory_size_set(p, memory);
	wasmtime_pooling_allocation_config_table_elements_set(p, elements);
	wasmtime_pooling_allocation_config_max_core_instance_size_set(p, instance);
	wasmtime_pooling_allocation_config_linear_memory_keep_resident_set(p, keep);
	wasmtime_pooling_allocation_strategy_set((wasm_config_t *)config, p);
	wasmtime_pooling_allocation_config_delete(p);
}
*/
import "C"

import (
	"errors"
	"reflect"
	goruntime "runtime"
	"strings"
	"sync"
	"unsafe"

	"github.com/bytecodealliance/wasmtime-go/v39"
)

// setPooling makes engines built from cfg allocate instances from a pool sized by p. Call it
// before cfg is given to wasmtime.NewEngineWithConfig, which consumes it.
func setPooling(cfg *wasmtime.Config, p poolSizes) error {
	ptr, err := configPointer(cfg)
	if err != nil {
		return err
	}
	C.aios_set_pooling(ptr, C.uint32_t(p.slots), C.size_t(p.memory), C.size_t(p.tableElements),
		C.size_t(p.instanceSize), C.size_t(p.keepResident))
	goruntime.KeepAlive(cfg)
	return nil
}

// configPointerOffset finds the wasm_config_t pointer inside wasmtime-go's Config.
//
// # Notes
//
// wasmtime-go (v39) wraps copy-on-write memory images (Config.SetMemoryInitCOWSet) but not the
// pooling allocator, and keeps the C pointer in the unexported field _ptr, the struct's only
// field. Reading it is tied to that version's layout, which go.mod pins; the lookup checks the
// field's name and type and NewWasmtime fails cleanly if a later version changes them
// (TestWasmtimeConfigLayout says so first).
var configPointerOffset = sync.OnceValues(func() (uintptr, error) {
	f, ok := reflect.TypeFor[wasmtime.Config]().FieldByName("_ptr")
	if !ok || f.Type.Kind() != reflect.Pointer || !strings.HasSuffix(f.Type.Elem().Name(), "wasm_config_t") {
		return 0, errors.New("this wasmtime-go's Config does not hold a wasm_config_t pointer in _ptr; " +
			"the pooling allocator cannot be configured (set Pool.OnDemand)")
	}
	return f.Offset, nil
})

func configPointer(cfg *wasmtime.Config) (unsafe.Pointer, error) {
	off, err := configPointerOffset()
	if err != nil {
		return nil, err
	}
	p := *(*unsafe.Pointer)(unsafe.Add(unsafe.Pointer(cfg), off))
	if p == nil {
		return nil, errors.New("wasmtime: config already used")
	}
	return p, nil
}
