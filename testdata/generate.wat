;; generate: a minimal agent that asks the LLM once. One page of memory; calls llm_generate
;; (blocking) with a fixed request, copies the result into memory and writes it to the output.
;; Traps if a call fails. Used by the density benchmark: it spends its life blocked in the call.
(module
  (import "aios" "llm_generate" (func $generate (param i32 i32 i32) (result i32)))
  (import "aios" "result_read" (func $result_read (param i32 i32 i32) (result i32)))
  (import "aios" "output" (func $output (param i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  ;; result struct { u32 rid; u32 len } at 0; request at 64; response buffer at 1024.
  (data (i32.const 64) "{\"messages\":[{\"role\":\"user\",\"content\":\"hello from a minimal agent\"}]}")
  (func (export "_start")
    (if (call $generate (i32.const 64) (i32.const 69) (i32.const 0)) (then unreachable))
    (if (i32.gt_u (i32.load (i32.const 4)) (i32.const 60000)) (then unreachable))
    (if (call $result_read (i32.load (i32.const 0)) (i32.const 1024) (i32.load (i32.const 4)))
      (then unreachable))
    (if (call $output (i32.const 1024) (i32.load (i32.const 4))) (then unreachable))))
