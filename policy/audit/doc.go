// Package audit stores every policy decision durably in SQLite and answers queries over them
// (`aios audit`). Secrets never reach the store: before an entry is written, argument values
// under keys that name credentials (api_key, authorization, token, secret, password) and the
// fields the decision's Redact obligation lists are replaced by "[redacted]". Every record is
// bounded (long values keep a prefix and a marker with their length and hash), and the store by
// a Retention (size and age).
//
// The schema is in docs/POLICY.md.
package audit
