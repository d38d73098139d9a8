;; oob: loads from past the end of its own memory: a trap.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (i32.load (i32.const 0x7ffffff0)))))
