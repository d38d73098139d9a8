package workflow

import (
	"fmt"
	"strconv"
	"strings"
)

// maxProblems is how many problems Errors lists before it stops looking.
const maxProblems = 50

// Error is one problem of a workflow file.
type Error struct {
	// Step is the step's id, or "#N" for the N-th step when its id is unusable; empty for the
	// workflow as a whole.
	Step string
	// Field is the key at fault, or empty.
	Field string
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Step != "" {
		b.WriteString("step ")
		b.WriteString(e.Step)
		b.WriteString(": ")
	}
	if e.Field != "" {
		q := strconv.Quote(e.Field) // a quoted TOML key may hold any character: shown escaped
		b.WriteString(q[1 : len(q)-1])
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem Parse found in a workflow file (up to 50), one a line.
type Errors struct {
	List []*Error
	more bool
}

func (e *Errors) Error() string {
	lines := make([]string, 0, len(e.List)+1)
	for _, p := range e.List {
		lines = append(lines, p.Error())
	}
	if e.more {
		lines = append(lines, fmt.Sprintf("(stopped after %d problems)", maxProblems))
	}
	return strings.Join(lines, "\n")
}

func (e *Errors) add(step, field, msg string) {
	if len(e.List) >= maxProblems {
		e.more = true
		return
	}
	e.List = append(e.List, &Error{Step: step, Field: field, Msg: msg})
}

func (e *Errors) full() bool { return len(e.List) >= maxProblems }
