;; forbidden: imports a function from an unknown namespace, an unknown aios call and a WASI
;; function with the wrong signature, beside one allowed call. The host refuses it at load.
(module
  (import "env" "foo" (func (param i32)))
  (import "aios" "abi_version" (func (param i32 i32) (result i32)))
  (import "aios" "no_such_call" (func (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
