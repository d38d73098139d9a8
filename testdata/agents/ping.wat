;; ping: a parent agent written by hand, so that BenchmarkMsgRoundTripWAT measures what a
;; message round trip costs the host and kernel between two real wasm agents, without the cost
;; of Go's guest code. It makes the calls the Go SDK makes on an ABI 1.4 host. Its input is N,
;; a decimal count. It starts pong.wasm, then N times sends it "ping" (msg_send_bytes) and
;; receives the answer (msg_recv_bytes), timing each round trip with the monotonic clock. At the
;; end it kills the child and outputs the N durations in nanoseconds, each a little-endian u64.
;; Any failed call traps.
(module
  (import "aios" "input" (func $input (param i32) (result i32)))
  (import "aios" "output" (func $output (param i32 i32) (result i32)))
  (import "aios" "agent_spawn" (func $spawn (param i32 i32 i32) (result i32)))
  (import "aios" "agent_kill" (func $kill (param i32 i32 i32) (result i32)))
  (import "aios" "msg_send_bytes" (func $send (param i64 i32 i32) (result i32)))
  (import "aios" "msg_recv_bytes" (func $recv (param i64 i32 i32 i32) (result i32)))
  (import "aios" "result_read" (func $read (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  ;; 0: a result struct {rid u32, len u32}; 8: the clock's u64; 16: a msg_info
  ;; {from u64, len u32, rid u32}.
  (data (i32.const 64) "{\"module\":\"pong.wasm\"}")
  (data (i32.const 128) "ping")
  (data (i32.const 224) "{\"pid\":")
  ;; 512: agent_kill's request; 1024: results and messages are read here (4096 bytes at most);
  ;; 65536: the durations.

  (func $ok (param $errno i32)
    (if (local.get $errno) (then unreachable)))

  ;; $take reads the result described at 0 into 1024 and returns its length.
  (func $take (result i32)
    (call $ok (call $read (i32.load (i32.const 0)) (i32.const 1024) (i32.const 4096)))
    (i32.load (i32.const 4)))

  (func $now (result i64)
    (call $ok (call $clock (i32.const 1) (i64.const 1) (i32.const 8)))
    (i64.load (i32.const 8)))

  ;; $copy copies n bytes from src to dst and returns dst+n.
  (func $copy (param $dst i32) (param $src i32) (param $n i32) (result i32)
    (block $done
      (loop $byte
        (br_if $done (i32.eqz (local.get $n)))
        (i32.store8 (local.get $dst) (i32.load8_u (local.get $src)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
        (local.set $src (i32.add (local.get $src) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $byte)))
    (local.get $dst))

  ;; $number reads the decimal digits at p: their value and, at 40, how many there are.
  (func $number (param $p i32) (result i64)
    (local $n i32) (local $v i64) (local $d i32)
    (block $done
      (loop $digit
        (local.set $d (i32.sub (i32.load8_u (i32.add (local.get $p) (local.get $n))) (i32.const 48)))
        (br_if $done (i32.gt_u (local.get $d) (i32.const 9)))
        (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10)) (i64.extend_i32_u (local.get $d))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $digit)))
    (i32.store (i32.const 40) (local.get $n))
    (local.get $v))

  (func (export "_start")
    (local $n i32) (local $i i32) (local $pid i64) (local $killLen i32) (local $t i64)
    ;; N, from the input.
    (call $ok (call $input (i32.const 0)))
    (i32.store8 (i32.add (i32.const 1024) (call $take)) (i32.const 0))
    (local.set $n (i32.wrap_i64 (call $number (i32.const 1024))))
    (if (i32.eqz (local.get $n)) (then (local.set $n (i32.const 1))))
    (if (i32.lt_s (memory.grow (i32.add (i32.shr_u (i32.mul (local.get $n) (i32.const 8)) (i32.const 16)) (i32.const 1))) (i32.const 0))
      (then unreachable))
    ;; Start the child: its result is {"pid":N,...}; the pid's digits start at 1024+7.
    (call $ok (call $spawn (i32.const 64) (i32.const 22) (i32.const 0)))
    (drop (call $take))
    (local.set $pid (call $number (i32.const 1031)))
    ;; agent_kill's request {"pid":PID}.
    (local.set $killLen (i32.sub
      (i32.add (call $copy (call $copy (i32.const 512) (i32.const 224) (i32.const 7)) (i32.const 1031) (i32.load (i32.const 40))) (i32.const 1))
      (i32.const 512)))
    (i32.store8 (i32.add (i32.const 511) (local.get $killLen)) (i32.const 125)) ;; }
    ;; The round trips.
    (local.set $i (i32.const 0))
    (loop $round
      (local.set $t (call $now))
      (call $ok (call $send (local.get $pid) (i32.const 128) (i32.const 4)))
      (call $ok (call $recv (i64.const -1) (i32.const 1024) (i32.const 4096) (i32.const 16)))
      (i64.store (i32.add (i32.const 65536) (i32.mul (local.get $i) (i32.const 8))) (i64.sub (call $now) (local.get $t)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $round (i32.lt_u (local.get $i) (local.get $n))))
    (call $ok (call $kill (i32.const 512) (local.get $killLen) (i32.const 0)))
    (drop (call $take))
    (call $ok (call $output (i32.const 65536) (i32.mul (local.get $n) (i32.const 8))))))
