;; askinput: asks the LLM once with the run input as the user's message and writes the reply
;; (a GenerateResponse, JSON) to the output. The input is at most 900 bytes and is put into the
;; request as it is, so it must need no JSON escaping. Traps if a call fails. With a simulator in
;; echo mode the reply's text is the input: each run's output names the run that made it.
(module
  (import "aios" "input" (func $input (param i32) (result i32)))
  (import "aios" "result_read" (func $result_read (param i32 i32 i32) (result i32)))
  (import "aios" "output" (func $output (param i32 i32) (result i32)))
  (import "aios" "llm_generate" (func $generate (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  ;; result structs { u32 rid; u32 len } at 0 (input) and 8 (generation); the request's 39-byte
  ;; prefix at 64, the input after it at 103, then the 4-byte suffix; the reply at 2048.
  (data (i32.const 64) "{\"messages\":[{\"role\":\"user\",\"content\":\"")
  (func (export "_start")
    (local $n i32)
    (if (call $input (i32.const 0)) (then unreachable))
    (local.set $n (i32.load (i32.const 4)))
    (if (i32.gt_u (local.get $n) (i32.const 900)) (then unreachable))
    (if (call $result_read (i32.load (i32.const 0)) (i32.const 103) (local.get $n))
      (then unreachable))
    ;; "}]} little-endian
    (i32.store (i32.add (i32.const 103) (local.get $n)) (i32.const 0x7d5d7d22))
    (if (call $generate (i32.const 64) (i32.add (local.get $n) (i32.const 43)) (i32.const 8))
      (then unreachable))
    (if (i32.gt_u (i32.load (i32.const 12)) (i32.const 60000)) (then unreachable))
    (if (call $result_read (i32.load (i32.const 8)) (i32.const 2048) (i32.load (i32.const 12)))
      (then unreachable))
    (if (call $output (i32.const 2048) (i32.load (i32.const 12))) (then unreachable))))
