package tools

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"

	"github.com/aiosys/aios/policy"
)

// guard decides which URLs and addresses http_fetch may reach.
type guard struct {
	hosts     []string       // normalized names and addresses, "*.suffix" wildcards, or "*"
	addresses []netip.Prefix // special-purpose addresses allowed anyway
}

func newGuard(hosts []string, addresses []netip.Prefix) (guard, error) {
	g := guard{addresses: addresses}
	for _, h := range hosts {
		pattern, err := normalizePattern(h)
		if err != nil {
			return guard{}, err
		}
		g.hosts = append(g.hosts, pattern)
	}
	return g, nil
}

// normalizePattern gives an allow_hosts entry the form NormalizeHost gives hosts.
func normalizePattern(h string) (string, error) {
	if h == "*" {
		return h, nil
	}
	suffix, wild := strings.CutPrefix(h, "*.")
	norm, class := policy.NormalizeHost(suffix)
	if class == policy.ClassInvalid || wild && class != policy.ClassUnresolved && class != policy.ClassLoopback && class != policy.ClassMetadata {
		return "", fmt.Errorf("allow_hosts: %q is not a host name, an address or \"*.\" and a name", h)
	}
	if wild {
		return "*." + norm, nil
	}
	return norm, nil
}

// CheckHostPattern reports whether p can be an allow_hosts entry: a host name, an address,
// "*." and a name (any name under it), or "*" (any host).
func CheckHostPattern(p string) error {
	_, err := normalizePattern(p)
	return err
}

// checkURL refuses a URL http_fetch must not request, whatever its address.
func (g guard) checkURL(u *url.URL) error {
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%w: scheme %q: http_fetch fetches http and https URLs only", ErrRefused, bound(u.Scheme))
	case u.User != nil:
		return fmt.Errorf("%w: URL with user information: put credentials in headers", ErrRefused)
	case u.Hostname() == "":
		return fmt.Errorf("%w: URL %q has no host", ErrRefused, bound(u.String()))
	}
	host, class := policy.NormalizeHost(u.Hostname())
	if class == policy.ClassInvalid {
		return fmt.Errorf("%w: host %q is not a valid host name or address", ErrRefused, bound(u.Hostname()))
	}
	if !g.allowsHost(host) {
		return fmt.Errorf("%w: host %s is not in this tool's allow_hosts", ErrRefused, bound(host))
	}
	return nil
}

func (g guard) allowsHost(host string) bool {
	for _, p := range g.hosts {
		if suffix, wild := strings.CutPrefix(p, "*."); wild && strings.HasSuffix(host, "."+suffix) || p == host || p == "*" {
			return true
		}
	}
	return false
}

// checkAddr refuses a special-purpose address (loopback, private, link-local, metadata, ...)
// that allow_addresses does not list.
func (g guard) checkAddr(host string, a netip.Addr) error {
	a = a.Unmap().WithZone("")
	_, class := policy.NormalizeHost(a.String())
	if class == policy.ClassPublic {
		return nil
	}
	for _, p := range g.addresses {
		if p.Contains(a) {
			return nil
		}
	}
	return fmt.Errorf("%w: address %s of host %s is %s; allow it with allow_addresses = [\"%s\"]", ErrRefused, a, bound(host), strings.ReplaceAll(class, "_", "-"), netip.PrefixFrom(a, a.BitLen()))
}

// dialer connects only to addresses the guard allows: it resolves the name itself, checks
// every address, and dials the checked address, so neither DNS (rebinding, a name that
// resolves to loopback) nor a redirect reaches an address the checks refuse.
type dialer struct {
	guard    guard
	resolver *net.Resolver
	net      net.Dialer
}

func (d *dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	name, class := policy.NormalizeHost(host)
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(name); err == nil {
		addrs = []netip.Addr{a}
	} else if class == policy.ClassInvalid {
		return nil, fmt.Errorf("%w: host %q is not a valid host name or address", ErrRefused, bound(host))
	} else if addrs, err = d.resolver.LookupNetIP(ctx, "ip", name); err != nil {
		return nil, err
	}
	var errs []error
	for _, a := range addrs {
		if err := d.guard.checkAddr(name, a); err != nil {
			errs = append(errs, err)
			continue
		}
		conn, err := d.net.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil, fmt.Errorf("host %s has no address", bound(name))
	}
	return nil, errors.Join(errs...)
}

// control checks the address a socket is about to connect to, the last word on where it goes.
func (g guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: connect to %q: %v", ErrRefused, address, err)
	}
	return g.checkAddr(ap.Addr().String(), ap.Addr())
}
