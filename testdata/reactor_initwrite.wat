;; reactor_initwrite: a reactor whose _initialize writes "hello" to stdout, which
;; pre-initialisation must refuse, naming fd_write and quoting the text.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 8) "\10\00\00\00\05\00\00\00")
  (data (i32.const 16) "hello")
  (func (export "_initialize")
    (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 32))))
  (func (export "aios_main")))
