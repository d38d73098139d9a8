package oci

import (
	"context"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/aiosys/aios/packager/hub/hubtest"
)

func TestSearch(t *testing.T) {
	h := hubtest.Start(t, "", true)
	for _, v := range []string{"1.0.0", "1.2.0", "1.10.0"} {
		publish(t, publisher(), testBundle(t, "summarizer", v, "Summarizes text, version "+v+".", 16, nil), h.Addr()+"/agents/summarizer")
	}
	publish(t, publisher(), testBundle(t, "translator", "0.3.0", "Translates French.", 16, nil), h.Addr()+"/agents/translator")
	container, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	writeImage(t, h.Addr()+"/library/busybox:latest", container)

	all, err := anonymous().Search(context.Background(), h.Addr(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Fatalf("search found %d agents, want 2 (the container image is not one): %+v", len(all), all)
	}
	s := all[0]
	if s.Repository != "agents/summarizer" || s.Name != "summarizer" || s.Ref != h.Addr()+"/agents/summarizer" {
		t.Fatalf("first agent %+v", s)
	}
	if len(s.Versions) != 3 || s.Versions[0].Tag != "1.10.0" || s.Versions[2].Tag != "1.0.0" {
		t.Fatalf("versions %+v", s.Versions)
	}
	if s.Description != "Summarizes text, version 1.10.0." {
		t.Fatalf("description %q (want the highest version's)", s.Description)
	}

	for term, want := range map[string]string{"FRENCH": "agents/translator", "summar": "agents/summarizer"} {
		got, err := anonymous().Search(context.Background(), h.Addr(), term)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Repository != want {
			t.Fatalf("search %q: %+v", term, got)
		}
	}
	none, err := anonymous().Search(context.Background(), h.Addr(), "nothing-matches")
	if err != nil || len(none) != 0 {
		t.Fatalf("search for nothing: %+v %v", none, err)
	}
}
