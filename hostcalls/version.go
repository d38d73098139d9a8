package hostcalls

import (
	"context"
	"fmt"
)

// The ABI version this host implements (docs/ABI.md section 7).
const (
	ABIMajor = 1
	ABIMinor = 4
)

// abiVersion implements abi_version(major, minor): OK if this host implements major and at
// least minor, which then becomes the guest's negotiated version.
func abiVersion(_ context.Context, g *Guest, _ Memory, p []uint64) error {
	major, minor := uint32(p[0]), uint32(p[1])
	if major != ABIMajor || minor > g.hostMinor {
		return fail(ENOTSUP, fmt.Sprintf("ABI %d.%d is not supported; this host implements %d.%d",
			major, minor, ABIMajor, g.hostMinor))
	}
	g.version.Store(uint64(major)<<32 | uint64(minor))
	return nil
}
