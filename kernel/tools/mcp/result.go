package mcp

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/aiosys/aios/kernel/tools"
)

// toResult turns a tool's answer into what the agent gets: its text contents joined by
// newlines, other contents summarized in brackets, at most limit bytes kept.
func toResult(res *sdk.CallToolResult, limit int64) tools.Result {
	out := capped{limit: max(limit, 0)}
	for i, c := range res.Content {
		if i > 0 {
			out.add("\n")
		}
		out.add(contentText(c))
	}
	// A tool with only structured output should also have sent it as text (MCP spec,
	// "Structured Content"); if it did not, the agent gets the JSON.
	if len(res.Content) == 0 && res.StructuredContent != nil {
		if b, err := json.Marshal(res.StructuredContent); err == nil {
			out.add(string(b))
		}
	}
	return tools.Result{
		Content:   string(out.buf),
		IsError:   res.IsError,
		Truncated: out.total > int64(len(out.buf)),
		Bytes:     out.total,
	}
}

// contentText is one content block as text.
func contentText(c sdk.Content) string {
	switch c := c.(type) {
	case *sdk.TextContent:
		return c.Text
	case *sdk.ImageContent:
		return fmt.Sprintf("[image %s %d bytes]", c.MIMEType, len(c.Data))
	case *sdk.AudioContent:
		return fmt.Sprintf("[audio %s %d bytes]", c.MIMEType, len(c.Data))
	case *sdk.ResourceLink:
		return fmt.Sprintf("[resource link %s %s]", c.Name, c.URI)
	case *sdk.EmbeddedResource:
		r := c.Resource
		if r == nil {
			return "[resource]"
		}
		if r.Blob != nil {
			return fmt.Sprintf("[resource %s %s %d bytes]", r.URI, r.MIMEType, len(r.Blob))
		}
		return r.Text
	default:
		return fmt.Sprintf("[%T content]", c)
	}
}

// capped keeps the first limit bytes added to it and counts them all.
type capped struct {
	buf   []byte
	limit int64
	total int64
}

func (c *capped) add(s string) {
	c.total += int64(len(s))
	room := c.limit - int64(len(c.buf))
	if room <= 0 {
		return
	}
	if int64(len(s)) > room {
		// Do not end in half a character: back up to the start of the one cut through.
		cut := int(room)
		for i := 1; i < utf8.UTFMax && cut > 0 && !utf8.RuneStart(s[cut]); i++ {
			cut--
		}
		s = s[:cut]
		c.limit = int64(len(c.buf) + len(s)) // nothing after a cut
	}
	c.buf = append(c.buf, s...)
}
