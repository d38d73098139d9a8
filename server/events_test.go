package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/client"
)

// floodTOML keeps 8 MiB of log per agent: stdoutflood's 100000 lines are 100000 events.
// floodTOML lets a flooding agent write 8 MiB of log, and run for ten minutes of processor time:
// under the race detector on a loaded machine a flood whose readers fall behind can use more than
// the default minute.
const floodTOML = "[limits]\nlog = \"8MiB\"\ncpu_time = \"10m\"\nwall_time = \"10m\"\n"

// readSSE reads server-sent events from resp until n events came or the stream ended.
func readSSE(t *testing.T, resp *http.Response, n int) []client.Event {
	t.Helper()
	var out []client.Event
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 16<<20)
	var id string
	for sc.Scan() && len(out) < n {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "id: "); ok {
			id = v
		}
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			var e client.Event
			if err := json.Unmarshal([]byte(data), &e); err != nil {
				t.Fatal(err)
			}
			if want := e.ID; id != jsonNumber(want) {
				t.Fatalf("id: line %q and data id %d differ", id, want)
			}
			out = append(out, e)
		}
	}
	return out
}

func jsonNumber(n uint64) string { b, _ := json.Marshal(n); return string(b) }

// streamFrom opens the run's event stream after event id after (0: none given).
func streamFrom(t *testing.T, s *testServer, id string, after string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.ts.URL+"/v1/runs/"+id+"/events", nil)
	if after != "" {
		req.Header.Set("Last-Event-ID", after)
	}
	resp, err := s.http().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestEventsResumeWithLastEventID(t *testing.T) {
	// Queues and buffer hold every event, so no stream is dropped and nothing is evicted.
	s := newTestServer(t, floodTOML, nil, Options{EventBuffer: 200000, SubscriberQueue: 200000})
	c := s.client("")
	run := submit(t, c, "stdoutflood", "")

	// Read some events, then drop the connection.
	resp := streamFrom(t, s, run.ID, "")
	first := readSSE(t, resp, 50)
	resp.Body.Close()
	if len(first) != 50 || first[0].Type != client.EventStatus || first[0].Status != client.StatusRunning || first[0].ID != 1 {
		t.Fatalf("first events = %+v, want 50 starting with the running status as id 1", first[:min(len(first), 3)])
	}
	last := first[len(first)-1].ID

	// Resume: the next event is the one after the last seen, and the stream ends with the
	// final status.
	resp = streamFrom(t, s, run.ID, jsonNumber(last))
	rest := readSSE(t, resp, 1<<30)
	resp.Body.Close()
	if len(rest) == 0 || rest[0].ID != last+1 {
		t.Fatalf("resumed stream starts at %+v, want id %d", rest[:min(len(rest), 1)], last+1)
	}
	for i := 1; i < len(rest); i++ {
		if rest[i].ID != rest[i-1].ID+1 {
			t.Fatalf("ids jump from %d to %d", rest[i-1].ID, rest[i].ID)
		}
	}
	end := rest[len(rest)-1]
	if end.Type != client.EventStatus || end.Status != client.StatusExited || end.ExitCode == nil || *end.ExitCode != 0 {
		t.Fatalf("last event = %+v, want the exited status", end)
	}
	if got := len(first) + len(rest); got < 100000 {
		t.Fatalf("%d events, want the running status, 100000 log lines and the end", got)
	}

	// A bad Last-Event-ID is refused.
	resp = streamFrom(t, s, run.ID, "abc")
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("Last-Event-ID abc: %d, want 400", resp.StatusCode)
	}
}

// checkAccounted fails unless events account for every id from 1 (or the first's) to the
// last exactly once, through the events themselves or gap events, and end with exited.
func checkAccounted(t *testing.T, events []client.Event) {
	t.Helper()
	if len(events) == 0 {
		t.Fatal("no events")
	}
	next := events[0].ID
	if events[0].Type == client.EventGap {
		next = events[0].MissedFrom
	}
	for _, e := range events {
		switch {
		case e.Type == client.EventGap && e.MissedFrom == next && e.MissedTo >= e.MissedFrom && e.ID == e.MissedTo:
			next = e.MissedTo + 1
		case e.Type != client.EventGap && e.ID == next:
			next++
		default:
			t.Fatalf("event %+v, want id %d next", e, next)
		}
	}
	if end := events[len(events)-1]; end.Type != client.EventStatus || end.Status != client.StatusExited {
		t.Fatalf("last event %+v, want the exited status", end)
	}
}

func TestClientEventsResumeWhenDropped(t *testing.T) {
	// A queue of 4 drops a client that is slower than the agent; the client resumes.
	s := newTestServer(t, floodTOML, nil, Options{SubscriberQueue: 4})
	c := s.client("")
	run := submit(t, c, "stdoutflood", "")
	var events []client.Event
	for e, err := range c.Events(context.Background(), run.ID, 0) {
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
		if len(events)%5000 == 0 {
			time.Sleep(time.Millisecond) // fall behind now and then
		}
	}
	if events[0].ID != 1 {
		t.Fatalf("first event %+v, want id 1", events[0])
	}
	checkAccounted(t, events)
}

