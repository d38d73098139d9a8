package kernelbench

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aiosys/aios/internal/simtest"
	"github.com/aiosys/aios/kernel/llm"
)

func TestDirectStreamsAndSeesRateLimit(t *testing.T) {
	sim := simtest.Start(t)
	up, err := url.Parse(strings.TrimSuffix(sim, "/v1"))
	if err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewServer(NewRateLimiter(up, 1))
	defer proxy.Close()
	d, err := NewDirect(proxy.URL + "/v1")
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	u, err := d.Generate(context.Background(), Ask("one two three four", 4), func(c llm.Chunk) { text.WriteString(c.Text) })
	if err != nil {
		t.Fatal(err)
	}
	if u.OutputTokens != 4 || u.InputTokens == 0 || !strings.HasPrefix(text.String(), "one two") {
		t.Errorf("usage %+v, text %q; want the 4-word prompt echoed as 4 output tokens", u, text.String())
	}
	_, err = d.Generate(context.Background(), Ask("again", 3), nil)
	if !IsRateLimited(err) {
		t.Errorf("second call over an rpm of 1: error %v, want a 429", err)
	}
}
