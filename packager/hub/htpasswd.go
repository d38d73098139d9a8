package hub

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// AddUser sets user's password in the htpasswd file at path (bcrypt, the only scheme the hub
// accepts), creating the file if needed and replacing the user's old entry. The file is
// rewritten atomically with mode 0600.
func AddUser(path, user, password string) error {
	if user == "" || strings.ContainsAny(user, ":\r\n") {
		return fmt.Errorf("add hub user: user name %q must be non-empty, without ':' or line breaks", user)
	}
	if password == "" {
		return fmt.Errorf("add hub user %s: empty password", user)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("add hub user %s: %w", user, err)
	}
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("add hub user: %w", err)
	}
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(old))
	for sc.Scan() {
		line := sc.Text()
		if name, _, _ := strings.Cut(line, ":"); name == user || strings.TrimSpace(line) == "" {
			continue
		}
		out.WriteString(line + "\n")
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("add hub user: read %s: %w", path, err)
	}
	fmt.Fprintf(&out, "%s:%s\n", user, hash)
	if err := writeAtomic(path, out.Bytes(), 0o600); err != nil {
		return fmt.Errorf("add hub user: %w", err)
	}
	return nil
}

// writeAtomic replaces path with data through a synced temporary file and a rename.
func writeAtomic(path string, data []byte, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
