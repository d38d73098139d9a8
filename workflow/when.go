package workflow

import (
	"fmt"
	"strconv"
	"strings"
)

// maxConditionLength bounds a `when` expression.
const maxConditionLength = 1024

// Condition is a step's `when` expression: comparisons of other steps' exit codes joined with
// `and` and `or` (`and` binds tighter; there are no parentheses):
//
//	build.exit == 0
//	security.exit != 0 or scan.exit == 2
//	a.exit == 0 and b.exit == 0
//
// A comparison that names a step that did not run (it was skipped, declined or cancelled) is
// false, with == and != alike.
type Condition struct {
	src string
	any [][]comparison // or of ands
}

type comparison struct {
	step  string
	equal bool
	code  int
}

// String returns the expression as written.
func (c *Condition) String() string { return c.src }

// Steps lists the steps the condition names, each once, in order of appearance.
func (c *Condition) Steps() []string {
	var ids []string
	seen := map[string]bool{}
	for _, all := range c.any {
		for _, cmp := range all {
			if !seen[cmp.step] {
				seen[cmp.step] = true
				ids = append(ids, cmp.step)
			}
		}
	}
	return ids
}

// Eval evaluates the condition; exit returns a step's exit code and whether it ran.
func (c *Condition) Eval(exit func(step string) (code int, ran bool)) bool {
	for _, all := range c.any {
		ok := true
		for _, cmp := range all {
			code, ran := exit(cmp.step)
			if !ran || (code == cmp.code) != cmp.equal {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// ParseCondition parses a `when` expression.
func ParseCondition(src string) (*Condition, error) {
	if len(src) > maxConditionLength {
		return nil, fmt.Errorf("longer than %d bytes", maxConditionLength)
	}
	toks, err := tokenize(src)
	if err != nil {
		return nil, err
	}
	c := &Condition{src: src}
	var all []comparison
	for i := 0; ; {
		if len(toks)-i < 5 {
			return nil, fmt.Errorf("want STEP.exit == N or STEP.exit != N, joined with and / or (at %q)", strings.Join(toks[i:], " "))
		}
		id, dot, field, op, num := toks[i], toks[i+1], toks[i+2], toks[i+3], toks[i+4]
		if !validID(id) || dot != "." || field != "exit" || (op != "==" && op != "!=") {
			return nil, fmt.Errorf("want STEP.exit == N or STEP.exit != N (at %q)", strings.Join(toks[i:i+5], " "))
		}
		code, err := strconv.ParseInt(num, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("exit code %q: want a whole number", num)
		}
		all = append(all, comparison{step: id, equal: op == "==", code: int(code)})
		i += 5
		if i == len(toks) {
			c.any = append(c.any, all)
			return c, nil
		}
		switch toks[i] {
		case "and":
		case "or":
			c.any = append(c.any, all)
			all = nil
		default:
			return nil, fmt.Errorf("want and / or, not %q", toks[i])
		}
		i++
	}
}

// tokenize splits src into words ([A-Za-z0-9_-]+), ".", "==" and "!=".
func tokenize(src string) ([]string, error) {
	var toks []string
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '.':
			toks = append(toks, ".")
			i++
		case c == '=' || c == '!':
			if i+1 >= len(src) || src[i+1] != '=' {
				return nil, fmt.Errorf("want == or != at offset %d", i)
			}
			toks = append(toks, src[i:i+2])
			i += 2
		case isIDByte(c):
			j := i
			for j < len(src) && isIDByte(src[j]) {
				j++
			}
			toks = append(toks, src[i:j])
			i = j
		default:
			return nil, fmt.Errorf("unexpected character %q at offset %d", rune(c), i)
		}
	}
	return toks, nil
}

func isIDByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// validID reports whether id is a well-formed step id.
func validID(id string) bool {
	if len(id) == 0 || len(id) > MaxIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !isIDByte(id[i]) {
			return false
		}
	}
	return true
}
