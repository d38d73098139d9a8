;; deniedflood: asks for a generation 46 times with a 200000-byte model name, ignoring the
;; denials, then writes "ok" 4 times: 50 system calls, of which policy without grants denies 46.
;; Checks that denied calls are counted and that their huge arguments do not flood the audit log.
(module
  (import "aios" "llm_generate" (func $generate (param i32 i32 i32) (result i32)))
  (import "aios" "output" (func $output (param i32 i32) (result i32)))
  (memory (export "memory") 5 5)
  ;; request at 0: {"model":"mmm…(200000)","messages":[…]}; its tail is copied from 300000;
  ;; the result struct is at 300100 and "ok\n" at 300200.
  (data (i32.const 0) "{\"model\":\"")
  (data (i32.const 300000) "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
  (data (i32.const 300200) "ok\n")
  (func (export "_start")
    (local $i i32)
    (memory.fill (i32.const 10) (i32.const 0x6d) (i32.const 200000))
    (memory.copy (i32.const 200010) (i32.const 300000) (i32.const 46))
    (loop $denied
      (drop (call $generate (i32.const 0) (i32.const 200056) (i32.const 300100)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $denied (i32.lt_u (local.get $i) (i32.const 46))))
    (local.set $i (i32.const 0))
    (loop $allowed
      (drop (call $output (i32.const 300200) (i32.const 3)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $allowed (i32.lt_u (local.get $i) (i32.const 4))))))
