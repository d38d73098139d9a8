;; stream: copies the run input (at most 30000 bytes) to the output, asks the LLM once with
;; "stream": true, so the reply's chunks reach the run's events as tokens, and exits with code 7.
;; Traps if a call fails.
(module
  (import "aios" "input" (func $input (param i32) (result i32)))
  (import "aios" "result_read" (func $result_read (param i32 i32 i32) (result i32)))
  (import "aios" "result_drop" (func $result_drop (param i32) (result i32)))
  (import "aios" "output" (func $output (param i32 i32) (result i32)))
  (import "aios" "llm_generate" (func $generate (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1 1)
  ;; result structs { u32 rid; u32 len } at 0 (input) and 8 (generation); request at 64;
  ;; input copied to 1024.
  (data (i32.const 64) "{\"messages\":[{\"role\":\"user\",\"content\":\"stream me\"}],\"stream\":true}")
  (func (export "_start")
    (if (call $input (i32.const 0)) (then unreachable))
    (if (i32.gt_u (i32.load (i32.const 4)) (i32.const 30000)) (then unreachable))
    (if (call $result_read (i32.load (i32.const 0)) (i32.const 1024) (i32.load (i32.const 4)))
      (then unreachable))
    (if (call $output (i32.const 1024) (i32.load (i32.const 4))) (then unreachable))
    (if (call $generate (i32.const 64) (i32.const 66) (i32.const 8)) (then unreachable))
    (if (call $result_drop (i32.load (i32.const 8))) (then unreachable))
    (call $exit (i32.const 7))))
