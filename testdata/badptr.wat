;; badptr: passes aios.output a range past the end of its memory and exits (proc_exit) with the
;; errno it got back, which must be EFAULT (2): the host refuses the range without trapping.
(module
  (import "aios" "output" (func $output (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $proc_exit (call $output (i32.const 0xfffffff0) (i32.const 100)))))
