// Package memory is the kernel's memory manager: per-space entries of text and metadata,
// searched by keyword (SQLite FTS5, BM25), by vector (cosine over embeddings from an
// Embedder) or by both (reciprocal rank fusion), with metadata filters and quotas per space.
//
// Every row is keyed by a space.Space, which the kernel derives from the agent's identity; no
// argument of any method can name another space's rows. Query text is reduced to plain words
// before it reaches FTS5, and every filter key and value is a bound parameter.
//
// Limits: an entry's size (text plus metadata keys and values) is capped by
// Options.MaxEntryBytes; metadata by MaxMetaKeys, MaxMetaKeyBytes and MaxMetaValueBytes; a
// space by MaxEntriesPerSpace and MaxBytesPerSpace, never overshot by concurrent writers. A
// Query's K must be at least 1; a K above Options.MaxK is clamped to MaxK.
//
// BM25's document frequencies are those of the whole store, as FTS5 keeps them, so a keyword
// score (and which very common words a query leaves out) depends slightly on other spaces'
// texts; no entry, text or count of another space is ever returned.
//
// Add, Update and Delete whose context carries a write key (kernel/writekey) are applied at most
// once for that key, as kernel/storage's writes are: the key is recorded in the write's
// transaction, and a write that finds it recorded returns the recorded result (an Add, the ID it
// made) and changes nothing. ForgetRun removes an ended run's keys.
package memory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aiosys/aios/internal/sqlitedb"
	"github.com/aiosys/aios/kernel/space"
)

// Errors that callers map to errnos. Every error a Store returns wraps at most one of them.
var (
	ErrNotFound   = errors.New("memory entry not found")                                        // ENOENT
	ErrInvalid    = errors.New("invalid memory request")                                        // EINVAL
	ErrQuota      = errors.New("memory quota exceeded")                                         // EDQUOT
	ErrNoEmbedder = errors.New("vector search needs an embedding core, and none is configured") // ENOENT
	ErrEmbedding  = errors.New("embedding failed")                                              // EIO: the embedder erred or changed dimension
	ErrClosed     = errors.New("memory store is closed")
)

// Embedder computes one vector per text. The kernel adapts its llm_embed path to it.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// Fixed caps on metadata and queries.
const (
	MaxMetaKeys       = 32
	MaxMetaKeyBytes   = 128
	MaxMetaValueBytes = 1024
	MaxQueryBytes     = 4096
	maxQueryTerms     = 64
	maxDim            = 16384 // embedding dimensions accepted from an Embedder
)

// Options configure a Store. A zero field takes its default; a negative one is refused.
type Options struct {
	// Embedder embeds texts on Add and Update and queries on Search. nil: vector and hybrid
	// search answer ErrNoEmbedder, and entries are stored without vectors (found by keyword
	// only, even after an Embedder is configured).
	Embedder           Embedder
	MaxEntryBytes      int   // default 64 KiB
	MaxEntriesPerSpace int   // default 100 000
	MaxBytesPerSpace   int64 // default 256 MiB
	MaxK               int   // default 100; a larger K is clamped to it
	MaxCacheBytes      int64 // vectors kept in memory across spaces; default 256 MiB
	Now                func() time.Time
}

func (o *Options) setDefaults() error {
	if o.MaxEntryBytes < 0 || o.MaxEntriesPerSpace < 0 || o.MaxBytesPerSpace < 0 || o.MaxK < 0 || o.MaxCacheBytes < 0 {
		return fmt.Errorf("%w: negative limit in options", ErrInvalid)
	}
	if o.MaxEntryBytes == 0 {
		o.MaxEntryBytes = 64 << 10
	}
	if o.MaxEntriesPerSpace == 0 {
		o.MaxEntriesPerSpace = 100_000
	}
	if o.MaxBytesPerSpace == 0 {
		o.MaxBytesPerSpace = 256 << 20
	}
	if o.MaxK == 0 {
		o.MaxK = 100
	}
	if o.MaxK > 1000 {
		o.MaxK = 1000
	}
	if o.MaxCacheBytes == 0 {
		o.MaxCacheBytes = 256 << 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}

// ID names an entry. IDs are random, so they reveal nothing about other spaces' activity.
type ID string

// Entry is what a caller stores.
type Entry struct {
	Text     string
	Metadata map[string]string
}

// Record is a stored entry.
type Record struct {
	ID       ID
	Text     string
	Metadata map[string]string
	Created  time.Time
	Updated  time.Time
}

// Usage is what a space holds against its quotas.
type Usage struct {
	Entries int
	Bytes   int64
}

// Store is a memory store in one SQLite database. It is safe for concurrent use.
type Store struct {
	db    *sql.DB
	opts  Options
	cache *vecCache
	df    dfCache

	writeMu sync.Mutex // serialises writers, so quota checks and inserts are atomic
	dimMu   sync.Mutex
	dim     int // the store's embedding dimension; 0 until the first vector

	closeMu sync.RWMutex
	closed  bool
}

// Open opens or creates the store at path.
func Open(path string, opts Options) (*Store, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, fmt.Errorf("open memory store %s: %w", path, err)
	}
	db, err := sqlitedb.Open(context.Background(), path, migrations)
	if err != nil {
		return nil, fmt.Errorf("open memory store: %w", err)
	}
	dim, err := recordedDim(context.Background(), db)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open memory store %s: %w", path, err)
	}
	return &Store{db: db, opts: opts, dim: dim, cache: newVecCache(opts.MaxCacheBytes)}, nil
}

// Close closes the store; later calls return ErrClosed.
func (s *Store) Close() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.db.Close()
}

// enter guards a method against a concurrent Close; the caller defers the returned func.
func (s *Store) enter() (func(), error) {
	s.closeMu.RLock()
	if s.closed {
		s.closeMu.RUnlock()
		return nil, ErrClosed
	}
	return s.closeMu.RUnlock, nil
}

func checkSpace(sp space.Space) error {
	if sp == "" {
		return fmt.Errorf("%w: empty space", ErrInvalid)
	}
	return nil
}

// dimension returns the store's embedding dimension, read from the database while this process
// has seen none: another process may have recorded it.
func (s *Store) dimension(ctx context.Context) (int, error) {
	s.dimMu.Lock()
	defer s.dimMu.Unlock()
	if s.dim == 0 {
		dim, err := recordedDim(ctx, s.db)
		if err != nil {
			return 0, err
		}
		s.dim = dim
	}
	return s.dim, nil
}
