package audit

import (
	"strings"
)

// columns are the decisions columns an insert writes, in the order row.appendAll gives them.
const columns = `time_ns, agent, version, digest, publisher, tenant, call, args, allow, reason, obligations, eval_ns, cached`

// numColumns is the number of columns; a row binds that many values in a general insert.
const numColumns = 13

// chunkSizes are the rows per INSERT statement, largest first. A batch is written with as many
// statements of the largest size as fit, then the smaller ones for the rest, so a batch of n
// rows takes at most n/256 + 12 statements. Binding many rows per statement saves SQLite's
// per-statement work and database/sql's per-call overhead, which dominated one row per
// statement. 256 rows bind 3,328 values, well under SQLite's limit of 32,766.
var chunkSizes = [...]int{256, 64, 16, 4, 1}

// minUniformRun is the shortest run of consecutive rows with the same text that is written with
// the uniform statements.
const minUniformRun = 16

// generalInsert is an INSERT of n rows, each binding all its columns in the order of columns.
func generalInsert(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO decisions (" + columns + ") VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?)")
	}
	return b.String()
}

// uniformInsert is an INSERT of n rows that share their text columns: the first nine values
// are the text (row.appendText), then each row binds its time_ns, allow, eval_ns and cached
// (row.appendNumbers). Text is what costs in binding (the driver copies every string into
// SQLite's memory), and a burst of decisions by one agent on one call, the common case,
// differs only in those numbers.
//
// # Notes
//
// The parameters are anonymous, numbered by position: SQLite looks a numbered parameter up by
// a linear scan, which made binding ?NNN quadratic in the parameters of a statement this long.
// The rows of a VALUES list are inserted in their order, so ids follow the batch's order.
func uniformInsert(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO decisions (" + columns + ") SELECT column1, ?, ?, ?, ?, ?, ?, ?, column2, ?, ?, column3, column4 FROM (VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?)")
	}
	b.WriteByte(')')
	return b.String()
}

// appendAll appends the row's values in the order of columns.
func (r *row) appendAll(args []any) []any {
	return append(args, r.timeNS, r.agent, r.version, r.digest, r.publisher, r.tenant,
		r.call, r.args, r.allow, r.reason, r.obligations, r.evalNS, r.cached)
}

// appendText appends the row's text columns as uniformInsert numbers them.
func (r *row) appendText(args []any) []any {
	return append(args, r.agent, r.version, r.digest, r.publisher, r.tenant, r.call, r.args,
		r.reason, r.obligations)
}

// appendNumbers appends the row's other columns as uniformInsert numbers them.
func (r *row) appendNumbers(args []any) []any {
	return append(args, r.timeNS, r.allow, r.evalNS, r.cached)
}

// sameText reports whether r and o agree in every text column.
func (r *row) sameText(o *row) bool {
	return r.agent == o.agent && r.version == o.version && r.digest == o.digest &&
		r.publisher == o.publisher && r.tenant == o.tenant && r.call == o.call &&
		r.args == o.args && r.reason == o.reason && r.obligations == o.obligations
}
