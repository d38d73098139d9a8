;; growbomb: grows its memory one page at a time for ever. When a grow fails (-1) at the memory
;; limit it traps, as a program that does not handle running out of memory would.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $grow
      (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
      (br $grow))))
