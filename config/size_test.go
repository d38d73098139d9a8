package config

import "testing"

func TestSize(t *testing.T) {
	good := map[string]Size{
		"0": 0, "1024": 1024, "12B": 12, "64 KiB": 64 << 10, "256MiB": 256 << 20, "2GiB": 2 << 30,
		"1TiB": 1 << 40, "3KB": 3000, "5MB": 5e6, "1GB": 1e9, "2TB": 2e12, " 7 MiB ": 7 << 20,
	}
	for in, want := range good {
		var s Size
		if err := s.UnmarshalText([]byte(in)); err != nil || s != want {
			t.Errorf("%q: got %d, %v; want %d", in, s, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "1.5GiB", "-1", "1 mib", "1K", "12 parsecs", "18446744073709551616", "17179869184GiB"} {
		var s Size
		if err := s.UnmarshalText([]byte(in)); err == nil {
			t.Errorf("%q: accepted as %d", in, s)
		}
	}
	for s, want := range map[Size]string{0: "0B", 1000: "1000B", 1536: "1536B", 1 << 20: "1MiB", 3 << 30: "3GiB"} {
		if got := s.String(); got != want {
			t.Errorf("Size(%d).String() = %q, want %q", s, got, want)
		}
	}
}

func TestDuration(t *testing.T) {
	var d Duration
	if err := d.UnmarshalText([]byte("1m30s")); err != nil || d.String() != "1m30s" {
		t.Errorf("1m30s: %s, %v", d, err)
	}
	if err := d.UnmarshalText([]byte("0")); err != nil || d != 0 {
		t.Errorf("0: %s, %v", d, err)
	}
	for _, in := range []string{"30", "", "-5s", "soon"} {
		if err := d.UnmarshalText([]byte(in)); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}
