;; rogue: an agent that tries to mislead the operator who runs it. Its log line, stderr and run
;; output hold newlines, carriage returns and terminal escapes that would forge aios's own status
;; lines, pose as another replica and clear the screen; then it exits 72 on its own, the code aios
;; uses for a limit. The CLI's tests (internal/cli/testdata/script/run_hostile.txtar) show that
;; none of it reaches the terminal as such and that the summary says whose exit code 72 is.
(module
  (import "aios" "log" (func $log (param i32 i32 i32) (result i32)))
  (import "aios" "output" (func $output (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1 1)
  ;; The hostile text, 17 bytes: "a\naios: fake\r\x1b[2J".
  (data (i32.const 16) "a\0aaios: fake\0d\1b[2J")
  ;; One iovec for fd_write: 34 bytes at 128.
  (data (i32.const 64) "\80\00\00\00\22\00\00\00")
  (data (i32.const 128) "b\0daios: rogue[2] stderr\1b]0;title\07\0a")
  (func (export "_start")
    (if (call $log (i32.const 1) (i32.const 16) (i32.const 17)) (then unreachable))
    (if (call $fd_write (i32.const 2) (i32.const 64) (i32.const 1) (i32.const 96)) (then unreachable))
    (if (call $output (i32.const 16) (i32.const 17)) (then unreachable))
    (call $proc_exit (i32.const 72))))
