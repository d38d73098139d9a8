package workflow

import "testing"

func TestConditionEval(t *testing.T) {
	exits := map[string]int{"a": 0, "b": 3, "my-step_2": -1}
	exit := func(id string) (int, bool) { c, ok := exits[id]; return c, ok }
	cases := map[string]bool{
		"a.exit == 0":                 true,
		"a.exit != 0":                 false,
		"b.exit==3":                   true,
		"a.exit == 1 or b.exit == 3":  true,
		"a.exit == 0 and b.exit == 0": false,
		"a.exit == 1 and b.exit == 3 or a.exit == 0": true, // and binds tighter
		"my-step_2.exit == -1":                       true,
		"skipped.exit == 0":                          false, // a step that did not run
		"skipped.exit != 0":                          false,
	}
	for src, want := range cases {
		c, err := ParseCondition(src)
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if got := c.Eval(exit); got != want {
			t.Errorf("%q = %v, want %v", src, got, want)
		}
	}
}

func TestConditionRefuses(t *testing.T) {
	for _, src := range []string{"", "a", "a.exit", "a.exit ==", "a.exit == x", "a.code == 0", "a.exit = 0",
		"a.exit == 0 xor b.exit == 1", "(a.exit == 0)", "a.exit == 0 and", "a.exit == 1e9", "a.exit == 0\n",
		string(make([]byte, 2000))} {
		if _, err := ParseCondition(src); err == nil {
			t.Errorf("%q accepted", src)
		}
	}
}
