;; syscallflood: calls aios.log for ever, ignoring the result. Every call returns at once, so
;; the time counts as CPU time and the CPU-time limit ends it.
(module
  (import "aios" "log" (func $log (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "tick")
  (func (export "_start")
    (loop $forever
      (drop (call $log (i32.const 1) (i32.const 0) (i32.const 4)))
      (br $forever))))
