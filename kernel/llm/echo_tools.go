package llm

import (
	"encoding/json"
	"slices"
	"strings"
)

// EchoCallPrefix starts a user message that makes the echo core call a tool.
const EchoCallPrefix = "call "

// EchoToolCallID is the id of every tool call the echo core makes.
const EchoToolCallID = "echo-call-1"

// EchoToolCall returns the tool call the echo core makes for req, if any.
//
// The echo core calls a tool when req declares tools, its tool choice is not "none", and its
// last message is a user message of the form "call NAME" or "call NAME {json object}", where
// NAME is one of the declared tools. The call has id EchoToolCallID, that NAME, and the JSON
// object as arguments ("{}" when there is none or it is not a JSON object). Any other request
// gets an echo, so a conversation continues with the tool's result (a "tool" message) echoed.
func EchoToolCall(req Request) (ToolCall, bool) {
	if len(req.Tools) == 0 || req.ToolChoice == ToolChoiceNone || len(req.Messages) == 0 {
		return ToolCall{}, false
	}
	last := req.Messages[len(req.Messages)-1]
	if last.Role != "user" {
		return ToolCall{}, false
	}
	rest, ok := strings.CutPrefix(strings.TrimSpace(last.Content), EchoCallPrefix)
	if !ok {
		return ToolCall{}, false
	}
	name, args, _ := strings.Cut(strings.TrimSpace(rest), " ")
	if !slices.ContainsFunc(req.Tools, func(t Tool) bool { return t.Name == name }) {
		return ToolCall{}, false
	}
	args = strings.TrimSpace(args)
	var obj map[string]any
	if args == "" || json.Unmarshal([]byte(args), &obj) != nil || obj == nil {
		args = emptyArguments
	}
	return ToolCall{ID: EchoToolCallID, Name: name, Arguments: args}, true
}
