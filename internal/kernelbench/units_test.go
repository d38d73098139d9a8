package kernelbench

import (
	"strconv"
	"time"
)

func itoa(i int) string { return strconv.Itoa(i) }

// us is d in microseconds.
func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// ms is d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
