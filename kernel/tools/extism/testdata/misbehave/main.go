// Command misbehave is an Extism plugin that misbehaves on purpose, for the tests of
// kernel/tools/extism: it loops forever, writes huge outputs, panics, reports errors and tries
// to reach host files, environment and network.
package main

//lint:file-ignore U1000 the host calls the //go:wasmexport functions, which staticcheck does not count as uses

import (
	"encoding/json"
	"os"
	"strings"

	"github.com/extism/go-pdk"
)

func main() {}

// spin never returns; only the host's timeout stops it.
//
//go:wasmexport spin
func spin() int32 {
	n := 0
	for {
		n++
	}
}

// huge writes {"bytes": N} bytes of 'x' as its output.
//
//go:wasmexport huge
func huge() int32 {
	var in struct {
		Bytes int `json:"bytes"`
	}
	if err := json.Unmarshal(pdk.Input(), &in); err != nil {
		pdk.SetError(err)
		return 1
	}
	pdk.OutputString(strings.Repeat("x", in.Bytes))
	return 0
}

// trap panics, which ends the Go runtime in the instance.
//
//go:wasmexport trap
func trap() int32 {
	panic("misbehave: trap asked for")
}

// fail reports an Extism error with the input as its message.
//
//go:wasmexport fail
func fail() int32 {
	pdk.SetErrorString(string(pdk.Input()))
	return 1
}

// echo outputs its input unchanged.
//
//go:wasmexport echo
func echo() int32 {
	pdk.Output(pdk.Input())
	return 0
}

// counter counts its calls in a global, to show whether instances are reused.
var calls int

// count outputs how many times this instance has been called.
//
//go:wasmexport count
func count() int32 {
	calls++
	out, _ := json.Marshal(map[string]int{"calls": calls})
	pdk.Output(out)
	return 0
}

// peek tries to read host files and environment and reports what it got.
//
//go:wasmexport peek
func peek() int32 {
	report := map[string]any{}
	if b, err := os.ReadFile("/etc/passwd"); err != nil {
		report["passwd_error"] = err.Error()
	} else {
		report["passwd"] = string(b)
	}
	if entries, err := os.ReadDir("/"); err != nil {
		report["root_error"] = err.Error()
	} else {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		report["root"] = names
	}
	if wd, err := os.Getwd(); err == nil {
		report["wd"] = wd
	}
	report["home"] = os.Getenv("HOME")
	report["environ"] = os.Environ()
	report["args"] = os.Args
	out, _ := json.Marshal(report)
	pdk.Output(out)
	return 0
}

// fetch asks the host for an HTTP GET of the URL in its input (Extism's http_request).
//
//go:wasmexport fetch
func fetch() int32 {
	resp := pdk.NewHTTPRequest(pdk.MethodGet, string(pdk.Input())).Send()
	pdk.Output(resp.Body())
	return 0
}
