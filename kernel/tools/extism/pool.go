package extism

import (
	"context"
	"errors"
	"sync"

	sdk "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero"
)

// errClosed: the source was closed.
var errClosed = errors.New("plugin closed")

// instance is one instantiation of the plugin, used by one call at a time.
type instance struct {
	plugin *sdk.Plugin
	stderr *stderrBuffer
}

// pool hands out instances of one compiled plugin, one call at a time each, and keeps up to
// size of them between calls. An idle instance belongs to the caller of its last call
// (tools.CallerOf) and is handed to that caller only: a plugin's global state (what an earlier
// call left in its memory) never passes from one agent to another.
type pool struct {
	compiled *sdk.CompiledPlugin
	size     int

	mu     sync.Mutex
	idle   []idleInstance // oldest first
	closed bool
}

// idleInstance is an instance between calls, with the caller it belongs to.
type idleInstance struct {
	owner string
	inst  *instance
}

func newPool(compiled *sdk.CompiledPlugin, size int) *pool {
	return &pool{compiled: compiled, size: max(size, 0)}
}

// get returns an idle instance of owner or a new one. A new instance has no environment,
// arguments, files or standard input and output (wazero's empty module config), and logs
// nowhere; its standard error is kept, bounded, for the message of a trap.
func (p *pool) get(ctx context.Context, owner string) (*instance, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errClosed
	}
	for i := len(p.idle) - 1; i >= 0; i-- {
		if p.idle[i].owner == owner {
			inst := p.idle[i].inst
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			p.mu.Unlock()
			return inst, nil
		}
	}
	p.mu.Unlock()
	stderr := &stderrBuffer{}
	plugin, err := p.compiled.Instance(ctx, sdk.PluginInstanceConfig{ModuleConfig: wazero.NewModuleConfig().WithStderr(stderr)})
	if err != nil {
		return nil, err
	}
	plugin.SetLogger(func(sdk.LogLevel, string) {})
	return &instance{plugin: plugin, stderr: stderr}, nil
}

// put keeps a healthy instance for owner's next call, closing the oldest idle instance when
// the pool is full; it closes inst itself if the pool keeps none or is closed.
func (p *pool) put(owner string, inst *instance) {
	p.mu.Lock()
	if p.closed || p.size == 0 {
		p.mu.Unlock()
		inst.plugin.Close(context.Background())
		return
	}
	p.idle = append(p.idle, idleInstance{owner: owner, inst: inst})
	var evicted *instance
	if len(p.idle) > p.size {
		evicted = p.idle[0].inst
		p.idle = p.idle[1:]
	}
	p.mu.Unlock()
	if evicted != nil {
		evicted.plugin.Close(context.Background())
	}
}

// discard closes an instance that trapped or timed out: its state is not to be trusted.
func (p *pool) discard(inst *instance) {
	inst.plugin.Close(context.Background())
}

// close closes the idle instances and the compiled plugin, which ends any call in flight.
func (p *pool) close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, i := range idle {
		i.inst.plugin.Close(context.Background())
	}
	return p.compiled.Close(context.Background())
}
