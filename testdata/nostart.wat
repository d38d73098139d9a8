;; nostart: a well-formed module that exports memory but no _start; refused at load.
(module
  (memory (export "memory") 1)
  (func (export "main")))
