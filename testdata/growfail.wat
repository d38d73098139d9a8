;; growfail: handles running out of memory, as a program whose malloc can return NULL does.
;; It grows its memory one page at a time until memory.grow returns -1 (the memory limit),
;; then checks that the memory kept its size and writes "grow refused at N pages" (N in
;; decimal) to the run output, and returns normally. Traps if a grow past the limit succeeds
;; up to 65536 pages or if output fails.
(module
  (import "aios" "output" (func $output (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "grow refused at ")
  (func (export "_start")
    (local $pages i32) (local $end i32) (local $n i32) (local $digits i32) (local $i i32)
    (block $refused
      (loop $grow
        (br_if $refused (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br_if $grow (i32.lt_u (memory.size) (i32.const 65536)))))
    (local.set $pages (memory.size))
    ;; A failed grow leaves the size as it was: try once more and compare.
    (if (i32.ne (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
    (if (i32.ne (memory.size) (local.get $pages)) (then unreachable))
    ;; Count the digits of $pages, then write them backwards after the text at offset 16.
    (local.set $n (local.get $pages))
    (loop $count
      (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $count (local.get $n)))
    (local.set $end (i32.add (i32.const 16) (local.get $digits)))
    (local.set $n (local.get $pages))
    (local.set $i (local.get $end))
    (loop $write
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i32.store8 (local.get $i) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $write (local.get $n)))
    (if (call $output (i32.const 0) (local.get $end)) (then unreachable))))
