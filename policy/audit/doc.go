// Package audit stores every policy decision durably in SQLite and answers queries over them
// (`aios audit`). Secrets never reach the store: before an entry is written, argument values
// under keys that name credentials (api_key, authorization, token, secret, password) and the
// fields the decision's Redact obligation lists are replaced by "[redacted]".
//
// The schema is in docs/POLICY.md.
package audit
