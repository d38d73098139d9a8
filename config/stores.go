package config

import (
	"fmt"
	"math"

	"github.com/aiosys/aios/kernel/memory"
	"github.com/aiosys/aios/kernel/storage"
)

// Memory configures the memory manager (the [memory] table): how entries are embedded and the
// quotas of each space. Zero fields take the memory store's defaults.
type Memory struct {
	// EmbedModel is the model that embeds entries and queries, routed as an agent's llm_embed
	// naming it is. Empty: no embeddings, so vector and hybrid search answer ENOENT.
	EmbedModel string
	MaxEntry   Size // text plus metadata of one entry; default 64 KiB
	MaxEntries int  // entries per space; default 100,000
	MaxBytes   Size // bytes per space; default 256 MiB
	MaxK       int  // the most hits one search returns; default 100
}

// Storage configures the storage manager (the [storage] table): the quotas of each space.
// Zero fields take the storage store's defaults.
type Storage struct {
	MaxValue    Size  // one value; default 1 MiB
	MaxBytes    Size  // key plus value bytes of every version of a space; default 64 MiB
	MaxVersions int64 // versions of every key of a space; default 100,000
}

type fileMemory struct {
	EmbedModel string `toml:"embed_model"`
	MaxEntry   Size   `toml:"max_entry"`
	MaxEntries int    `toml:"max_entries"`
	MaxBytes   Size   `toml:"max_bytes"`
	MaxK       int    `toml:"max_k"`
}

type fileStorage struct {
	MaxValue    Size  `toml:"max_value"`
	MaxBytes    Size  `toml:"max_bytes"`
	MaxVersions int64 `toml:"max_versions"`
}

func (f fileMemory) memory() Memory { return Memory(f) }

func (f fileStorage) storage() Storage { return Storage(f) }

// Options returns the memory store's options, with embedder as its Embedder when EmbedModel
// is set (nil otherwise).
func (m Memory) Options(embedder memory.Embedder) memory.Options {
	o := memory.Options{
		MaxEntryBytes:      int(m.MaxEntry),
		MaxEntriesPerSpace: m.MaxEntries,
		MaxBytesPerSpace:   int64(m.MaxBytes),
		MaxK:               m.MaxK,
	}
	if m.EmbedModel != "" {
		o.Embedder = embedder
	}
	return o
}

// Limits returns the storage store's limits.
func (s Storage) Limits() storage.Limits {
	return storage.Limits{MaxValueBytes: int(s.MaxValue), MaxBytesPerSpace: int64(s.MaxBytes), MaxVersionsPerSpace: s.MaxVersions}
}

// maxStoreSize bounds the sizes of [memory] and [storage]: they become ints and int64s.
const maxStoreSize = math.MaxInt32

func (m Memory) validate() []error {
	var errs []error
	if m.MaxEntry > maxStoreSize {
		errs = append(errs, fmt.Errorf("memory.max_entry %s is larger than %s", m.MaxEntry, Size(maxStoreSize)))
	}
	if m.MaxBytes > math.MaxInt64 {
		errs = append(errs, fmt.Errorf("memory.max_bytes %s is too large", m.MaxBytes))
	}
	if m.MaxEntries < 0 {
		errs = append(errs, fmt.Errorf("memory.max_entries %d is negative", m.MaxEntries))
	}
	if m.MaxK < 0 {
		errs = append(errs, fmt.Errorf("memory.max_k %d is negative", m.MaxK))
	}
	return errs
}

func (s Storage) validate() []error {
	var errs []error
	if s.MaxValue > maxStoreSize {
		errs = append(errs, fmt.Errorf("storage.max_value %s is larger than %s", s.MaxValue, Size(maxStoreSize)))
	}
	if s.MaxBytes > math.MaxInt64 {
		errs = append(errs, fmt.Errorf("storage.max_bytes %s is too large", s.MaxBytes))
	}
	if s.MaxVersions < 0 {
		errs = append(errs, fmt.Errorf("storage.max_versions %d is negative", s.MaxVersions))
	}
	return errs
}
