package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// putConcurrently has writers goroutines each try perWriter puts of value into sp, and returns
// how many succeeded; any error but ErrQuota fails the test.
func putConcurrently(t *testing.T, s *Store, writers, perWriter int, value []byte) int {
	t.Helper()
	var (
		wg sync.WaitGroup
		mu sync.Mutex
		ok int
	)
	errs := make(chan error, writers*perWriter)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				// Half the writers share keys, so versions of one key race too.
				key := fmt.Sprintf("w%d-%d", w%(writers/2), i)
				_, err := s.Put(context.Background(), alice, key, value)
				switch {
				case err == nil:
					mu.Lock()
					ok++
					mu.Unlock()
				case !errors.Is(err, ErrQuota):
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return ok
}

func TestConcurrentPutsNeverOvershootVersions(t *testing.T) {
	const max = 40
	s, _ := openTest(t, Limits{MaxVersionsPerSpace: max})
	ok := putConcurrently(t, s, 8, 10, []byte("v"))
	u := s.mustUsage(t)
	if ok != max || u.Versions != max {
		t.Fatalf("%d puts succeeded and the space holds %d versions; the quota is %d", ok, u.Versions, max)
	}
	if _, err := s.Put(context.Background(), alice, "one more", nil); !errors.Is(err, ErrQuota) {
		t.Fatalf("a put past the quota: %v, want ErrQuota", err)
	}
	if _, err := s.Delete(context.Background(), alice, "w0-0"); !errors.Is(err, ErrQuota) {
		t.Fatalf("a tombstone past the quota: %v, want ErrQuota", err)
	}
	// Another space is not charged for alice's.
	mustPut(t, s, bob, "k", "v")
	checkIntegrity(t, s)
}

func TestConcurrentPutsNeverOvershootBytes(t *testing.T) {
	const max = 1000
	s, _ := openTest(t, Limits{MaxBytesPerSpace: max})
	value := make([]byte, 45) // keys are 4 bytes, so 20 puts of 49 bytes fit in 1000
	ok := putConcurrently(t, s, 8, 5, value)
	u := s.mustUsage(t)
	if ok != 20 || u.Bytes != 20*49 || u.Versions != 20 {
		t.Fatalf("the space holds %d bytes in %d versions after %d puts; want 980 in 20", u.Bytes, u.Versions, ok)
	}
	// A put of exactly the 20 bytes left is accepted, and then nothing more.
	if _, err := s.Put(context.Background(), alice, "x", make([]byte, 19)); err != nil {
		t.Fatalf("a put of exactly the bytes left: %v", err)
	}
	if _, err := s.Put(context.Background(), alice, "y", nil); !errors.Is(err, ErrQuota) {
		t.Fatalf("a put of one byte past the quota: %v, want ErrQuota", err)
	}
	if u := s.mustUsage(t); u.Bytes != max {
		t.Fatalf("usage %d bytes, want %d", u.Bytes, max)
	}
	checkIntegrity(t, s)
}
