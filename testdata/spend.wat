;; spend: asks the LLM again and again, each time for at most 8 tokens, writing "ok" for every
;; answer, until a call fails (or after 100 answers); then it writes the failure as last_error
;; reports it, the JSON the agent sees, and returns. Used to show budgets binding and what an
;; agent is told when they do. Traps if a call other than llm_generate fails.
(module
  (import "aios" "llm_generate" (func $generate (param i32 i32 i32) (result i32)))
  (import "aios" "result_drop" (func $result_drop (param i32) (result i32)))
  (import "aios" "result_read" (func $result_read (param i32 i32 i32) (result i32)))
  (import "aios" "last_error" (func $last_error (param i32) (result i32)))
  (import "aios" "output" (func $output (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; result struct { u32 rid; u32 len } at 0; "ok\n" at 16; request at 64; last error at 1024.
  (data (i32.const 16) "ok\n")
  (data (i32.const 64) "{\"messages\":[{\"role\":\"user\",\"content\":\"spend some tokens\"}],\"max_tokens\":8}")
  (func (export "_start")
    (local $i i32)
    (loop $again
      (if (i32.eqz (call $generate (i32.const 64) (i32.const 75) (i32.const 0)))
        (then
          (if (call $result_drop (i32.load (i32.const 0))) (then unreachable))
          (if (call $output (i32.const 16) (i32.const 3)) (then unreachable))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $again (i32.lt_u (local.get $i) (i32.const 100)))
          (return))))
    (if (call $last_error (i32.const 0)) (then unreachable))
    (if (i32.gt_u (i32.load (i32.const 4)) (i32.const 60000)) (then unreachable))
    (if (call $result_read (i32.load (i32.const 0)) (i32.const 1024) (i32.load (i32.const 4)))
      (then unreachable))
    (if (call $output (i32.const 1024) (i32.load (i32.const 4))) (then unreachable))))
