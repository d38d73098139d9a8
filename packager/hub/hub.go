// Package hub runs an aios hub: an OCI registry for agent bundles, built on the reference
// implementation (github.com/distribution/distribution/v3) with filesystem storage.
//
// Pushing always needs a user from the htpasswd file (bcrypt); pulling can be opened to
// anonymous clients. Any OCI client works against it; packager/oci is the aios one.
//
// # Notes
//
// distribution logs through logrus's standard logger; the program that embeds the hub
// decides where that goes.
package hub

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	// The filesystem storage driver registers itself with the driver factory.
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
)

// Config configures a hub. Root and Htpasswd are required.
type Config struct {
	// Addr is the TCP address to listen on; "127.0.0.1:0" picks a free loopback port.
	// Default "127.0.0.1:5000".
	Addr string
	// Root is the hub's data directory. Blobs and manifests live in Root/registry; they
	// survive restarts.
	Root string
	// Htpasswd is the path of an htpasswd file with bcrypt entries (see AddUser). Every push
	// needs one of its users.
	Htpasswd string
	// AnonymousPull lets clients without credentials pull and list the catalog.
	AnonymousPull bool
	// Realm is the Basic auth realm. Default "aios hub".
	Realm string
	// TLSCert and TLSKey are PEM files; with both set the hub serves HTTPS.
	TLSCert, TLSKey string
	// AllowPlainHTTP permits plain HTTP on an address that is not loopback. Basic auth over
	// plain HTTP exposes passwords, so this is off by default.
	AllowPlainHTTP bool
	// MaxUpload is the largest blob, in bytes, the hub accepts; a larger upload is refused
	// with 413. Zero means DefaultMaxUpload; negative is an error.
	MaxUpload int64
}

// Hub is a running registry. Create one with New, run it with Serve, stop it with Shutdown.
type Hub struct {
	cfg Config
	app *handlers.App
	srv *http.Server
	ln  net.Listener
}

// New checks cfg, prepares storage and binds the listening socket; the hub accepts
// connections once Serve runs. ctx bounds the registry's background work and every request's
// context; Shutdown is the normal way to stop.
func New(ctx context.Context, cfg Config) (*Hub, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:5000"
	}
	if cfg.Realm == "" {
		cfg.Realm = "aios hub"
	}
	if cfg.MaxUpload == 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	secret, err := httpSecret(cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	app, err := newApp(ctx, cfg, secret)
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		app.Shutdown()
		return nil, fmt.Errorf("hub: listen: %w", err)
	}
	if !cfg.tls() && !cfg.AllowPlainHTTP && !isLoopback(ln.Addr()) {
		ln.Close()
		app.Shutdown()
		return nil, fmt.Errorf("hub: plain HTTP on %s would expose passwords: configure TLS or allow plain HTTP explicitly", ln.Addr())
	}
	srv := &http.Server{
		Handler:           &uploadLimit{next: app, max: cfg.MaxUpload},
		ReadHeaderTimeout: 30 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	return &Hub{cfg: cfg, app: app, srv: srv, ln: ln}, nil
}

func (cfg Config) tls() bool { return cfg.TLSCert != "" && cfg.TLSKey != "" }

func (cfg Config) check() error {
	if cfg.Root == "" {
		return errors.New("no data directory (Root)")
	}
	if cfg.MaxUpload < 0 {
		return fmt.Errorf("upload limit %d is negative", cfg.MaxUpload)
	}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return errors.New("TLS needs both a certificate and a key")
	}
	if cfg.Htpasswd == "" {
		return errors.New("no htpasswd file: pushing requires authentication (add a user with AddUser)")
	}
	info, err := os.Stat(cfg.Htpasswd)
	if err != nil {
		return fmt.Errorf("htpasswd file: %w (add a user with AddUser)", err)
	}
	if info.Size() == 0 {
		return fmt.Errorf("htpasswd file %s has no users (add one with AddUser)", cfg.Htpasswd)
	}
	return nil
}

// newApp builds distribution's registry application. Its constructor panics on bad
// configuration; that panic becomes an error here.
func newApp(ctx context.Context, cfg Config, secret string) (app *handlers.App, err error) {
	dc := &configuration.Configuration{
		Storage: configuration.Storage{
			"filesystem": configuration.Parameters{"rootdirectory": filepath.Join(cfg.Root, "registry")},
		},
		Auth: configuration.Auth{
			accessControllerName: configuration.Parameters{
				"realm":         cfg.Realm,
				"path":          cfg.Htpasswd,
				"anonymouspull": cfg.AnonymousPull,
			},
		},
	}
	dc.HTTP.Secret = secret
	dc.Catalog.MaxEntries = 1000
	defer func() {
		if r := recover(); r != nil {
			app, err = nil, fmt.Errorf("configure registry: %v", r)
		}
	}()
	return handlers.NewApp(ctx, dc), nil
}

// httpSecret returns the secret distribution signs upload state with, kept in Root so an
// upload survives a restart.
func httpSecret(root string) (string, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return "", fmt.Errorf("data directory: %w", err)
	}
	path := filepath.Join(root, "http.secret")
	if data, err := os.ReadFile(path); err == nil && len(data) >= 32 {
		return string(data), nil
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return "", fmt.Errorf("generate HTTP secret: %w", err)
	}
	text := fmt.Sprintf("%x", secret)
	if err := writeAtomic(path, []byte(text), 0o600); err != nil {
		return "", fmt.Errorf("write HTTP secret: %w", err)
	}
	return text, nil
}

func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// Addr is the address the hub listens on, e.g. "127.0.0.1:43121".
func (h *Hub) Addr() string { return h.ln.Addr().String() }

// Serve accepts connections until Shutdown; it then returns nil.
func (h *Hub) Serve() error {
	var err error
	if h.cfg.tls() {
		err = h.srv.ServeTLS(h.ln, h.cfg.TLSCert, h.cfg.TLSKey)
	} else {
		err = h.srv.Serve(h.ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("hub: serve: %w", err)
}

// Shutdown stops accepting connections, waits for requests in flight to finish (or ctx to
// end), then stops the registry's background work.
func (h *Hub) Shutdown(ctx context.Context) error {
	err := h.srv.Shutdown(ctx)
	if appErr := h.app.Shutdown(); err == nil {
		err = appErr
	}
	if err != nil {
		return fmt.Errorf("hub: shutdown: %w", err)
	}
	return nil
}
