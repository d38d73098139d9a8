package kernel

import (
	"context"
	"errors"
)

// ForgetWrites removes the write keys (kernel/writekey) that the memory and storage stores
// recorded for the durable run run, which has ended: no call of it will be made again, so its
// keys would only take room. A kernel without one of the stores skips it.
func (k *Kernel) ForgetWrites(ctx context.Context, run string) error {
	var errs []error
	if k.storage != nil {
		errs = append(errs, k.storage.ForgetRun(ctx, run))
	}
	if k.memory != nil {
		errs = append(errs, k.memory.ForgetRun(ctx, run))
	}
	return errors.Join(errs...)
}
