package oci

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// Bar returns a Progress that draws a one-line bar per blob on w, for a terminal. Only
// layers (the bundle itself) are drawn; manifests and configs are too small to watch.
func Bar(w io.Writer) Progress {
	var mu sync.Mutex
	return func(e Event) {
		if !isLayerMediaType(e.MediaType) {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprint(w, "\r"+barLine(e))
		if e.Complete {
			fmt.Fprintln(w)
		}
	}
}

// barLine renders e as "sha256:0123456789ab [=====>    ]  45% 1.2MiB/2.6MiB".
func barLine(e Event) string {
	const width = 30
	frac := 1.0
	if e.Size > 0 {
		frac = float64(e.Done) / float64(e.Size)
	}
	frac = min(max(frac, 0), 1)
	filled := int(frac * width)
	bar := strings.Repeat("=", filled)
	if filled < width {
		bar += ">" + strings.Repeat(" ", width-filled-1)
	}
	id := e.Digest
	if len(id) > 19 {
		id = id[:19]
	}
	status := fmt.Sprintf("%3.0f%% %s/%s", frac*100, humanBytes(e.Done), humanBytes(e.Size))
	if e.Skipped {
		status = "exists " + humanBytes(e.Size)
	}
	return fmt.Sprintf("%s [%s] %s", id, bar, status)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1fGiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1fMiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1fKiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%dB", n)
	}
}
