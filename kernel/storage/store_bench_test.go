package storage

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkPut measures one durable Put (a committed, fsynced transaction) of a 1 KiB value.
func BenchmarkPut(b *testing.B) {
	s, _ := openTest(b, Limits{MaxVersionsPerSpace: 1 << 40, MaxBytesPerSpace: 1 << 50})
	value := make([]byte, 1024)
	b.SetBytes(int64(len(value)))
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := s.Put(ctx, alice, fmt.Sprintf("key-%d", i%1000), value); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkPutParallel measures Puts from many goroutines, which the store serializes.
func BenchmarkPutParallel(b *testing.B) {
	s, _ := openTest(b, Limits{MaxVersionsPerSpace: 1 << 40, MaxBytesPerSpace: 1 << 50})
	value := make([]byte, 1024)
	b.SetBytes(int64(len(value)))
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		i := 0
		for pb.Next() {
			if _, err := s.Put(ctx, alice, fmt.Sprintf("key-%d", i%1000), value); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkGet measures Get of the newest version of one of 1000 keys with 1 KiB values.
func BenchmarkGet(b *testing.B) {
	s, _ := openTest(b, Limits{})
	ctx := context.Background()
	value := make([]byte, 1024)
	for i := range 1000 {
		if _, err := s.Put(ctx, alice, fmt.Sprintf("key-%d", i), value); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(value)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := s.Get(ctx, alice, fmt.Sprintf("key-%d", i%1000)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkPutKeyed measures BenchmarkPut's Put as a durable run makes it, with a write key
// (one more row in the same transaction), and "again" a Put whose key is recorded already (a
// resumed run's write that the crashed attempt applied): a lookup, nothing written.
func BenchmarkPutKeyed(b *testing.B) {
	value := make([]byte, 1024)
	b.Run("first", func(b *testing.B) {
		s, _ := openTest(b, Limits{MaxVersionsPerSpace: 1 << 40, MaxBytesPerSpace: 1 << 50})
		b.SetBytes(int64(len(value)))
		i := 0
		for b.Loop() {
			if _, err := s.Put(keyed("bench-run", 1, i), alice, fmt.Sprintf("key-%d", i%1000), value); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("again", func(b *testing.B) {
		s, _ := openTest(b, Limits{})
		ctx := keyed("bench-run", 1, 0)
		if _, err := s.Put(ctx, alice, "key", value); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := s.Put(ctx, alice, "key", value); err != nil {
				b.Fatal(err)
			}
		}
	})
}
