;; reactor_initgenerate: a reactor whose _initialize asks an LLM for a generation, which
;; pre-initialisation must refuse, naming aios.llm_generate.
(module
  (import "aios" "llm_generate" (func $generate (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "{\"messages\":[]}")
  (func (export "_initialize")
    (drop (call $generate (i32.const 16) (i32.const 15) (i32.const 64))))
  (func (export "aios_main")))
