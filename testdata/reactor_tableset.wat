;; reactor_tableset: a reactor that can change its table (table.set), which pre-initialisation
;; must refuse: it snapshots memory and globals only.
(module
  (memory (export "memory") 1)
  (table 1 funcref)
  (func $f)
  (elem declare func $f)
  (func (export "_initialize")
    (table.set 0 (i32.const 0) (ref.func $f)))
  (func (export "aios_main")))
