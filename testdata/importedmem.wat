;; importedmem: imports its memory and a global instead of defining them; refused at load.
(module
  (import "env" "memory" (memory 1))
  (import "env" "g" (global i32))
  (export "memory" (memory 0))
  (func (export "_start")))
