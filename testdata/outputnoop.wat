;; outputnoop: calls aios.output(0, 0) 10000 times (an empty output: a system call the policy
;; gate decides, with no work behind it) and returns; benchmarks divide by the count for the
;; cost of one gated round trip. Traps if a call fails.
(module
  (import "aios" "output" (func $output (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (local $i i32)
    (loop $again
      (if (call $output (i32.const 0) (i32.const 0)) (then unreachable))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 10000))))))
