package quota

import (
	"fmt"
	"time"
)

// Period is the time over which a budget counts use. Periods are calendar days and months in
// UTC: a daily budget starts afresh at 00:00 UTC, a monthly one at 00:00 UTC on the first.
type Period int

const (
	// Lifetime counts all use the ledger has recorded (for a ledger in a data directory, since
	// the file was made).
	Lifetime Period = iota
	// Daily counts the use of the current UTC day.
	Daily
	// Monthly counts the use of the current UTC month.
	Monthly
)

// ParsePeriod reads a period as configuration spells it: "" or "lifetime", "daily", "monthly".
func ParsePeriod(s string) (Period, error) {
	switch s {
	case "", "lifetime":
		return Lifetime, nil
	case "daily":
		return Daily, nil
	case "monthly":
		return Monthly, nil
	}
	return Lifetime, fmt.Errorf("period %q is not one of \"daily\", \"monthly\" (or none, for the ledger's whole life)", s)
}

// String spells the period as ParsePeriod reads it.
func (p Period) String() string {
	switch p {
	case Daily:
		return "daily"
	case Monthly:
		return "monthly"
	}
	return "lifetime"
}

// start returns the start of the period holding t, in UTC; the zero time for Lifetime.
func (p Period) start(t time.Time) time.Time {
	t = t.UTC()
	switch p {
	case Daily:
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	case Monthly:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Time{}
}

// key names the period holding t in the ledger file: "all", "day:2026-12-01", "month:2026-12".
func (p Period) key(t time.Time) string {
	t = t.UTC()
	switch p {
	case Daily:
		return "day:" + t.Format("2006-01-02")
	case Monthly:
		return "month:" + t.Format("2006-01")
	}
	return "all"
}

// periods are the periods use is recorded under, so that a budget of any period can be checked.
var periods = [...]Period{Lifetime, Daily, Monthly}
