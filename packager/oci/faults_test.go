package oci

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aiosys/aios/packager/hub/hubtest"
)

// Fault modes of faultProxy.
const (
	passThrough int32 = iota
	corruptBlob       // flip one byte of the blob, keeping its length
	cutBlob           // send half the blob, then drop the connection
)

// faultProxy forwards to a hub and damages GETs of one blob as its mode says.
type faultProxy struct {
	hub    string
	digest string
	mode   atomic.Int32
	proxy  *httputil.ReverseProxy
}

func startFaultProxy(t *testing.T, hubAddr, digest string) (*faultProxy, string) {
	t.Helper()
	u, err := url.Parse("http://" + hubAddr)
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{hub: hubAddr, digest: digest, proxy: httputil.NewSingleHostReverseProxy(u)}
	p.proxy.ErrorLog = log.New(io.Discard, "", 0)
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, strings.TrimPrefix(srv.URL, "http://")
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	mode := p.mode.Load()
	if mode == passThrough || r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/blobs/"+p.digest) {
		p.proxy.ServeHTTP(w, r)
		return
	}
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, "http://"+p.hub+r.URL.Path, nil)
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		http.Error(w, "upstream failed", http.StatusBadGateway)
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	switch mode {
	case corruptBlob:
		body[len(body)/2] ^= 0xff
		w.Write(body)
	case cutBlob:
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}
}

func TestDigestMismatch(t *testing.T) {
	h := hubtest.Start(t, "", true)
	b := testBundle(t, "echo", "1.0.0", "", 32<<10, nil)
	p, proxyAddr := startFaultProxy(t, h.Addr(), b.Digest())
	publish(t, publisher(), b, h.Addr()+"/agents/echo:1.0.0")

	p.mode.Store(corruptBlob)
	c := newCache(t)
	ref := proxyAddr + "/agents/echo:1.0.0"
	if _, err := c.Pull(context.Background(), anonymous(), ref, PullOptions{}); !errors.Is(err, ErrDigestMismatch) {
		t.Fatalf("err = %v, want ErrDigestMismatch", err)
	}
	checkNoPartialFiles(t, c)
	if _, err := c.Load(ref); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a failed pull was recorded: %v", err)
	}
}

func TestInterruptedPull(t *testing.T) {
	h := hubtest.Start(t, "", true)
	b := testBundle(t, "echo", "1.0.0", "", 256<<10, nil)
	p, proxyAddr := startFaultProxy(t, h.Addr(), b.Digest())
	publish(t, publisher(), b, h.Addr()+"/agents/echo:1.0.0")

	p.mode.Store(cutBlob)
	c := newCache(t)
	ref := proxyAddr + "/agents/echo:1.0.0"
	if _, err := c.Pull(context.Background(), anonymous(), ref, PullOptions{}); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err = %v, want ErrInterrupted", err)
	}
	checkNoPartialFiles(t, c)
	if _, err := c.Load(ref); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a failed pull was recorded: %v", err)
	}

	p.mode.Store(passThrough)
	got, err := c.Pull(context.Background(), anonymous(), ref, PullOptions{})
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if got.Bundle.Digest() != b.Digest() {
		t.Fatal("retry pulled a different bundle")
	}
	checkNoPartialFiles(t, c)
}

func TestAuthFailures(t *testing.T) {
	h := hubtest.Start(t, "", false)
	b := testBundle(t, "echo", "1.0.0", "", 16, nil)
	ref := h.Addr() + "/agents/echo:1.0.0"
	wrong := publisher()
	wrong.Credential = func(context.Context, string) (authCredential, error) {
		return authCredential{Username: hubtest.User, Password: "wrong"}, nil
	}
	for name, r := range map[string]Remote{"anonymous": anonymous(), "wrong password": wrong} {
		if _, err := r.Publish(context.Background(), b, ref, PublishOptions{}); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("publish %s: err = %v, want ErrUnauthorized", name, err)
		}
	}
	publish(t, publisher(), b, ref)
	if _, err := newCache(t).Pull(context.Background(), anonymous(), ref, PullOptions{}); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("anonymous pull: err = %v, want ErrUnauthorized", err)
	}
	if _, err := anonymous().Search(context.Background(), h.Addr(), ""); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("anonymous search: err = %v, want ErrUnauthorized", err)
	}
	if _, err := newCache(t).Pull(context.Background(), publisher(), h.Addr()+"/agents/none:1.0.0", PullOptions{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing repository: err = %v, want ErrNotFound", err)
	}
}
