// Package space names the isolated namespace that an agent's memory and storage live in.
//
// A space is derived from who the agent is (its tenant and its bundle identity), never from a
// name the agent passes: two agents with different identities get different spaces whatever
// they ask for, and the managers of memory and storage key every row by the space alone.
package space

import (
	"net/url"
	"strings"
)

// LocalPublisher is the publisher of a module that carries no verified signature. Its agents
// share a space per tenant and name on this host only; a signed bundle of the same name never
// shares it.
const LocalPublisher = "local"

// Identity is what an agent's space is derived from.
type Identity struct {
	Tenant string // empty: the default tenant
	// Publisher is the hex Ed25519 public key that signed the bundle, as verified by the host;
	// LocalPublisher (or empty) for an unsigned module.
	Publisher string
	Name      string // the bundle's manifest name, or the module's file name when it has none
}

// Space is the canonical name of an identity's namespace: tenant, publisher and name, each
// escaped so that no choice of names makes two identities collide.
type Space string

// Of returns the space of id.
func Of(id Identity) Space {
	pub := id.Publisher
	if pub == "" {
		pub = LocalPublisher
	}
	parts := []string{id.Tenant, pub, id.Name}
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return Space(strings.Join(parts, "/"))
}

// Local reports whether the space belongs to an unsigned module.
func (id Identity) Local() bool { return id.Publisher == "" || id.Publisher == LocalPublisher }

// Shared returns the space of the shared memory called name within tenant. It has two parts
// where an agent's own space has three, and no escaped part holds a "/", so a shared space
// never equals an agent's.
func Shared(tenant, name string) Space {
	return Space(url.PathEscape(tenant) + "/" + url.PathEscape(name))
}

// MaxSharedName is the longest name of a shared space, in bytes.
const MaxSharedName = 64

// ValidSharedName reports whether name may name a shared space: 1 to MaxSharedName bytes of
// ASCII letters, digits, '.', '_' and '-'.
func ValidSharedName(name string) bool {
	if name == "" || len(name) > MaxSharedName {
		return false
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
