package cli

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/crypto/bcrypt"
)

// scriptCmds are the commands testdata/script may use besides testscript's own.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"exitcode": cmdExitCode,
	"expand":   cmdExpand,
	"htpasswd": cmdHtpasswd,
	"readme":   cmdReadme,
	"replace":  cmdReplace,
	"waitaddr": cmdWaitAddr,
}

// cmdExitCode runs a program as exec does and requires its exit status:
//
//	exitcode CODE PROGRAM [ARGS...]
//
// Its standard output and error are kept for stdout and stderr to check.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %q is not a number", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// cmdExpand replaces $NAME and ${NAME} in a file by the script's environment variables, so a
// configuration file can name paths the test set up:
//
//	expand FILE
func cmdExpand(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: expand FILE")
	}
	path := ts.MkAbs(args[0])
	data, err := os.ReadFile(path)
	ts.Check(err)
	ts.Check(os.WriteFile(path, []byte(os.Expand(string(data), ts.Getenv)), 0o644))
}

// cmdReplace changes bytes of a file in place, keeping its length, as a tamperer would:
//
//	replace FILE OLD NEW
//
// OLD must occur in the file exactly once and be as long as NEW.
func cmdReplace(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: replace FILE OLD NEW")
	}
	path, old, repl := ts.MkAbs(args[0]), []byte(args[1]), []byte(args[2])
	if len(old) != len(repl) {
		ts.Fatalf("replace: %q and %q differ in length", old, repl)
	}
	data, err := os.ReadFile(path)
	ts.Check(err)
	if n := bytes.Count(data, old); n != 1 {
		ts.Fatalf("replace: %q occurs %d times in %s, want once", old, n, args[0])
	}
	ts.Check(os.WriteFile(path, bytes.Replace(data, old, repl, 1), 0o644))
}

// cmdWaitAddr waits until something accepts TCP connections at an address, for a server
// started in the background:
//
//	waitaddr HOST:PORT
func cmdWaitAddr(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitaddr HOST:PORT")
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", args[0], time.Second)
		if err == nil {
			conn.Close()
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitaddr: nothing listens at %s: %v", args[0], err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cmdHtpasswd adds a hub user with the cheapest bcrypt cost, so a script's many authenticated
// requests stay fast (the hub checks the password on every request; `aios hub adduser` uses
// the default cost):
//
//	htpasswd FILE USER PASSWORD
func cmdHtpasswd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: htpasswd FILE USER PASSWORD")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(args[2]), bcrypt.MinCost)
	ts.Check(err)
	f, err := os.OpenFile(ts.MkAbs(args[0]), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	ts.Check(err)
	_, err = f.WriteString(args[1] + ":" + string(hash) + "\n")
	ts.Check(err)
	ts.Check(f.Close())
}
