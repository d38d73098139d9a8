package oci

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/credentials"
)

// Logins are the hub accounts saved by `aios login`, kept where Docker, oras and other OCI
// clients keep theirs: $DOCKER_CONFIG/config.json, else ~/.docker/config.json. A
// credential helper that file names (credsStore, credHelpers) is used as those clients use
// it; otherwise the password is stored base64-encoded, not encrypted, in the file.
type Logins struct {
	store *credentials.DynamicStore
	path  string
}

// OpenLogins opens the saved logins. A missing file holds none.
func OpenLogins() (*Logins, error) {
	path, err := LoginsPath()
	if err != nil {
		return nil, err
	}
	store, err := credentials.NewStore(path, credentials.StoreOptions{AllowPlaintextPut: true})
	if err != nil {
		return nil, fmt.Errorf("read hub logins: %w", err)
	}
	return &Logins{store: store, path: path}, nil
}

// LoginsPath is the file that holds the logins: $DOCKER_CONFIG/config.json, else
// ~/.docker/config.json.
func LoginsPath() (string, error) {
	dir := os.Getenv("DOCKER_CONFIG")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("hub logins: no home directory and no $DOCKER_CONFIG: %w", err)
		}
		dir = filepath.Join(home, ".docker")
	}
	return filepath.Join(dir, "config.json"), nil
}

// Path is the file that holds the logins.
func (l *Logins) Path() string { return l.path }

// Credential returns the saved credential of each host, for Remote.Credential; a host
// without one is asked anonymously.
func (l *Logins) Credential() auth.CredentialFunc { return credentials.Credential(l.store) }

// Has reports whether a credential is saved for host.
func (l *Logins) Has(ctx context.Context, host string) (bool, error) {
	c, err := l.store.Get(ctx, credentials.ServerAddressFromRegistry(host))
	if err != nil {
		return false, fmt.Errorf("read the hub login for %s: %w", host, err)
	}
	return c != auth.EmptyCredential, nil
}

// Login checks cred against the registry at host and, only when the registry accepts it,
// saves it for that host.
func (r Remote) Login(ctx context.Context, l *Logins, host string, cred auth.Credential) error {
	reg, err := r.registry(host)
	if err != nil {
		return err
	}
	if err := credentials.Login(ctx, l.store, reg, cred); err != nil {
		if errors.Is(err, credentials.ErrClientTypeUnsupported) {
			return err
		}
		return fmt.Errorf("log in to %s: %w", host, classify(err))
	}
	return nil
}

// Logout forgets the credential saved for host.
func (l *Logins) Logout(ctx context.Context, host string) error {
	if err := credentials.Logout(ctx, l.store, host); err != nil {
		return fmt.Errorf("log out of %s: %w", host, err)
	}
	return nil
}
