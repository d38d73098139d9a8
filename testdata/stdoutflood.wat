;; stdoutflood: writes a 64-byte line to stdout (fd 1) 100000 times (6.4 MB) through fd_write,
;; then returns. The host caps what it keeps at the log limit. Traps if fd_write fails.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; iovec {buf=64, len=64} at 0; bytes written at 8.
  (data (i32.const 0) "\40\00\00\00\40\00\00\00")
  (data (i32.const 64) "flood flood flood flood flood flood flood flood flood flood ...\n")
  (func (export "_start")
    (local $i i32)
    (loop $again
      (if (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))
        (then unreachable))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 100000))))))
