package journal

import (
	"strings"
	"testing"
	"time"
)

func TestParseRestart(t *testing.T) {
	for in, want := range map[string]Restart{
		"never":           {Policy: Never},
		"on-failure":      {Policy: OnFailure},
		"on-failure:5":    {Policy: OnFailure, MaxRestarts: 5},
		"on-failure:0":    {Policy: Never},
		"on-failure:1000": {Policy: OnFailure, MaxRestarts: 1000},
	} {
		got, err := ParseRestart(in)
		if err != nil || got != want {
			t.Errorf("ParseRestart(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "always", "on-failure:-1", "on-failure:1001", "on-failure:99999999999999999999",
		"on-failure:x", "on-failure:", "never:2", "on-failure\x00", "On-Failure"} {
		if _, err := ParseRestart(in); err == nil || !strings.Contains(err.Error(), "restart policy") {
			t.Errorf("ParseRestart(%q) = %v, want an error naming the restart policy", in, err)
		}
	}
}

func TestRestartValidate(t *testing.T) {
	bad := []Restart{
		{Policy: "sometimes"},
		{Policy: OnFailure, MaxRestarts: -1},
		{Policy: OnFailure, MaxRestarts: MaxMaxRestarts + 1},
		{Policy: OnFailure, Backoff: -time.Second},
		{Policy: OnFailure, MaxBackoff: 25 * time.Hour},
	}
	for _, r := range bad {
		if r.Validate() == nil {
			t.Errorf("%+v is valid", r)
		}
	}
	if err := (Restart{Policy: OnFailure, MaxRestarts: 2, Backoff: time.Millisecond}).Validate(); err != nil {
		t.Error(err)
	}
}

func TestRestartBackoffDoublesUpToItsCap(t *testing.T) {
	r := Restart{Policy: OnFailure}.OrDefaults()
	if r.MaxRestarts != DefaultMaxRestarts || r.Backoff != DefaultBackoff || r.MaxBackoff != DefaultMaxBackoff {
		t.Fatalf("defaults: %+v", r)
	}
	var got []time.Duration
	for n := 1; n <= 12; n++ {
		got = append(got, r.Delay(n))
	}
	want := []time.Duration{1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300}
	for i := range want {
		if got[i] != want[i]*time.Second {
			t.Fatalf("delays %v, want %v seconds", got, want)
		}
	}
	if d := r.Delay(MaxMaxRestarts); d != DefaultMaxBackoff {
		t.Errorf("Delay(%d) = %v", MaxMaxRestarts, d)
	}
	for _, odd := range []Restart{{Backoff: 1, MaxBackoff: 1<<63 - 1}, {Backoff: -time.Second, MaxBackoff: time.Minute}, {Backoff: time.Second, MaxBackoff: -1}} {
		for _, n := range []int{0, 1, 70, 1 << 62} {
			if d := odd.Delay(n); d < 0 || d > max(odd.MaxBackoff, 0) {
				t.Errorf("%+v.Delay(%d) = %v", odd, n, d)
			}
		}
	}
	if n := (Restart{}).OrDefaults(); n != (Restart{Policy: Never}) {
		t.Errorf("zero policy defaults to %+v", n)
	}
	if n := (Restart{Policy: Never, MaxRestarts: 4}).OrDefaults(); n != (Restart{Policy: Never}) {
		t.Errorf("never keeps %+v", n)
	}
	big := Restart{Policy: OnFailure, Backoff: time.Hour, MaxBackoff: time.Minute}.OrDefaults()
	if big.MaxBackoff != time.Hour {
		t.Errorf("a cap below the backoff: %+v", big)
	}
}
