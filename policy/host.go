package policy

import (
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// Address classes of a tool call's host, as the input document gives them in
// args.address_class (see NormalizeHost and docs/POLICY.md).
const (
	ClassLoopback    = "loopback"    // 127.0.0.0/8, ::1, localhost and *.localhost
	ClassPrivate     = "private"     // 10/8, 172.16/12, 192.168/16, 100.64/10 (shared), fc00::/7
	ClassLinkLocal   = "link_local"  // 169.254/16, fe80::/10
	ClassUnspecified = "unspecified" // 0.0.0.0/8, ::
	ClassMulticast   = "multicast"   // 224/4, ff00::/8
	ClassMetadata    = "metadata"    // cloud metadata services, by address or name
	ClassReserved    = "reserved"    // other special-purpose addresses: 240/4, documentation, ...
	ClassPublic      = "public"      // every other address
	ClassUnresolved  = "unresolved"  // a DNS name, not resolved (see NormalizeHost)
	ClassInvalid     = "invalid"     // neither an address nor a well-formed name
)

// metadataNames are the names cloud metadata services answer to.
var metadataNames = map[string]bool{
	"metadata.google.internal":   true, // GCE
	"metadata.goog":              true, // GCE
	"metadata":                   true, // GCE, through the resolver's search domain
	"instance-data":              true, // EC2, through the resolver's search domain
	"instance-data.ec2.internal": true,
}

// metadataAddrs are the addresses of cloud metadata services.
var metadataAddrs = map[netip.Addr]bool{
	netip.MustParseAddr("169.254.169.254"): true, // AWS, GCE, Azure, OpenStack, ...
	netip.MustParseAddr("169.254.170.2"):   true, // AWS ECS task metadata
	netip.MustParseAddr("100.100.100.200"): true, // Alibaba Cloud
	netip.MustParseAddr("fd00:ec2::254"):   true, // AWS over IPv6
}

// NormalizeHost returns the canonical form of a host a tool call names, and its address class,
// so that a policy compares like with like: an address spelled in any form the network stack
// would accept is given in one form and classified by what it reaches.
//
//   - Names are lower-cased, lose one trailing dot, and are converted to their ASCII (IDNA)
//     form; "LocalHost." is "localhost".
//   - IPv4 addresses are parsed as inet_aton and URL parsers do, in any of their shorthands:
//     127.1, 2130706433, 0x7f000001 and 0177.0.0.1 are all 127.0.0.1. A name whose last label
//     is a number must be such an address, or it is invalid.
//   - IPv6 addresses may be bracketed and carry a zone (fe80::1%eth0); the zone is dropped, an
//     IPv4-mapped address (::ffff:127.0.0.1) is given as its IPv4 address, and NAT64 and 6to4
//     addresses are classified by the IPv4 address they embed when that is not public.
//
// # Notes
//
// Names are classified by rules, not resolved: resolving in the policy path would make a
// decision depend on the network, slow and unrepeatable. So "localhost" and names under
// ".localhost" are loopback, the metadata services' names are metadata, and every other name
// is unresolved, whatever its DNS records say. A tool that connects must therefore check the
// address it actually connects to (DNS can answer anything, including a loopback address).
func NormalizeHost(raw string) (host, class string) {
	s := raw
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		s = s[1 : len(s)-1]
	}
	if strings.Contains(s, ":") {
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() {
			return strings.ToLower(raw), ClassInvalid
		}
		return classifyAddr(a.WithZone(""))
	}
	if !isASCII(s) {
		var err error
		if s, err = idna.Lookup.ToASCII(s); err != nil {
			return strings.ToLower(raw), ClassInvalid
		}
	}
	s = strings.TrimSuffix(strings.ToLower(s), ".")
	if s == "" {
		return s, ClassInvalid
	}
	labels := strings.Split(s, ".")
	if last := labels[len(labels)-1]; isNumberLabel(last) {
		a, ok := parseIPv4(labels)
		if !ok {
			return s, ClassInvalid
		}
		return classifyAddr(a)
	}
	if !validName(labels) {
		return s, ClassInvalid
	}
	switch {
	case s == "localhost" || strings.HasSuffix(s, ".localhost"):
		return s, ClassLoopback
	case metadataNames[s]:
		return s, ClassMetadata
	}
	return s, ClassUnresolved
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// isNumberLabel reports whether a label is a number as an IPv4 parser reads one: decimal
// digits, or 0x followed by hex digits (possibly none).
func isNumberLabel(l string) bool {
	if l == "" {
		return false
	}
	if strings.HasPrefix(l, "0x") {
		return strings.Trim(l[2:], "0123456789abcdef") == ""
	}
	return strings.Trim(l, "0123456789") == ""
}

// parseIPv4 parses one to four numeric labels (decimal, 0x hex or 0-prefixed octal); the last
// fills the remaining bytes, so 127.1 is 127.0.0.1 and 2130706433 is 127.0.0.1 too.
func parseIPv4(labels []string) (netip.Addr, bool) {
	if len(labels) > 4 {
		return netip.Addr{}, false
	}
	var n [4]uint64
	for i, l := range labels {
		v, ok := parseIPv4Number(l)
		if !ok {
			return netip.Addr{}, false
		}
		n[i] = v
	}
	last := len(labels) - 1
	var out uint64
	for i := range last {
		if n[i] > 255 {
			return netip.Addr{}, false
		}
		out |= n[i] << (24 - 8*i)
	}
	if n[last] >= 1<<(8*(4-last)) {
		return netip.Addr{}, false
	}
	out |= n[last]
	return netip.AddrFrom4([4]byte{byte(out >> 24), byte(out >> 16), byte(out >> 8), byte(out)}), true
}

func parseIPv4Number(l string) (uint64, bool) {
	base := 10
	switch {
	case strings.HasPrefix(l, "0x"):
		l, base = l[2:], 16
		if l == "" {
			return 0, true
		}
	case len(l) > 1 && l[0] == '0':
		l, base = l[1:], 8
	}
	v, err := strconv.ParseUint(l, base, 64)
	return v, err == nil && v <= 0xffffffff
}

// validName reports whether labels form a DNS name: 1 to 63 letters, digits, hyphens or
// underscores each, 253 bytes in all.
func validName(labels []string) bool {
	total := len(labels) - 1
	for _, l := range labels {
		if l == "" || len(l) > 63 || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			return false
		}
		total += len(l)
	}
	return total <= 253
}

