package server

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/journal"
	"github.com/aiosys/aios/kernel/space"
	"github.com/aiosys/aios/kernel/storage"
	"github.com/aiosys/aios/kernel/writekey"
)

// TestDurableServerJournalsAndResumesUnderItsIDs runs three agents on a durable server, makes
// their journal records say they were still running (as a crash leaves them), and starts a
// second server on the same journal with one active slot: the three are listed under their
// old ids and tenant, queue for the slot, say in their events that they resumed, and end
// with the outputs they had.
func TestDurableServerJournalsAndResumesUnderItsIDs(t *testing.T) {
	store, err := journal.Open(filepath.Join(t.TempDir(), "journal"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	modules := filepath.Join(t.TempDir(), "modules")
	first := newTestServer(t, "", nil, Options{Journal: store, JournalModules: modules})
	c := first.client("")
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	outputs := map[string]string{}
	for _, in := range []string{"one", "two", "three"} {
		r := waitFinal(t, c, submit(t, c, "generate", in).ID)
		if r.Status != client.StatusExited {
			t.Fatalf("run %s: %+v", r.ID, r)
		}
		out, err := c.Output(ctx, r.ID)
		if err != nil || len(out) == 0 {
			t.Fatalf("output of %s: %q, %v", r.ID, out, err)
		}
		outputs[r.ID] = string(out)
		rec, err := store.Run(r.ID)
		if err != nil {
			t.Fatalf("the server's run %s is not journaled under its id: %v", r.ID, err)
		}
		if rec.Status != journal.Finished || rec.Tenant != DefaultTenant || rec.Name != "generate" || string(rec.Input) != in || rec.Calls == 0 {
			t.Fatalf("journal record %+v", rec)
		}
		// What a crash leaves: the record still says running.
		rec.Status, rec.Ended, rec.ExitCode, rec.Output = journal.Running, time.Time{}, 0, ""
		if err := store.SaveRun(rec); err != nil {
			t.Fatal(err)
		}
	}

	second := newTestServer(t, "", nil, Options{Journal: store, JournalModules: modules, MaxActive: 1})
	n, err := second.ResumeInterrupted()
	if err != nil || n != len(outputs) {
		t.Fatalf("ResumeInterrupted: %d, %v; want %d", n, err, len(outputs))
	}
	c = second.client("")
	listed, err := c.Runs(ctx)
	if err != nil || len(listed) != len(outputs) {
		t.Fatalf("runs after the restart: %+v, %v", listed, err)
	}
	for id, want := range outputs {
		r := waitFinal(t, c, id)
		if r.Status != client.StatusExited || r.Tenant != DefaultTenant || r.Name != "generate" {
			t.Fatalf("resumed run %s: %+v", id, r)
		}
		out, err := c.Output(ctx, id)
		if err != nil || string(out) != want {
			t.Fatalf("resumed run %s output %q, %v; want %q", id, out, err, want)
		}
		var notice, queued bool
		for e, err := range c.Events(ctx, id, 0) {
			if err != nil {
				t.Fatal(err)
			}
			notice = notice || e.Type == client.EventNotice && strings.Contains(e.Text, "resumed after the kernel restarted")
			queued = queued || e.Type == client.EventStatus && e.Status == client.StatusQueued
		}
		if !notice || !queued {
			t.Fatalf("events of %s: resumed notice %v, queued %v", id, notice, queued)
		}
		rec, _ := store.Run(id)
		if rec.Status != journal.Finished || rec.Resumes != 1 {
			t.Fatalf("journal record after the resume: %+v", rec)
		}
	}
}

// TestDurableServerFailsARunWhoseModuleIsGone: an interrupted run whose kept module was
// removed is listed and failed with the reason, in the API and in its journal record.
func TestDurableServerFailsARunWhoseModuleIsGone(t *testing.T) {
	store, err := journal.Open(filepath.Join(t.TempDir(), "journal"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	rec := journal.Run{ID: "run_gone", Module: filepath.Join(t.TempDir(), "gone.wasm"), Name: "generate",
		Tenant: DefaultTenant, Status: journal.Running, Created: time.Now()}
	if err := store.SaveRun(rec); err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t, "", nil, Options{Journal: store, JournalModules: t.TempDir()})
	// A write the run made before the crash left its key in the storage store.
	st, err := storage.Open(context.Background(), filepath.Join(s.data, aios.StorageFile), storage.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keyed := writekey.With(context.Background(), writekey.Key{Run: rec.ID, Attempt: 1, Call: 3})
	if _, err := st.Put(keyed, space.Of(space.Identity{Name: "generate"}), "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if n, err := s.ResumeInterrupted(); err != nil || n != 1 {
		t.Fatalf("ResumeInterrupted: %d, %v", n, err)
	}
	r := waitFinal(t, s.client(""), rec.ID)
	if r.Status != client.StatusFailed || !strings.Contains(r.Error, "the run's module") {
		t.Fatalf("run %+v", r)
	}
	if got, _ := store.Run(rec.ID); got.Status != journal.Failed || !strings.Contains(got.Error, "the run's module") {
		t.Fatalf("journal record %+v", got)
	}
	if n, err := st.WriteKeys(context.Background(), rec.ID); err != nil || n != 0 {
		t.Fatalf("the failed run's write keys: %d left, %v", n, err)
	}
}
