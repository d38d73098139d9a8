;; reactor_initloop: a reactor whose _initialize never ends; pre-initialisation must stop it
;; when its context ends.
(module
  (memory (export "memory") 1)
  (func (export "_initialize")
    (loop $forever (br $forever)))
  (func (export "aios_main")))
