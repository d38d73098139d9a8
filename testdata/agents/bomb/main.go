// Command bomb is a test agent that starts itself as its own child, which starts itself, and
// so on: the host's limits must end it. The agent refused writes the refusal as its output and
// exits 3; every other passes its child's output and exit code up.
package main

import (
	"os"

	aios "github.com/aiosys/aios/sdk-go"
)

func main() {
	c, err := aios.Spawn("bomb.wasm", aios.SpawnOptions{})
	if err != nil {
		aios.Outputf("%v", err)
		os.Exit(3)
	}
	r, err := c.Wait()
	if err != nil {
		aios.Outputf("wait: %v", err)
		os.Exit(2)
	}
	aios.Output(r.Output)
	os.Exit(r.ExitCode)
}
