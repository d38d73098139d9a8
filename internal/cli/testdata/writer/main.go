// Command writer is an agent that writes storage and memory until the host stops it: the
// signal tests interrupt `aios run` in the middle of its writes. It logs "writing" once its
// first writes are durable, and exits 1 if a write fails. With the argument "sleep" it logs
// "sleeping" and sleeps for an hour instead (in poll_oneoff).
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aiosys/aios/sdk-go"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "sleep" {
		aios.Infof("sleeping")
		time.Sleep(time.Hour)
		return
	}
	ctx := context.Background()
	for i := 0; ; i++ {
		value := fmt.Appendf(nil, "value %d", i)
		if _, err := aios.Store().Put(ctx, fmt.Sprintf("key-%d", i%64), value); err != nil {
			fail("storage put", err)
		}
		if _, err := aios.Mem().Add(ctx, fmt.Sprintf("note %d on interrupted runs", i), nil); err != nil {
			fail("memory add", err)
		}
		if i == 3 {
			aios.Infof("writing")
		}
	}
}

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
	os.Exit(1)
}
