package kernel

import (
	"errors"
	"fmt"

	"github.com/aiosys/aios/kernel/quota"
)

// WithLedger gives the kernel the ledger its core charges generations to (the dispatcher's),
// so that a process can have a budget of its own (Spec.Budget).
func WithLedger(l *quota.Ledger) Option { return func(k *Kernel) { k.ledger = l } }

// openBudget opens the process's own account in the ledger when its spec sets a budget. The
// account is named like the process in `aios run` output, name[pid], and is charged together
// with the agent's and tenant's budgets, so the smallest of them is the one that binds.
func (p *Process) openBudget() error {
	b := p.spec.Budget
	if b == (quota.Limit{}) {
		return nil
	}
	if b.Tokens < 0 || b.Money < 0 {
		return fmt.Errorf("budget of %d tokens and %s: %w: a budget cannot be negative", b.Tokens, b.Money, ErrInvalid)
	}
	if p.k.ledger == nil {
		return errors.New("the process has a budget but the kernel has no ledger to keep it (kernel.WithLedger)")
	}
	p.run = fmt.Sprintf("%s[%d]", p.spec.Name, p.pid)
	p.k.ledger.SetLimit(quota.Run, p.run, b)
	return nil
}

// closeBudget closes the process's own account; a generation still in flight settles into it
// unseen, and a later one is refused.
func (p *Process) closeBudget() {
	if p.run != "" {
		p.k.ledger.Forget(quota.Run, p.run)
	}
}

// noteRefusal counts a generation that a budget refused, for the process's usage.
func (p *Process) noteRefusal(err error) {
	var ex *quota.ExhaustedError
	if !errors.As(err, &ex) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.usage.BudgetRefusals++
	p.usage.Exhausted = ex.Budget()
}
