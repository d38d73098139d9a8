package audit

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// TestInsertKeepsOrderAndValues commits one batch mixing runs long enough for the uniform
// statements with rows that differ, and checks that every row is stored, in order, as recorded.
func TestInsertKeepsOrderAndValues(t *testing.T) {
	ctx := context.Background()
	l := openLog(t, filepath.Join(t.TempDir(), "audit.db"))
	defer l.Close()
	t0 := time.Unix(1_700_000_000, 0)
	var want []Entry
	add := func(n int, agent func(i int) string, allow bool) {
		for i := range n {
			e := entry(agent(i), "output", allow, t0.Add(time.Duration(len(want))*time.Millisecond))
			e.Cached = i%3 == 0
			e.Eval = time.Duration(len(want))
			want = append(want, e)
		}
	}
	add(300, func(int) string { return "loop" }, true)                // 256 + 16*2 + 4*3 uniform
	add(7, func(i int) string { return fmt.Sprint("a", i%2) }, false) // general
	add(minUniformRun, func(int) string { return "burst" }, false)    // exactly one uniform run
	add(minUniformRun-1, func(int) string { return "short" }, true)   // too short: general
	rows := make([]*row, len(want))
	for i, e := range want {
		r, err := newRow(e)
		if err != nil {
			t.Fatal(err)
		}
		rows[i] = &r
	}
	ins, err := newInserter(ctx, l.db)
	if err != nil {
		t.Fatal(err)
	}
	err = ins.commit(ctx, rows)
	ins.close()
	if err != nil {
		t.Fatal(err)
	}
	got, err := l.Query(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries stored, want %d", len(got), len(want))
	}
	for i, g := range got {
		w := want[i]
		if !g.Time.Equal(w.Time) || g.Agent != w.Agent || g.Allow != w.Allow || g.Cached != w.Cached ||
			g.Eval != w.Eval || g.Call != w.Call || g.Reason != w.Reason || g.Args["model"] != "gpt-4o" ||
			g.Tenant != w.Tenant {
			t.Fatalf("entry %d = %+v, want %+v", i, g, w)
		}
		if i > 0 && g.ID <= got[i-1].ID {
			t.Fatalf("entry %d has id %d after %d", i, g.ID, got[i-1].ID)
		}
	}
}