func TestEventsGapAfterEviction(t *testing.T) {
	s := newTestServer(t, floodTOML, nil, Options{EventBuffer: 100})
	c := s.client("")
	run := submit(t, c, "stdoutflood", "")
	waitFinal(t, c, run.ID)
	var events []client.Event
	for e, err := range c.Events(context.Background(), run.ID, 5) {
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	if len(events) != 101 {
		t.Fatalf("%d events, want a gap and the 100 kept", len(events))
	}
	gap := events[0]
	if gap.Type != client.EventGap || gap.MissedFrom != 6 || gap.MissedTo != events[1].ID-1 || gap.ID != gap.MissedTo {
		t.Fatalf("gap = %+v before %+v", gap, events[1])
	}
	if end := events[100]; end.Status != client.StatusExited {
		t.Fatalf("last = %+v, want exited", end)
	}
}

func TestSlowClientDoesNotHoldTheRun(t *testing.T) {
	s := newTestServer(t, floodTOML, nil, Options{EventBuffer: 1000, SubscriberQueue: 16, WriteTimeout: time.Second})
	c := s.client("")
	baseGoroutines := settleGoroutines(-1)
	run := submit(t, c, "stdoutflood", "")

	// A client that asks for the stream and never reads it.
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET /v1/runs/" + run.ID + "/events HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}

	// Meanwhile another run, streamed by a client that reads.
	wasm, err := os.ReadFile("testdata/stream.wasm")
	if err != nil {
		t.Fatal(err)
	}
	other, err := c.Submit(context.Background(), client.RunRequest{Module: wasm, Name: "stream"})
	if err != nil {
		t.Fatal(err)
	}
	otherEvents := make(chan []client.Event, 1)
	go func() {
		var got []client.Event
		for e, err := range c.Events(context.Background(), other.ID, 0) {
			if err != nil {
				t.Error(err)
				break
			}
			got = append(got, e)
		}
		otherEvents <- got
	}()

	done := waitFinal(t, c, run.ID)
	if done.Status != client.StatusExited {
		t.Fatalf("run = %+v, want exited", done)
	}
	r, _ := s.runs.get(DefaultTenant, run.ID)
	if n, _ := r.events.kept(); n > 1000 {
		t.Fatalf("%d events kept, want at most 1000", n)
	}
	r.events.mu.Lock()
	subs := len(r.events.subs)
	r.events.mu.Unlock()
	if subs != 0 {
		t.Fatalf("%d subscribers left after the run ended", subs)
	}
	// Another client still gets the end of the stream, after a gap.
	var got []client.Event
	for e, err := range c.Events(context.Background(), run.ID, 0) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	if len(got) != 1001 || got[0].Type != client.EventGap || got[1000].Status != client.StatusExited {
		t.Fatalf("%d events from %+v, want a gap, then 1000 ending with exited", len(got), got[0])
	}
	// The client that read got every event of its run, in order, up to its end.
	otherGot := <-otherEvents
	for i, e := range otherGot {
		if e.ID != uint64(i+1) {
			t.Fatalf("the other stream's event %d has id %d", i, e.ID)
		}
	}
	if len(otherGot) == 0 || otherGot[len(otherGot)-1].Status != client.StatusExited || *otherGot[len(otherGot)-1].ExitCode != 7 {
		t.Fatalf("the other stream = %+v, want it to end with exited 7", otherGot)
	}

	// The server has hung up on the client that never read: what its socket holds, then EOF.
	if err := conn.SetReadDeadline(time.Now().Add(hangGuard)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, conn); err != nil {
		t.Fatalf("reading the slow stream to its end: %v, want the server to have closed it", err)
	}
	// Nothing of the streams, the runs or their connections is left running.
	http.DefaultTransport.(*http.Transport).CloseIdleConnections() // the test clients' transport
	if n := settleGoroutines(baseGoroutines); n > baseGoroutines {
		var dump strings.Builder
		_ = pprof.Lookup("goroutine").WriteTo(&dump, 1)
		t.Fatalf("%d goroutines, %d before the runs:\n%s", n, baseGoroutines, dump.String())
	}
}

func TestEventBufferBoundsBytes(t *testing.T) {
	l := newEventLog(1000, 100, 4)
	for range 50 {
		l.publish(client.Event{Type: client.EventToken, Text: "0123456789"})
	}
	if n, b := l.kept(); n != 10 || b != 100 {
		t.Fatalf("kept %d events, %d bytes; want 10 and 100", n, b)
	}
	backlog, sub := l.subscribe(0)
	if sub == nil || backlog[0].Type != client.EventGap || backlog[0].MissedFrom != 1 || backlog[0].MissedTo != 40 || backlog[1].ID != 41 {
		t.Fatalf("backlog starts %+v %+v", backlog[0], backlog[1])
	}
	for range 5 { // one more than the queue holds: the subscriber is dropped
		l.publish(client.Event{Type: client.EventToken})
	}
	n := 0
	for range sub.ch {
		n++
	}
	if n != 4 {
		t.Fatalf("the dropped subscriber got %d events, want the 4 its queue held", n)
	}
	l.unsubscribe(sub) // already dropped: no double close
}
