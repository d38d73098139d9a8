package limits

import (
	"slices"
	"testing"
	"time"
)

func TestOrFillsZeroFields(t *testing.T) {
	got := Limits{Memory: 1 << 20}.Or(Defaults())
	if got.Memory != 1<<20 || got.WallTime != Defaults().WallTime || got.InFlight != Defaults().InFlight {
		t.Fatalf("Or = %+v", got)
	}
}

func TestWithinLowersAndReports(t *testing.T) {
	max := Limits{Memory: 64 << 20, WallTime: time.Minute, InFlight: 8}
	asked := Limits{Memory: 128 << 20, WallTime: 10 * time.Second, Log: 1 << 10}
	got, over := asked.Within(max)
	if got.Memory != 64<<20 || got.WallTime != 10*time.Second || got.Log != 1<<10 || got.InFlight != 8 {
		t.Fatalf("Within = %+v", got)
	}
	if !slices.Equal(over, []string{"memory"}) {
		t.Fatalf("over = %v, want [memory]", over)
	}
}

func TestExceededErrorNamesActiveTime(t *testing.T) {
	for _, c := range []struct {
		e    ExceededError
		want string
	}{
		{ExceededError{Limit: "cpu_time", Value: "200ms"}, "limit exceeded: cpu_time (200ms of active time: wall time not blocked in system calls)"},
		{ExceededError{Limit: "memory", Value: "1 MiB"}, "limit exceeded: memory (1 MiB)"},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("Error() = %q, want %q", got, c.want)
		}
	}
}
