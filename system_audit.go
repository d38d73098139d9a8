package aios

import "github.com/aiosys/aios/policy/audit"

// Audit returns the audit log every decision is recorded in, for reading (Query): nil when
// auditing is off ([policy] no_audit) or the System has no data directory. The System owns
// it and closes it in Close.
func (s *System) Audit() *audit.Log { return s.policy.audit }
