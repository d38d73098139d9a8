package server

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/internal/telemetry/otlptest"
)

func TestServedRunTraceNamesTheRunID(t *testing.T) {
	recv := otlptest.NewReceiver(t)
	cfg := config.Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.Telemetry = config.Telemetry{OTLPEndpoint: recv.URL, SampleRatio: 1, ServiceName: "kernel"}
	ctx := context.Background()
	sys, err := aios.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := New(sys, Options{Limits: cfg.Limits})
	ts := httptest.NewServer(srv.Handler())
	c := (&testServer{Server: srv, sys: sys, ts: ts, t: t}).client("")
	run := submit(t, c, "minimal", "")
	waitFinal(t, c, run.ID)
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	ts.Close()
	if err := sys.Close(ctx); err != nil { // sends the spans it holds
		t.Fatal(err)
	}
	_, spans := recv.Received()
	for _, s := range spans {
		if s.Name == "aios.run" {
			if s.Attr("aios.run.id") != run.ID || s.Attr("aios.tenant") != "default" || s.Service != "kernel" {
				t.Errorf("run span: id %q, tenant %q, service %q; want %q, default, kernel",
					s.Attr("aios.run.id"), s.Attr("aios.tenant"), s.Service, run.ID)
			}
			return
		}
	}
	t.Fatalf("no run span among %d spans", len(spans))
}
