package journal

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// envStormDir makes the test binary, re-executed by TestSIGKILLMidAppendStorm, the child that
// appends until it is killed.
const envStormDir = "AIOS_JOURNAL_STORM_DIR"

const stormRuns = 8

// stormRecord is record seq of run: its own text and a padding derived from both, so that any
// record read back can be checked whole.
func stormRecord(run, seq int) []byte {
	head := fmt.Sprintf("%d %d ", run, seq)
	sum := sha256.Sum256([]byte(head))
	return append([]byte(head), bytes.Repeat(sum[:], 1+seq%7)...)
}

// TestAppendStormChild is the child process: it is a no-op unless re-executed with envStormDir.
func TestAppendStormChild(t *testing.T) {
	dir := os.Getenv(envStormDir)
	if dir == "" {
		return
	}
	s, err := Open(dir, Options{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for run := range stormRuns {
		id := "storm-" + strconv.Itoa(run)
		if err := s.SaveRun(Run{ID: id, Status: Running}); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		w, err := s.OpenWriter(id)
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		wg.Go(func() {
			for seq := 0; ; seq++ {
				if err := w.Append(stormRecord(run, seq)); err != nil {
					fmt.Println("error", err)
					os.Exit(1)
				}
				mu.Lock()
				fmt.Fprintf(out, "ack %d %d\n", run, seq)
				_ = out.Flush() // the parent counts an ack only once Append has returned
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

// TestSIGKILLMidAppendStorm kills a process appending to several journals at once and checks
// that every append it acknowledged is read back intact and that nothing torn is accepted.
func TestSIGKILLMidAppendStorm(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestAppendStormChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envStormDir+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := make([]int, stormRuns) // highest acknowledged seq + 1 per run
	total := 0
	sc := bufio.NewScanner(stdout)
	guard := time.AfterFunc(5*time.Minute, func() { _ = cmd.Process.Kill() })
	defer guard.Stop()
	for sc.Scan() && total < 5000 {
		f := strings.Fields(sc.Text())
		if len(f) != 3 || f[0] != "ack" {
			t.Fatalf("child said %q", sc.Text())
		}
		run, _ := strconv.Atoi(f[1])
		seq, _ := strconv.Atoi(f[2])
		acked[run] = max(acked[run], seq+1)
		total++
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if total < 5000 {
		t.Fatalf("the child stopped after %d acks: %v", total, sc.Err())
	}

	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for run := range stormRuns {
		id := "storm-" + strconv.Itoa(run)
		recs, err := s.Records(id)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) < acked[run] {
			t.Errorf("run %d: %d records survived, %d were acknowledged", run, len(recs), acked[run])
		}
		for seq, r := range recs {
			if !bytes.Equal(r, stormRecord(run, seq)) {
				t.Fatalf("run %d record %d is not the record appended: %q", run, seq, r[:min(len(r), 40)])
			}
		}
		// The journal goes on after the crash: a new record follows the intact ones.
		w, err := s.OpenWriter(id)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Append(stormRecord(run, len(recs))); err != nil {
			t.Fatal(err)
		}
		_ = w.Close()
		again, _ := s.Records(id)
		if len(again) != len(recs)+1 {
			t.Errorf("run %d: %d records after reopening and one append, want %d", run, len(again), len(recs)+1)
		}
	}
}
