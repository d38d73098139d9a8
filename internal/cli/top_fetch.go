package cli

import (
	"context"
	"time"

	"github.com/aiosys/aios/client"
)

// topFetchTimeout bounds one refresh, so that a kernel that stops answering shows as an error
// instead of freezing the view.
const topFetchTimeout = 10 * time.Second

// topSnapshot is what one refresh of `aios top` read from the kernel.
type topSnapshot struct {
	at        time.Time
	runs      []client.Run
	cores     client.CoreReport
	usage     client.TenantUsage
	approvals int
}

// fetchTop reads the runs, cores, usage and pending approvals, failing at the first error.
func fetchTop(ctx context.Context, c *client.Client) (topSnapshot, error) {
	ctx, cancel := context.WithTimeout(ctx, topFetchTimeout)
	defer cancel()
	var s topSnapshot
	var err error
	if s.runs, err = c.Runs(ctx); err != nil {
		return s, err
	}
	if s.cores, err = c.Cores(ctx); err != nil {
		return s, err
	}
	if s.usage, err = c.Usage(ctx); err != nil {
		return s, err
	}
	approvals, err := c.Approvals(ctx)
	if err != nil {
		return s, err
	}
	for _, a := range approvals {
		if a.Approved == nil {
			s.approvals++
		}
	}
	s.at = time.Now()
	return s, nil
}