// Special-purpose IPv4 and IPv6 networks, by class.
var (
	v4Classes = []struct {
		net   netip.Prefix
		class string
	}{
		{netip.MustParsePrefix("0.0.0.0/8"), ClassUnspecified},
		{netip.MustParsePrefix("127.0.0.0/8"), ClassLoopback},
		{netip.MustParsePrefix("169.254.0.0/16"), ClassLinkLocal},
		{netip.MustParsePrefix("10.0.0.0/8"), ClassPrivate},
		{netip.MustParsePrefix("172.16.0.0/12"), ClassPrivate},
		{netip.MustParsePrefix("192.168.0.0/16"), ClassPrivate},
		{netip.MustParsePrefix("100.64.0.0/10"), ClassPrivate},
		{netip.MustParsePrefix("224.0.0.0/4"), ClassMulticast},
		{netip.MustParsePrefix("240.0.0.0/4"), ClassReserved}, // with 255.255.255.255
		{netip.MustParsePrefix("192.0.0.0/24"), ClassReserved},
		{netip.MustParsePrefix("192.0.2.0/24"), ClassReserved},
		{netip.MustParsePrefix("198.18.0.0/15"), ClassReserved},
		{netip.MustParsePrefix("198.51.100.0/24"), ClassReserved},
		{netip.MustParsePrefix("203.0.113.0/24"), ClassReserved},
	}
	nat64   = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4  = netip.MustParsePrefix("2002::/16")
	compat4 = netip.MustParsePrefix("::/96")
	docs6   = netip.MustParsePrefix("2001:db8::/32")
	global6 = netip.MustParsePrefix("2000::/3")
)

// classifyAddr returns a's canonical text and class.
func classifyAddr(a netip.Addr) (string, string) {
	a = a.Unmap()
	if metadataAddrs[a] {
		return a.String(), ClassMetadata
	}
	if a.Is4() {
		for _, c := range v4Classes {
			if c.net.Contains(a) {
				return a.String(), c.class
			}
		}
		return a.String(), ClassPublic
	}
	b := a.As16()
	switch {
	case a.IsUnspecified():
		return a.String(), ClassUnspecified
	case a.IsLoopback():
		return a.String(), ClassLoopback
	case a.IsLinkLocalUnicast():
		return a.String(), ClassLinkLocal
	case a.IsMulticast():
		return a.String(), ClassMulticast
	case a.IsPrivate():
		return a.String(), ClassPrivate
	case nat64.Contains(a):
		return a.String(), embeddedClass(b[12:16])
	case sixTo4.Contains(a):
		return a.String(), embeddedClass(b[2:6])
	case compat4.Contains(a), docs6.Contains(a), !global6.Contains(a):
		return a.String(), ClassReserved
	}
	return a.String(), ClassPublic
}

// embeddedClass classifies a translated address by the IPv4 address it carries when that is
// special, and as public otherwise.
func embeddedClass(v4 []byte) string {
	_, c := classifyAddr(netip.AddrFrom4([4]byte(v4)))
	return c
}
