package kernel

import (
	"errors"
	"fmt"

	"github.com/aiosys/aios/kernel/memory"
	"github.com/aiosys/aios/kernel/space"
	"github.com/aiosys/aios/kernel/storage"
)

// ErrNoManager marks a memory, storage or tool call on a kernel built without that manager
// (e.g. no data directory). hostcalls maps it to ENOSYS.
var ErrNoManager = errors.New("not available on this host")

// WithMemory gives the kernel's processes memory (memory_* calls) in s. emb, when not nil, is
// the Embedder s was opened with: it is bound to the kernel so that it embeds through the
// kernel's cores, charged to the calling process.
func WithMemory(s *memory.Store, emb *MemoryEmbedder) Option {
	return func(k *Kernel) {
		k.memory = s
		if emb != nil {
			emb.k = k
		}
	}
}

// WithStorage gives the kernel's processes storage (storage_* calls) in s.
func WithStorage(s *storage.Store) Option { return func(k *Kernel) { k.storage = s } }

// ownSpace is the process's own space, derived from its identity as policy sees it (tenant,
// verified publisher key, bundle name), never from anything the agent passes.
func (p *Process) ownSpace() space.Space {
	a := p.agent()
	return space.Of(space.Identity{Tenant: a.Tenant, Publisher: a.Publisher, Name: a.Name})
}

// memorySpace resolves the space a memory call names: "" is the process's own; any other
// name is a shared space of the process's tenant, which policy must grant (args.space).
func (p *Process) memorySpace(shared string) (space.Space, map[string]any, error) {
	if shared == "" {
		return p.ownSpace(), map[string]any{}, nil
	}
	if !space.ValidSharedName(shared) {
		return "", nil, fmt.Errorf("%w: space %s is not a valid shared space name (1 to %d letters, digits, '.', '_', '-')",
			ErrInvalid, quoteName(shared), space.MaxSharedName)
	}
	return space.Shared(p.agent().Tenant, shared), map[string]any{"space": shared}, nil
}

// quoteName quotes a guest-supplied name for an error message, at most 64 bytes of it.
func quoteName(s string) string {
	const most = 64
	if len(s) > most {
		return fmt.Sprintf("%q… (%d bytes)", s[:most], len(s))
	}
	return fmt.Sprintf("%q", s)
}
