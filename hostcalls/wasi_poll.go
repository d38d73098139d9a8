package hostcalls

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// Layout of poll_oneoff's subscription and event structs (wasi_snapshot_preview1).
const (
	subscriptionSize  = 48
	eventSize         = 32
	eventClock        = 0
	eventFDRead       = 1
	eventFDWrite      = 2
	subclockAbstime   = 1
	noDelay           = time.Duration(math.MaxInt64) // no clock subscription to wait for
	forever           = noDelay - 1                  // a clock subscription too far away to matter
	subTagOffset      = 8
	subClockIDOffset  = 16
	subTimeoutOffset  = 24
	subFlagsOffset    = 40
	subFDOffset       = 16
	eventErrorOffset  = 8
	eventTypeOffset   = 10
	eventNBytesOffset = 16
)

// pollOneoff implements poll_oneoff(in, out, nsubscriptions, nevents). fd subscriptions on
// 0–2 are ready at once; otherwise the call sleeps until the earliest clock subscription, ending
// the guest early if it is cancelled. No host memory is sized by nsubscriptions: both passes
// read and write guest memory in place.
func pollOneoff(ctx context.Context, g *Guest, mem Memory, p []uint64) error {
	in, out, n, neventsPtr := p[0], p[1], uint64(uint32(p[2])), p[3]
	if n == 0 {
		return wasiEINVAL
	}
	for _, r := range [][2]uint64{{in, n * subscriptionSize}, {out, n * eventSize}, {neventsPtr, 4}} {
		if err := checkRange(mem, r[0], r[1]); err != nil {
			return err
		}
	}
	now := g.clockSnapshot()
	wait := noDelay
	for i := range n {
		s, err := view(mem, in+i*subscriptionSize, subscriptionSize)
		if err != nil {
			return err
		}
		switch s[subTagOffset] {
		case eventClock:
			if d, ok := now.delay(s); ok {
				wait = min(wait, d)
			}
		case eventFDRead, eventFDWrite:
			wait = 0
		}
	}
	if wait > 0 && wait != noDelay {
		if err := g.sleep(ctx, wait); err != nil {
			return fmt.Errorf("poll_oneoff: %w", err)
		}
	}
	var count uint32
	for i := range n {
		s, err := view(mem, in+i*subscriptionSize, subscriptionSize)
		if err != nil {
			return err
		}
		ev, fired := g.pollEvent(s, now, wait)
		if !fired {
			continue
		}
		if err := write(mem, out+uint64(count)*eventSize, ev[:]); err != nil {
			return err
		}
		count++
	}
	return writeU32(mem, neventsPtr, count)
}

// clockSnapshot is both clocks read once, so that every subscription of one poll_oneoff is
// measured from the same instant.
type clockSnapshot [2]int64

func (g *Guest) clockSnapshot() clockSnapshot {
	r, _ := g.clockNow(clockRealtime)
	m, _ := g.clockNow(clockMonotonic)
	return clockSnapshot{r, m}
}

// delay is how long from the snapshot the clock subscription s fires; false for an unknown
// clock.
func (now clockSnapshot) delay(s []byte) (time.Duration, bool) {
	id := binary.LittleEndian.Uint32(s[subClockIDOffset:])
	if id != clockRealtime && id != clockMonotonic {
		return 0, false
	}
	timeout := binary.LittleEndian.Uint64(s[subTimeoutOffset:])
	if binary.LittleEndian.Uint16(s[subFlagsOffset:])&subclockAbstime == 0 {
		return time.Duration(min(timeout, uint64(forever))), true
	}
	if timeout > uint64(forever) {
		return forever, true
	}
	return max(time.Duration(int64(timeout)-now[id]), 0), true
}

// pollEvent returns the event for subscription s after the call waited for waited, and
// whether the subscription produced one.
func (g *Guest) pollEvent(s []byte, now clockSnapshot, waited time.Duration) ([eventSize]byte, bool) {
	var ev [eventSize]byte
	copy(ev[:8], s[:8]) // userdata
	tag := s[subTagOffset]
	ev[eventTypeOffset] = tag
	switch tag {
	case eventClock:
		d, ok := now.delay(s)
		if !ok {
			binary.LittleEndian.PutUint16(ev[eventErrorOffset:], uint16(wasiEINVAL))
			return ev, true
		}
		return ev, d <= waited
	case eventFDRead, eventFDWrite:
		fd := binary.LittleEndian.Uint32(s[subFDOffset:])
		if fd > 2 {
			binary.LittleEndian.PutUint16(ev[eventErrorOffset:], uint16(wasiEBADF))
			return ev, true
		}
		if tag == eventFDRead && fd == 0 {
			binary.LittleEndian.PutUint64(ev[eventNBytesOffset:], g.stdinLeft())
		}
		return ev, true
	default:
		binary.LittleEndian.PutUint16(ev[eventErrorOffset:], uint16(wasiEINVAL))
		return ev, true
	}
}
