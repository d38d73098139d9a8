;; reactor_passive: a reactor with a passive data segment, which pre-initialisation must refuse.
(module
  (memory (export "memory") 1)
  (data $d "passive")
  (func (export "_initialize")
    (memory.init $d (i32.const 0) (i32.const 0) (i32.const 7))
    (data.drop $d))
  (func (export "aios_main")))
