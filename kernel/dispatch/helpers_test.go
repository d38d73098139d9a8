package dispatch

import (
	"context"
	"errors"
)

func errorsIsCanceled(err error) bool { return errors.Is(err, context.Canceled) }
func errorsIsDeadline(err error) bool { return errors.Is(err, context.DeadlineExceeded) }
