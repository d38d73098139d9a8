;; scribble: shows its initial state, then scribbles over all of it. It writes to the run output
;; the first bytes of two data segments (one in the first page, one at 64 KiB, so the memory
;; image is large enough to be mapped copy-on-write on Linux), its mutable global, the byte at
;; 128 KiB (zero at start) and its memory size in pages, as digits: "imagepage2" "7" "0" "3".
;; Then it fills all its memory with 'A' and sets the global. It does not grow its memory, so
;; that its buffer may be reused. Every run of one compiled module must show the same initial
;; state.
(module
  (import "aios" "output" (func $output (param i32 i32) (result i32)))
  (memory (export "memory") 3)
  (global $g (mut i32) (i32.const 7))
  (data (i32.const 16) "image")
  (data (i32.const 65536) "page2")
  (func $out (param i32 i32)
    (if (call $output (local.get 0) (local.get 1)) (then unreachable)))
  (func (export "_start")
    (i32.store8 (i32.const 100) (i32.add (i32.const 48) (global.get $g)))
    (i32.store8 (i32.const 101) (i32.add (i32.const 48) (i32.load8_u (i32.const 131072))))
    (i32.store8 (i32.const 102) (i32.add (i32.const 48) (memory.size)))
    (call $out (i32.const 16) (i32.const 5))
    (call $out (i32.const 65536) (i32.const 5))
    (call $out (i32.const 100) (i32.const 3))
    (memory.fill (i32.const 0) (i32.const 0x41) (i32.mul (memory.size) (i32.const 65536)))
    (global.set $g (i32.const 9))))
