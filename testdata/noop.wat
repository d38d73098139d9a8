;; noop: calls aios.abi_version(1, 0) 100000 times (the cheapest system call) and returns;
;; benchmarks divide by the count for the cost of one round trip. Traps if a call fails.
(module
  (import "aios" "abi_version" (func $abi_version (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (local $i i32)
    (loop $again
      (if (call $abi_version (i32.const 1) (i32.const 0)) (then unreachable))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 100000))))))
