;; minimal: the smallest well-formed agent. One page of memory; negotiates ABI 1.0 and writes
;; "hello from wasm" to the run output. Traps if abi_version or output fails.
(module
  (import "aios" "abi_version" (func $abi_version (param i32 i32) (result i32)))
  (import "aios" "output" (func $output (param i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 16) "hello from wasm")
  (func (export "_start")
    (if (call $abi_version (i32.const 1) (i32.const 0)) (then unreachable))
    (if (call $output (i32.const 16) (i32.const 15)) (then unreachable))))
