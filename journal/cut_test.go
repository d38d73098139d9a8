package journal

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func appendStorm(t testing.TB, s *Store, id string, from, to int) {
	w, err := s.OpenWriter(id)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for seq := from; seq < to; seq++ {
		if err := w.Append(stormRecord(0, seq)); err != nil {
			t.Fatal(err)
		}
	}
}

func checkPrefix(t *testing.T, s *Store, id string, want int) {
	t.Helper()
	recs, err := s.Records(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != want {
		t.Fatalf("%d records, want %d", len(recs), want)
	}
	for seq, r := range recs {
		if !bytes.Equal(r, stormRecord(0, seq)) {
			t.Fatalf("record %d is not the one appended", seq)
		}
	}
}

func TestCutBackKeepsTheFirstRecords(t *testing.T) {
	s := openStore(t, Options{Fsync: true})
	if err := s.SaveRun(Run{ID: "cut", Status: Running}); err != nil {
		t.Fatal(err)
	}
	if err := s.CutBack("cut", 3); err != nil {
		t.Fatalf("a run without a journal: %v", err)
	}
	appendStorm(t, s, "cut", 0, 5)
	if err := s.CutBack("cut", 10); err != nil {
		t.Fatal(err)
	}
	checkPrefix(t, s, "cut", 5)
	if err := s.CutBack("cut", 3); err != nil {
		t.Fatal(err)
	}
	checkPrefix(t, s, "cut", 3)
	appendStorm(t, s, "cut", 3, 6) // the journal goes on from the cut
	checkPrefix(t, s, "cut", 6)
	if err := s.CutBack("cut", 0); err != nil {
		t.Fatal(err)
	}
	checkPrefix(t, s, "cut", 0)

	if err := s.CutBack("cut", -1); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Errorf("CutBack(-1) = %v, want an error saying it is negative", err)
	}
	if err := s.CutBack("nope", 1); err == nil {
		t.Error("CutBack of a run that does not exist succeeded")
	}
	if err := s.CutBack("../x", 1); err == nil {
		t.Error("CutBack of a bad id succeeded")
	}
	ents, _ := os.ReadDir(s.runDir("cut"))
	if len(ents) != 2 {
		t.Errorf("the run's directory holds %d files after the cuts, want run.json and calls.log", len(ents))
	}
}

// envCutDir makes the test binary, re-executed by TestSIGKILLMidCutBack, the child that grows
// and cuts a journal until it is killed.
const envCutDir = "AIOS_JOURNAL_CUT_DIR"

// TestCutBackChild is the child process: it is a no-op unless re-executed with envCutDir.
func TestCutBackChild(t *testing.T) {
	dir := os.Getenv(envCutDir)
	if dir == "" {
		return
	}
	s, err := Open(dir, Options{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	if err := s.SaveRun(Run{ID: "cut", Status: Running}); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	appendStorm(t, s, "cut", 0, 100)
	for i := 0; ; i++ {
		appendStorm(t, s, "cut", 100, 300)
		if err := s.CutBack("cut", 100); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Printf("cut %d\n", i)
	}
}

// TestSIGKILLMidCutBack kills a process that grows a journal and cuts it back, over and over:
// whenever it is killed, the journal read back is intact records in their order, never fewer
// than the cut keeps, and it goes on.
func TestSIGKILLMidCutBack(t *testing.T) {
	for round := range 3 {
		dir := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestCutBackChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), envCutDir+"="+dir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		guard := time.AfterFunc(5*time.Minute, func() { _ = cmd.Process.Kill() })
		sc := bufio.NewScanner(stdout)
		cuts := 0
		for sc.Scan() && cuts < 20+round*7 {
			if !strings.HasPrefix(sc.Text(), "cut ") {
				t.Fatalf("child said %q", sc.Text())
			}
			cuts++
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		guard.Stop()
		if cuts < 20+round*7 {
			t.Fatalf("the child stopped after %d cuts: %v", cuts, sc.Err())
		}
		s, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		recs, err := s.Records("cut")
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) < 100 || len(recs) > 300 {
			t.Fatalf("round %d: %d records after the kill, want 100 to 300", round, len(recs))
		}
		checkPrefix(t, s, "cut", len(recs))
		if err := s.CutBack("cut", 50); err != nil {
			t.Fatal(err)
		}
		checkPrefix(t, s, "cut", 50)
		_ = s.Close()
	}
}
