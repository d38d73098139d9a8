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
// cap(idle) of them between calls.
type pool struct {
	compiled *sdk.CompiledPlugin

	mu     sync.Mutex
	idle   chan *instance
	closed bool
}

func newPool(compiled *sdk.CompiledPlugin, size int) *pool {
	return &pool{compiled: compiled, idle: make(chan *instance, max(size, 0))}
}

// get returns an idle instance or a new one. A new instance has no environment, arguments,
// files or standard input and output (wazero's empty module config), and logs nowhere; its
// standard error is kept, bounded, for the message of a trap.
func (p *pool) get(ctx context.Context) (*instance, error) {
	select {
	case inst := <-p.idle:
		return inst, nil
	default:
	}
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return nil, errClosed
	}
	stderr := &stderrBuffer{}
	plugin, err := p.compiled.Instance(ctx, sdk.PluginInstanceConfig{ModuleConfig: wazero.NewModuleConfig().WithStderr(stderr)})
	if err != nil {
		return nil, err
	}
	plugin.SetLogger(func(sdk.LogLevel, string) {})
	return &instance{plugin: plugin, stderr: stderr}, nil
}

// put returns a healthy instance after a call; it is closed if the pool is full or closed.
func (p *pool) put(inst *instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		select {
		case p.idle <- inst:
			return
		default:
		}
	}
	inst.plugin.Close(context.Background())
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
	p.mu.Unlock()
	for {
		select {
		case inst := <-p.idle:
			inst.plugin.Close(context.Background())
		default:
			return p.compiled.Close(context.Background())
		}
	}
}
