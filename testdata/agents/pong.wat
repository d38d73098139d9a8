;; pong: the child of ping.wat, written by hand. It answers every message with the same body
;; (msg_recv_bytes, msg_send_bytes) until a call fails, as when it is killed.
(module
  (import "aios" "msg_send_bytes" (func $send (param i64 i32 i32) (result i32)))
  (import "aios" "msg_recv_bytes" (func $recv (param i64 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; 0: a msg_info {from u64, len u32, rid u32}; 1024: the body (4096 bytes at most; a longer
  ;; one, kept as a result, ends the agent).

  (func (export "_start")
    (loop $message
      (if (call $recv (i64.const -1) (i32.const 1024) (i32.const 4096) (i32.const 0)) (then return))
      (if (i32.load (i32.const 12)) (then return))
      (if (call $send (i64.load (i32.const 0)) (i32.const 1024) (i32.load (i32.const 8))) (then return))
      (br $message))))
