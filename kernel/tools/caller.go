package tools

import "context"

type callerKey struct{}

// WithCaller returns ctx carrying the caller a tool call is made for (Manager.Run sets it), so
// that a source keeping state between calls (an Extism plugin's pooled instances) keeps each
// caller's apart.
func WithCaller(ctx context.Context, caller string) context.Context {
	return context.WithValue(ctx, callerKey{}, caller)
}

// CallerOf returns the caller ctx carries; "" when none.
func CallerOf(ctx context.Context) string {
	c, _ := ctx.Value(callerKey{}).(string)
	return c
}
