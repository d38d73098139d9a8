package server

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
)

// Tokens map bearer tokens to tenants. Only the tokens' SHA-256 digests are kept.
type Tokens struct {
	tenants map[string]string // hex digest → tenant
}

var (
	tenantPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	digestPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// ValidTenant reports whether name can name a tenant: 1 to 64 letters, digits, '.', '_' or
// '-', starting with a letter or digit.
func ValidTenant(name string) bool { return tenantPattern.MatchString(name) }

// ParseTokens reads a tokens file: one "TENANT:SHA256-HEX-OF-TOKEN" a line; blank lines and
// lines starting with '#' are ignored. Errors name the line.
func ParseTokens(r io.Reader) (*Tokens, error) {
	t := &Tokens{tenants: map[string]string{}}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		tenant, digest, ok := strings.Cut(line, ":")
		digest = strings.ToLower(digest)
		switch {
		case !ok:
			return nil, fmt.Errorf("line %d: want TENANT:SHA256-HEX", n)
		case !ValidTenant(tenant):
			return nil, fmt.Errorf("line %d: tenant %q: use 1 to 64 letters, digits, '.', '_' or '-'", n, tenant)
		case !digestPattern.MatchString(digest):
			return nil, fmt.Errorf("line %d: %q is not a SHA-256 digest in hex (64 digits); `aios kernel token` prints a line to add", n, digest)
		}
		if other, dup := t.tenants[digest]; dup && other != tenant {
			return nil, fmt.Errorf("line %d: the same token is given to tenants %q and %q", n, other, tenant)
		}
		t.tenants[digest] = tenant
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return t, nil
}

// LoadTokens reads the tokens file at path (see ParseTokens).
func LoadTokens(path string) (*Tokens, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tokens file: %w", err)
	}
	defer f.Close()
	t, err := ParseTokens(f)
	if err != nil {
		return nil, fmt.Errorf("tokens file %s: %w", path, err)
	}
	return t, nil
}

// Len returns how many tokens there are.
func (t *Tokens) Len() int { return len(t.tenants) }

// Tenant returns the tenant token belongs to.
func (t *Tokens) Tenant(token string) (string, bool) {
	tenant, ok := t.tenants[HashToken(token)]
	return tenant, ok
}

// HashToken returns a token's SHA-256 digest in hex, as a tokens file holds it.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewToken returns a new random token (32 bytes, hex) and its tokens-file line for tenant.
func NewToken(tenant string) (token, line string, err error) {
	if !ValidTenant(tenant) {
		return "", "", fmt.Errorf("tenant %q: use 1 to 64 letters, digits, '.', '_' or '-'", tenant)
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	token = "aios_" + hex.EncodeToString(b[:])
	return token, tenant + ":" + HashToken(token), nil
}

// IsLoopback reports whether the listen address addr ("host:port") only accepts connections
// from this machine: a loopback IP or "localhost". An empty host listens everywhere.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// authenticate resolves the request's tenant from its bearer token and passes it to h; a
// missing or unknown token is 401. Without tokens every request is DefaultTenant's.
func (s *Server) authenticate(h func(http.ResponseWriter, *http.Request, string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Tokens == nil {
			h(w, r, DefaultTenant)
			return
		}
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="aios"`)
			writeError(w, http.StatusUnauthorized, "a bearer token is required (Authorization: Bearer TOKEN)")
			return
		}
		tenant, ok := s.opts.Tokens.Tenant(strings.TrimSpace(token))
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="aios", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "the bearer token is not valid")
			return
		}
		h(w, r, tenant)
	})
}
