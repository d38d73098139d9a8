;; first: the smallest child agent. Its first system call logs "up" (which the benchmark of
;; spawn-to-first-syscall waits for); then it returns.
(module
  (import "aios" "log" (func $log (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 16) "up")
  (func (export "_start")
    (drop (call $log (i32.const 1) (i32.const 16) (i32.const 2)))))
