package server

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"

	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/limits"
	"github.com/aiosys/aios/packager/bundle"
	"github.com/aiosys/aios/policy"
	"github.com/aiosys/aios/runtime"
)

// module is a submitted agent, its bundle verified against the server's trust.
type module struct {
	wasm           []byte
	name           string
	digest         string
	manifest       *bundle.Manifest
	publisher      bundle.Publisher
	manifestLimits *limits.Limits
}

// openModule reads the request's module as `aios run` reads a file: a bundle is verified
// against the trust configuration (an untrusted or missing signature is 403, a malformed
// bundle 400); a plain module runs unless signatures are required.
func (s *Server) openModule(req client.RunRequest) (*module, int, error) {
	raw := req.Module
	if len(raw) > bundle.MaxBundleSize {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("module larger than %d bytes", bundle.MaxBundleSize)
	}
	sum := sha256.Sum256(raw)
	digest := "sha256:" + hex.EncodeToString(sum[:])
	b, err := bundle.Open(raw)
	switch {
	case errors.Is(err, bundle.ErrNoManifest):
		if s.opts.Trust.RequireSignature {
			return nil, http.StatusForbidden, fmt.Errorf("module refused: %w (it is a plain module: pack it with `aios pack` and sign it with `aios sign`)", bundle.ErrUnsigned)
		}
		name := req.Name
		if name == "" {
			name = "agent"
		}
		return &module{wasm: raw, name: name, digest: digest}, 0, nil
	case errors.Is(err, bundle.ErrMalformed):
		if _, ferr := runtime.Inspect(raw); ferr != nil {
			return nil, http.StatusBadRequest, fmt.Errorf("module refused: %w", ferr)
		}
		return nil, http.StatusBadRequest, fmt.Errorf("module refused: %w", err)
	case err != nil:
		return nil, http.StatusBadRequest, fmt.Errorf("module refused: %w", err)
	}
	trust, err := bundle.NewTrust(s.opts.Trust)
	if err != nil {
		return nil, http.StatusInternalServerError, fmt.Errorf("trust configuration: %w", err)
	}
	pub, err := b.Verify(trust)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, bundle.ErrUnsigned) || errors.Is(err, bundle.ErrUnknownKey) {
			status = http.StatusForbidden
		}
		return nil, status, fmt.Errorf("bundle refused: %w", err)
	}
	m := b.Manifest()
	lim, err := m.Limits.Resolve()
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("bundle refused: manifest limits: %w", err)
	}
	return &module{wasm: b.Bytes(), name: m.Name, digest: b.Digest(), manifest: &m, publisher: pub, manifestLimits: &lim}, 0, nil
}

// identity is who the agent is for policy, as `aios run` says it: the manifest's name, version
// and capabilities, the verified signer and the digest; a plain module declares
// kernel.UnpackagedCapabilities.
func (m *module) identity(tenant string) policy.Agent {
	id := policy.Agent{Name: m.name, Digest: m.digest, Publisher: m.publisher.KeyID, Tenant: tenant,
		Capabilities: kernel.UnpackagedCapabilities()}
	if mf := m.manifest; mf != nil {
		id.Version = mf.Version
		id.Capabilities = policy.Capabilities{Models: mf.Capabilities.Models, Classes: mf.Capabilities.Classes,
			Tools: mf.Capabilities.Tools, Memory: mf.Capabilities.Memory, Calls: mf.Capabilities.Calls}
	}
	return id
}
