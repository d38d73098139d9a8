;; pong: the child of ping.wat, written by hand. It answers every message with the same body
;; (msg_recv, result_read, msg_send, result_read) until a call fails, as when it is killed.
(module
  (import "aios" "msg_send" (func $send (param i32 i32 i32) (result i32)))
  (import "aios" "msg_recv" (func $recv (param i32 i32 i32) (result i32)))
  (import "aios" "result_read" (func $read (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; 0: a result struct {rid u32, len u32}.
  (data (i32.const 128) "{}")
  (data (i32.const 8192) "{\"to\":")
  ;; 1024: results are read here, {"from":N,"body":"..."} (4096 bytes at most); 8192:
  ;; msg_send's request, {"to": followed by the result from its eighth byte on.

  (func (export "_start")
    (local $len i32) (local $n i32)
    (loop $message
      (if (call $recv (i32.const 128) (i32.const 2) (i32.const 0)) (then return))
      (if (call $read (i32.load (i32.const 0)) (i32.const 1024) (i32.const 4096)) (then return))
      (local.set $len (i32.sub (i32.load (i32.const 4)) (i32.const 8)))
      (local.set $n (i32.const 0))
      (block $copied
        (loop $byte
          (br_if $copied (i32.ge_s (local.get $n) (local.get $len)))
          (i32.store8 (i32.add (i32.const 8198) (local.get $n)) (i32.load8_u (i32.add (i32.const 1032) (local.get $n))))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br $byte)))
      (if (call $send (i32.const 8192) (i32.add (local.get $len) (i32.const 6)) (i32.const 0)) (then return))
      (if (call $read (i32.load (i32.const 0)) (i32.const 1024) (i32.const 4096)) (then return))
      (br $message))))
