package mcp

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// stopGrace is how long Close lets a server exit by itself after its stdin closes, as the
// MCP stdio transport asks, before the whole process group is killed.
const stopGrace = time.Second

// process is one run of a stdio server: its own process group, so that killing it also
// kills what it started; stdout and stdin are the transport's, stderr goes to a ring.
type process struct {
	cmd    *exec.Cmd
	stderr *ring
	exited chan struct{} // closed once the process has been waited for and its group killed
	err    error         // how it ended; read after exited is closed
}

// startProcess starts cfg's command. stdin and stdout are the parent's ends of the pipes.
func startProcess(cfg Config, stderr *ring) (p *process, stdin *os.File, stdout *os.File, err error) {
	cmd := exec.Command(cfg.Command[0], cfg.Command[1:]...)
	cmd.Env = serverEnv(cfg.Env)
	cmd.Dir = cfg.Dir
	cmd.Stderr = stderr
	// A grandchild that keeps stderr open must not keep Wait from returning.
	cmd.WaitDelay = time.Second
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}

	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, nil, nil, err
	}
	cmd.Stdin, cmd.Stdout = inR, outW
	err = cmd.Start()
	// The child has its own copies; ours would keep the pipes open after it dies.
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return nil, nil, nil, err
	}
	p = &process{cmd: cmd, stderr: stderr, exited: make(chan struct{})}
	go p.wait()
	return p, inW, outR, nil
}

// serverEnv is the environment a server gets: PATH and HOME from the host, then extra.
func serverEnv(extra []string) []string {
	path := os.Getenv("PATH")
	if path == "" {
		path = "/usr/local/bin:/usr/bin:/bin"
	}
	env := []string{"PATH=" + path}
	if home, ok := os.LookupEnv("HOME"); ok {
		env = append(env, "HOME="+home)
	}
	// exec keeps the last of duplicate keys, so extra wins.
	return append(env, extra...)
}

// wait reaps the process, then kills the rest of its group: a server's helpers must not
// outlive it (and hold its stdout open).
func (p *process) wait() {
	p.err = p.cmd.Wait()
	p.killGroup()
	close(p.exited)
}

// killGroup sends SIGKILL to the process group; it is gone already if that fails.
func (p *process) killGroup() {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
}

// stop waits up to grace for the process to exit, then kills its group, and waits.
func (p *process) stop(grace time.Duration) {
	select {
	case <-p.exited:
		return
	case <-time.After(grace):
	}
	p.killGroup()
	<-p.exited
}

// exitReason says how the process ended, or "" while it runs.
func (p *process) exitReason() string {
	select {
	case <-p.exited:
	default:
		return ""
	}
	if p.err == nil {
		return "server exited"
	}
	return fmt.Sprintf("server exited: %v", p.err)
}
