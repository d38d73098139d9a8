// Package hubtest starts an aios hub on loopback for tests, as net/http/httptest does for
// HTTP servers.
package hubtest

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"golang.org/x/crypto/bcrypt"

	"github.com/aiosys/aios/packager/hub"
)

// User and Password are the account every test hub accepts for pushes.
const (
	User     = "publisher"
	Password = "correct horse battery staple"
)

// Hub is a running test hub.
type Hub struct {
	*hub.Hub
	// Root is the data directory; start another Hub on it to test persistence.
	Root string
	done chan error
	t    testing.TB
}

// Start runs a hub on a free loopback port with its data in root (a new temporary directory
// when empty). The hub is stopped when the test ends, if Stop was not called.
func Start(t testing.TB, root string, anonymousPull bool) *Hub {
	t.Helper()
	// distribution logs every request through logrus's standard logger.
	logrus.SetOutput(io.Discard)
	if root == "" {
		root = t.TempDir()
	}
	// The cheapest bcrypt cost: the hub checks the password on every request, and tests make
	// many. hub.AddUser writes the same format at the default cost.
	hash, err := bcrypt.GenerateFromPassword([]byte(Password), bcrypt.MinCost)
	if err != nil {
		t.Fatalf("hubtest: %v", err)
	}
	htpasswd := filepath.Join(root, "htpasswd")
	if err := os.WriteFile(htpasswd, []byte(User+":"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatalf("hubtest: %v", err)
	}
	h, err := hub.New(context.Background(), hub.Config{
		Addr:          "127.0.0.1:0",
		Root:          root,
		Htpasswd:      htpasswd,
		AnonymousPull: anonymousPull,
	})
	if err != nil {
		t.Fatalf("hubtest: %v", err)
	}
	th := &Hub{Hub: h, Root: root, done: make(chan error, 1), t: t}
	go func() { th.done <- h.Serve() }()
	t.Cleanup(th.Stop)
	return th
}

// Stop shuts the hub down gracefully and waits for Serve to return. It is idempotent.
func (h *Hub) Stop() {
	if h.done == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.Shutdown(ctx); err != nil {
		h.t.Errorf("hubtest: %v", err)
	}
	if err := <-h.done; err != nil {
		h.t.Errorf("hubtest: %v", err)
	}
	h.done = nil
}
