;; remember: shows what its own storage and memory hold, then adds to them. It gets the key
;; "note" from storage and searches its memory for "secret"; it writes "got " and the stored
;; item (JSON) or "none", then " hits " and the search's result (JSON); then it puts "secret" under
;; "note" and adds a memory entry "a secret plan". Run twice by one tenant, the second run finds
;; both; run by another tenant, the same module finds neither. Traps if a put or add fails.
(module
  (import "aios" "storage_get" (func $storage_get (param i32 i32 i32) (result i32)))
  (import "aios" "storage_put" (func $storage_put (param i32 i32 i32) (result i32)))
  (import "aios" "memory_add" (func $memory_add (param i32 i32 i32) (result i32)))
  (import "aios" "memory_search" (func $memory_search (param i32 i32 i32) (result i32)))
  (import "aios" "result_read" (func $result_read (param i32 i32 i32) (result i32)))
  (import "aios" "output" (func $output (param i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  ;; result struct { u32 rid; u32 len } at 0; requests from 64; text from 512; results at 4096.
  (data (i32.const 64) "{\"key\":\"note\"}")                                 ;; 14 bytes
  (data (i32.const 128) "{\"key\":\"note\",\"value\":\"c2VjcmV0\"}")          ;; 33 bytes
  (data (i32.const 192) "{\"text\":\"a secret plan\"}")                       ;; 24 bytes
  (data (i32.const 256) "{\"query\":\"secret\",\"mode\":\"keyword\"}")        ;; 35 bytes
  (data (i32.const 512) "got none hits ")
  (func $show (param $errno i32)
    ;; the result if the call succeeded, else "none"
    (if (local.get $errno)
      (then (if (call $output (i32.const 516) (i32.const 4)) (then unreachable)))
      (else
        (if (i32.gt_u (i32.load (i32.const 4)) (i32.const 60000)) (then unreachable))
        (if (call $result_read (i32.load (i32.const 0)) (i32.const 4096) (i32.load (i32.const 4)))
          (then unreachable))
        (if (call $output (i32.const 4096) (i32.load (i32.const 4))) (then unreachable)))))
  (func (export "_start")
    (if (call $output (i32.const 512) (i32.const 4)) (then unreachable))
    (call $show (call $storage_get (i32.const 64) (i32.const 14) (i32.const 0)))
    (if (call $output (i32.const 520) (i32.const 6)) (then unreachable))
    (call $show (call $memory_search (i32.const 256) (i32.const 35) (i32.const 0)))
    (if (call $storage_put (i32.const 128) (i32.const 33) (i32.const 0)) (then unreachable))
    (if (call $memory_add (i32.const 192) (i32.const 24) (i32.const 0)) (then unreachable))))
