package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/packager/hub"
)

// hubShutdownGrace is how long a stopping hub waits for requests in flight.
const hubShutdownGrace = 30 * time.Second

// HubServeOptions are `aios hub serve`'s flags and dependencies.
type HubServeOptions struct {
	IO             *IOStreams
	Addr           string
	Root           string
	Htpasswd       string
	AnonymousPull  bool
	TLSCert        string
	TLSKey         string
	AllowPlainHTTP bool
	Verbose        bool
	// MaxUpload is the largest blob the hub accepts, as a size ("64MiB"); empty or 0: the default.
	MaxUpload string
}

// NewCmdHubServe builds `aios hub serve`. runF replaces the command's work in tests; nil runs it for real.
func NewCmdHubServe(io *IOStreams, runF func(context.Context, *HubServeOptions) error) *cobra.Command {
	opts := &HubServeOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "serve [--addr HOST:PORT] [--root DIR]",
		Short: "Run a hub on this machine",
		Long: `Run a hub: an OCI registry (the CNCF distribution registry, in process) for agent
bundles, storing everything under --root so it survives restarts.

Pushing always needs a user from the htpasswd file (add one with aios hub adduser);
--anonymous-pull lets anyone pull and list without an account. Requests that carry
credentials are always checked.

Without --tls-cert and --tls-key the hub talks plain HTTP, which is allowed only on
loopback addresses unless --allow-plain-http is given: Basic auth over plain HTTP
exposes passwords. Stop it with Ctrl-C (SIGINT) or SIGTERM; requests in flight finish
first.`,
		Example: `  aios hub adduser alice --password-stdin < password.txt
  aios hub serve --anonymous-pull
  aios hub serve --addr 0.0.0.0:443 --tls-cert hub.crt --tls-key hub.key --root /srv/aios-hub`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runHubServe(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Addr, "addr", "127.0.0.1:5000", "the address to listen on")
	f.StringVar(&opts.Root, "root", "", "the hub's data directory (default: the data directory's hub/)")
	f.StringVar(&opts.Htpasswd, "htpasswd", "", "the htpasswd file of users who may push (default ROOT/htpasswd)")
	f.BoolVar(&opts.AnonymousPull, "anonymous-pull", false, "let clients without an account pull and list")
	f.StringVar(&opts.TLSCert, "tls-cert", "", "TLS certificate PEM file (with --tls-key: serve HTTPS)")
	f.StringVar(&opts.TLSKey, "tls-key", "", "TLS private key PEM file")
	f.BoolVar(&opts.AllowPlainHTTP, "allow-plain-http", false, "allow plain HTTP on an address that is not loopback")
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "log every request to standard error")
	f.StringVar(&opts.MaxUpload, "max-upload", "", "the largest blob the hub accepts, e.g. 64MiB; larger uploads get 413 (default and 0: "+config.Size(hub.DefaultMaxUpload).String()+")")
	return cmd
}

func runHubServe(ctx context.Context, o *HubServeOptions) error {
	var maxUpload config.Size
	if o.MaxUpload != "" {
		if err := maxUpload.UnmarshalText([]byte(o.MaxUpload)); err != nil {
			return exitWith(ExitUsage, fmt.Errorf("--max-upload: %w", err))
		}
		if maxUpload > math.MaxInt64 {
			return exitWith(ExitUsage, fmt.Errorf("--max-upload %s is too large", o.MaxUpload))
		}
	}
	root, htpasswd, err := hubPaths(o.Root, o.Htpasswd)
	if err != nil {
		return err
	}
	if err := checkUsers(htpasswd, root); err != nil {
		return err
	}
	// distribution logs every request through logrus's standard logger.
	if o.Verbose {
		logrus.SetOutput(o.IO.ErrOut)
	} else {
		logrus.SetOutput(io.Discard)
	}
	sigCtx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The registry's own context outlives the signal: requests in flight finish on shutdown.
	serveCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	h, err := hub.New(serveCtx, hub.Config{
		Addr: o.Addr, Root: root, Htpasswd: htpasswd, AnonymousPull: o.AnonymousPull,
		TLSCert: o.TLSCert, TLSKey: o.TLSKey, AllowPlainHTTP: o.AllowPlainHTTP,
		MaxUpload: int64(maxUpload),
	})
	if err != nil {
		var opErr *net.OpError
		if errors.As(err, &opErr) {
			return exitWith(ExitUnavailable, err)
		}
		return exitWith(ExitConfig, err)
	}
	served := make(chan error, 1)
	go func() { served <- h.Serve() }()
	scheme := "http"
	if o.TLSCert != "" {
		scheme = "https"
	}
	anon := "off"
	if o.AnonymousPull {
		anon = "on"
	}
	fmt.Fprintf(o.IO.ErrOut, "aios hub: serving %s://%s (data %s, users %s, anonymous pull %s)\n", scheme, h.Addr(), root, htpasswd, anon)
	select {
	case err := <-served:
		return exitWith(ExitUnavailable, err)
	case <-sigCtx.Done():
	}
	stop() // a second signal ends the process at once
	fmt.Fprintln(o.IO.ErrOut, "aios hub: stopping; finishing requests in flight")
	shutCtx, cancelShut := context.WithTimeout(context.Background(), hubShutdownGrace)
	defer cancelShut()
	shutErr := h.Shutdown(shutCtx)
	if err := <-served; err != nil && shutErr == nil {
		shutErr = err
	}
	if shutErr != nil {
		return exitWith(ExitKernel, shutErr)
	}
	fmt.Fprintln(o.IO.ErrOut, "aios hub: stopped")
	return nil
}

// checkUsers refuses to start a hub nobody could push to, saying how to add a user.
func checkUsers(htpasswd, root string) error {
	info, err := os.Stat(htpasswd)
	if err == nil && info.Size() > 0 {
		return nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return exitWith(ExitConfig, fmt.Errorf("hub users: %w", err))
	}
	return exitWith(ExitConfig, fmt.Errorf("no hub users in %s: pushing needs one; add one with: aios hub adduser NAME --root %s", htpasswd, root))
}
