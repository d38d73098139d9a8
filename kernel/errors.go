package kernel

import (
	"cmp"
	"errors"
	"slices"
)

// ErrInvalid marks a malformed request.
var ErrInvalid = errors.New("invalid request")

func sortInfos(s []Info) {
	slices.SortFunc(s, func(a, b Info) int { return cmp.Compare(a.PID, b.PID) })
}
