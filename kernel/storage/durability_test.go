package storage

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// stormEnv names the store the write-storm child writes to; the child runs only when it is set.
const stormEnv = "AIOS_STORAGE_WRITE_STORM_DB"

// stormValue is the value of a storm's i-th write: its sequence number and a length that
// varies up to a few pages, so that some values overflow a page.
func stormValue(i int) []byte {
	return []byte(fmt.Sprintf("%d#%s", i, strings.Repeat("x", (i*397)%9000)))
}

// TestHelperWriteStorm is the child of TestAcknowledgedWritesSurviveSIGKILL, not a test of its
// own: with stormEnv set it writes from several goroutines until killed, and prints
// "ack <key> <version> <i>" after each Put returns.
func TestHelperWriteStorm(t *testing.T) {
	path := os.Getenv(stormEnv)
	if path == "" {
		return
	}
	s, err := Open(context.Background(), path, Limits{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var (
		mu  sync.Mutex // one ack line at a time
		out = bufio.NewWriter(os.Stdout)
		wg  sync.WaitGroup
	)
	const writers, perWriter = 4, 50_000 // bounded, should the parent never kill it
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range perWriter {
				i := n*writers + w
				key := fmt.Sprintf("key-%d", i%37) // keys shared between writers gather versions
				v, err := s.Put(context.Background(), alice, key, stormValue(i))
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(2)
				}
				mu.Lock()
				fmt.Fprintf(out, "ack %s %d %d\n", key, v, i)
				err = out.Flush() // the ack is out before the next write begins
				mu.Unlock()
				if err != nil {
					os.Exit(2)
				}
			}
		}()
	}
	wg.Wait()
	os.Exit(0)
}

type ack struct {
	key string
	v   Version
	i   int
}

// TestAcknowledgedWritesSurviveSIGKILL kills a process in the middle of a storm of writes and
// checks that every write it acknowledged is in the store afterwards, and the store is sound.
func TestAcknowledgedWritesSurviveSIGKILL(t *testing.T) {
	const wantAcks = 300
	path := filepath.Join(t.TempDir(), "storm.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriteStorm$", "-test.count=1")
	cmd.Env = append(os.Environ(), stormEnv+"="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	var acks []ack
	killed := false
	for {
		line, err := r.ReadString('\n')
		if err == io.EOF {
			break // a last line without its newline was cut by the kill: not an ack
		}
		if err != nil {
			t.Fatal(err)
		}
		var a ack
		if n, _ := fmt.Sscanf(line, "ack %s %d %d\n", &a.key, &a.v, &a.i); n == 3 {
			acks = append(acks, a)
		}
		if len(acks) == wantAcks && !killed {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true // keep reading: acks already in the pipe count too
		}
	}
	werr := cmd.Wait()
	if !killed {
		t.Fatalf("the writer stopped after %d acks (%v): %s", len(acks), werr, stderr.String())
	}

	s, err := Open(context.Background(), path, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkIntegrity(t, s)
	newest := map[string]Version{}
	for _, a := range acks {
		it, err := s.GetVersion(context.Background(), alice, a.key, a.v)
		if err != nil {
			t.Fatalf("acknowledged write %d (%s version %d) is lost: %v", a.i, a.key, a.v, err)
		}
		if !bytes.Equal(it.Value, stormValue(a.i)) {
			t.Fatalf("acknowledged write %d (%s version %d) holds the value of another", a.i, a.key, a.v)
		}
		newest[a.key] = max(newest[a.key], a.v)
	}
	for key, v := range newest {
		it, err := s.Get(context.Background(), alice, key)
		if err != nil || it.Version < v {
			t.Fatalf("%s: newest version %d, %v; version %d was acknowledged", key, it.Version, err, v)
		}
	}
	entries, next, err := s.List(context.Background(), alice, "", "", MaxPage)
	if err != nil || next != "" {
		t.Fatalf("list: %d entries, next %q, %v", len(entries), next, err)
	}
	var versions int64
	for _, e := range entries {
		versions += int64(e.Version)
	}
	// Usage agrees with the versions stored (no version lost its accounting, nor the reverse).
	u := s.mustUsage(t)
	if u.Versions < int64(len(acks)) || u.Versions != versions {
		t.Fatalf("usage counts %d versions; the keys hold %d and %d were acknowledged", u.Versions, versions, len(acks))
	}
	t.Logf("%d acknowledged writes survived; %d versions in the store", len(acks), u.Versions)
}
