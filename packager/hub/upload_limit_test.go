package hub_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
	"golang.org/x/crypto/bcrypt"

	"github.com/aiosys/aios/packager/hub"
)

// startCapped runs a real hub on loopback that accepts blobs of at most max bytes.
func startCapped(t *testing.T, max int64) (base string) {
	t.Helper()
	logrus.SetOutput(io.Discard)
	root := t.TempDir()
	// The cheapest bcrypt cost: the hub checks the password on every request (and the cap's
	// upload-status lookups), as hubtest does.
	hash, err := bcrypt.GenerateFromPassword([]byte("p"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	htpasswd := filepath.Join(root, "htpasswd")
	if err := os.WriteFile(htpasswd, []byte("u:"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h, err := hub.New(context.Background(), hub.Config{Addr: "127.0.0.1:0", Root: root, Htpasswd: htpasswd, MaxUpload: max})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- h.Serve() }()
	t.Cleanup(func() {
		if err := h.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return "http://" + h.Addr()
}

// send sends n zero bytes, never held in memory, as the body of an authenticated request;
// sized says whether the request declares its length (else it is sent chunked).
func send(t *testing.T, method, target string, n int64, sized bool, header map[string]string) *http.Response {
	t.Helper()
	var body io.Reader = io.LimitReader(zeroReader{}, n)
	if !sized {
		body = io.MultiReader(body) // hides the length from net/http
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if sized {
		req.ContentLength = n
	}
	req.SetBasicAuth("u", "p")
	req.Header.Set("Content-Type", "application/octet-stream")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// zeroDigest is the digest of n zero bytes, computed without holding them.
func zeroDigest(t *testing.T, n int64) string {
	h := sha256.New()
	if _, err := io.Copy(h, io.LimitReader(zeroReader{}, n)); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("sha256:%x", h.Sum(nil))
}

// startUpload opens an upload session and returns its URL.
func startUpload(t *testing.T, base string) *url.URL {
	t.Helper()
	resp := send(t, http.MethodPost, base+"/v2/agents/big/blobs/uploads/", 0, true, nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("start upload: %d", resp.StatusCode)
	}
	b, _ := url.Parse(base)
	loc, err := b.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func withDigest(u *url.URL, digest string) string {
	q := u.Query()
	q.Set("digest", digest)
	v := *u
	v.RawQuery = q.Encode()
	return v.String()
}

func TestUploadLimit(t *testing.T) {
	const max = 1 << 20
	base := startCapped(t, max)

	t.Run("a blob of exactly the limit is accepted", func(t *testing.T) {
		loc := startUpload(t, base)
		if resp := send(t, http.MethodPut, withDigest(loc, zeroDigest(t, max)), max, true, nil); resp.StatusCode != http.StatusCreated {
			t.Fatalf("PUT %d bytes: %d, want 201", max, resp.StatusCode)
		}
	})
	for _, sized := range []bool{true, false} {
		t.Run(fmt.Sprintf("one byte over is refused (length declared %v)", sized), func(t *testing.T) {
			loc := startUpload(t, base)
			resp := send(t, http.MethodPut, withDigest(loc, zeroDigest(t, max+1)), max+1, sized, nil)
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("PUT %d bytes: %d, want 413", max+1, resp.StatusCode)
			}
		})
	}
	t.Run("chunks add up", func(t *testing.T) {
		loc := startUpload(t, base)
		const chunk = 600 << 10
		resp := send(t, http.MethodPatch, loc.String(), chunk, true, map[string]string{"Content-Range": fmt.Sprintf("0-%d", chunk-1)})
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("first chunk: %d, want 202", resp.StatusCode)
		}
		b, _ := url.Parse(base)
		next, err := b.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		resp = send(t, http.MethodPatch, next.String(), chunk, false, nil)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("second chunk past the limit: %d, want 413", resp.StatusCode)
		}
	})
}

func TestNegativeUploadLimitRefused(t *testing.T) {
	root := t.TempDir()
	htpasswd := filepath.Join(root, "htpasswd")
	if err := os.WriteFile(htpasswd, []byte("u:x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := hub.New(context.Background(), hub.Config{Addr: "127.0.0.1:0", Root: root, Htpasswd: htpasswd, MaxUpload: -1})
	if err == nil || !strings.Contains(err.Error(), "negative") {
		t.Fatalf("New with MaxUpload -1: %v", err)
	}
}
