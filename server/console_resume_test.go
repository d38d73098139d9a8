package server

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/aiosys/aios/client"
)

// firstEventOnly passes an event stream through up to the end of its first event, then ends
// it, as a connection that drops would.
type firstEventOnly struct {
	io.ReadCloser
	seen []byte
	done bool
}

func (f *firstEventOnly) Read(p []byte) (int, error) {
	if f.done {
		return 0, io.EOF
	}
	n, err := f.ReadCloser.Read(p)
	f.seen = append(f.seen, p[:n]...)
	if i := bytes.Index(f.seen, []byte("\n\n")); i >= 0 {
		f.done = true
		return n - (len(f.seen) - (i + 2)), nil
	}
	return n, err
}

// TestConsoleResumesItsStream serves the console through a proxy that ends the first event
// stream after one event: the page reconnects with Last-Event-ID and shows every later event
// once.
func TestConsoleResumesItsStream(t *testing.T) {
	s := newTestServer(t, "", nil, Options{})
	target, err := url.Parse(s.ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var resumedFrom []string // each event stream request's Last-Event-ID
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.FlushInterval = -1
	proxy.ModifyResponse = func(resp *http.Response) error {
		if strings.HasSuffix(resp.Request.URL.Path, "/events") {
			mu.Lock()
			resumedFrom = append(resumedFrom, resp.Request.Header.Get("Last-Event-ID"))
			first := len(resumedFrom) == 1
			mu.Unlock()
			if first {
				resp.Body = &firstEventOnly{ReadCloser: resp.Body}
			}
		}
		return nil
	}
	front := httptest.NewServer(proxy)
	defer front.Close()

	c := s.client("")
	run, err := c.Submit(t.Context(), client.RunRequest{Module: sampleAgent(t, "hello"), Name: "hello", Input: "once only"})
	if err != nil {
		t.Fatal(err)
	}
	waitFinal(t, c, run.ID)
	br := newBrowser(t)
	br.do("open the run", chromedp.Navigate(front.URL+"/#/runs/"+run.ID), chromedp.WaitVisible(chromedp.ID("run-log")))
	br.waitFor("the run's end", `document.getElementById('run-log').textContent.includes('exited (exit code 0)')`)
	if v := br.eval(`(() => {
		const lines = [...document.querySelectorAll('#run-log .line')].map(l => l.textContent);
		return lines.filter(l => l === 'statusrunning').length === 1 &&
			lines.filter(l => l.includes('asking: once only')).length === 1 &&
			lines.filter(l => l.startsWith('statusexited')).length === 1; })()`); v != true {
		t.Fatalf("log after a resumed stream: %v, want each event once", br.eval(`document.getElementById('run-log').innerText`))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(resumedFrom) != 2 || resumedFrom[0] != "" || resumedFrom[1] != "1" {
		t.Fatalf("event stream requests' Last-Event-ID = %q, want none, then 1", resumedFrom)
	}
}
