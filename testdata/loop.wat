;; loop: spins forever without a system call; only a CPU-time, wall-time or cancellation
;; limit ends it.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $forever (br $forever))))
