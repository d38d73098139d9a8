package client

import "testing"

func TestURLIsTheBaseWithoutATrailingSlash(t *testing.T) {
	if got := New("http://127.0.0.1:7420/", "").URL(); got != "http://127.0.0.1:7420" {
		t.Fatalf("URL() = %q", got)
	}
}
