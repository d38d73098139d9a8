;; sleep: sleeps 300 ms in poll_oneoff (one relative monotonic clock subscription) and returns.
;; Blocked time is not CPU time, so a CPU-time limit below 300 ms does not end it; a wall-time
;; limit does. Traps if poll_oneoff fails.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; subscription at 0: userdata 0, tag 0 (clock) at 8, clock id 1 (monotonic) at 16,
  ;; timeout 300000000 ns at 24, precision 0 at 32, flags 0 (relative) at 40.
  (data (i32.const 16) "\01\00\00\00\00\00\00\00\00\a3\e1\11\00\00\00\00")
  (func (export "_start")
    ;; event out at 64, number of events at 128.
    (if (call $poll_oneoff (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128))
      (then unreachable))))
