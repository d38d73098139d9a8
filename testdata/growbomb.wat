;; growbomb: grows its memory one page at a time for ever. If a grow fails (-1) it traps, so
;; an engine that does not end it at the memory limit still stops it.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $grow
      (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
      (br $grow))))
