;; reactor: a reactor agent (ABI 1.3) whose initialisation runs in a start function and in
;; _initialize: it sets mutable globals, writes memory, grows memory, and reads the clock and
;; random bytes. aios_main writes "reactor:ABC1" to the run output, built from that state, so a
;; pre-initialised copy (runtime/preinit) must give the same output; if _initialize ran twice
;; the last character would be "2".
(module
  (import "aios" "output" (func $output (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  (global $count (mut i32) (i32.const 0))
  (global $big (mut i64) (i64.const 0))
  (global $ratio (mut f64) (f64.const 0))
  (data (i32.const 16) "reactor:")
  (func $start
    (i32.store8 (i32.const 24) (i32.const 0x41)))
  (start $start)
  (func (export "_initialize")
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (global.set $big (i64.const 0x123456789))
    (global.set $ratio (f64.const 0.5))
    (i32.store8 (i32.const 25) (i32.const 0x42))
    (drop (memory.grow (i32.const 1)))
    (i32.store8 (i32.const 70000) (i32.const 0x43))
    (if (call $random (i32.const 100) (i32.const 8)) (then unreachable))
    (if (call $clock (i32.const 1) (i64.const 0) (i32.const 200)) (then unreachable)))
  (func (export "aios_main")
    (if (i64.ne (global.get $big) (i64.const 0x123456789)) (then unreachable))
    (if (f64.ne (global.get $ratio) (f64.const 0.5)) (then unreachable))
    (i32.store8 (i32.const 26) (i32.load8_u (i32.const 70000)))
    (i32.store8 (i32.const 27) (i32.add (i32.const 0x30) (global.get $count)))
    (if (call $output (i32.const 16) (i32.const 12)) (then unreachable))))
