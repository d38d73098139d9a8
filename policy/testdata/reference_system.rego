# reference_system.rego is the default policy as it was before it was restructured for speed
# (see docs/POLICY.md section 8). reference_test.go checks that the built-in policy decides every
# input of a broad grid exactly as this one does. When the default policy's behaviour changes on
# purpose, change this file the same way.
# Package aios.system is aios's built-in default policy. It denies by default and allows a call
# only when the agent's manifest declares what the call uses and an operator's grant allows it.
# Operator policies in package aios.policy add denials (deny) and obligations (obligations);
# denials always win and obligations merge to the strictest value. See docs/POLICY.md.
package aios.system

# local_calls touch only the calling agent's own process state (its input, output, log and
# result table); they need no grant. "start" is the one decision taken when an agent starts; it
# also governs the WASI functions (clock, random, yield, args, environment, stdio).
local_calls := {
	"start", "abi_version", "input", "output", "log", "poll", "wait", "cancel",
	"stream_next", "result_read", "result_drop", "last_error", "tool_list",
	"agent_wait", "agent_kill", "msg_recv",
}

own_calls := {
	"memory_add", "memory_get", "memory_update", "memory_delete", "memory_search",
	"storage_put", "storage_get", "storage_list", "storage_delete", "storage_history", "storage_rollback",
}

# identity_args are argument names that claim an identity; they must name the caller.
identity_args := {
	"agent": "name",
	"owner": "name",
	"publisher": "publisher",
	"tenant": "tenant",
	"digest": "digest",
}

family := "local" if {
	local_calls[input.call]
} else := "local" if {
	input.call == "msg_send"
	object.get(args, "relation", "") in {"parent", "child"}
} else := "local" if {
	own_calls[input.call]
	object.get(args, "space", "") == ""
} else := "llm" if {
	input.call == "llm_generate"
} else := "tool" if {
	input.call == "tool_call"
} else := "memory" if {
	startswith(input.call, "memory_")
} else := "call"

# args reads input.args only (never input as a whole), so the decision cache can leave the
# usage counters out of its key.
args := input.args if {
	is_object(input.args)
} else := {}

host := object.get(args, "host", "")

# wanted lists what the call uses as [capability, value] pairs; using any one of them is
# enough (a generation names a model, its class, or both).
wanted := {["models", m] | family == "llm"; m := object.get(args, "model", ""); m != ""} | {["classes", c] | family == "llm"; c := object.get(args, "class", ""); c != ""} if {
	family == "llm"
} else := {["tools", t] | t := object.get(args, "tool", ""); t != ""} if {
	family == "tool"
} else := {["memory", s] | s := object.get(args, "space", ""); s != ""} if {
	family == "memory"
} else := {["calls", input.call]}

# subject names what the call uses, for reasons.
subject := concat(" or ", sort([sprintf("%s %q", [noun[k], v]) | some [k, v] in wanted]))

noun := {"models": "model", "classes": "model class", "tools": "tool", "memory": "memory space", "calls": "call"}

# grants are the operator's grants whose selectors all match the caller ("" or "*": any).
grants := [g |
	some g in data.aios.config.grants
	g.agent in {"", "*", input.agent.name}
	g.publisher in {"", "*", input.agent.publisher}
	g.tenant in {"", "*", input.agent.tenant}
]

declared_ok if {
	some [kind, v] in wanted
	some x in input.agent.capabilities[kind]
	x in {"*", v}
}

granted_ok if {
	some [kind, v] in wanted
	some g in grants
	some x in g[kind]
	x in {"*", v}
}

# host_listed(list, h): h is in list, or list has "*", or an entry "*.d" with h a subdomain of d.
host_listed(list, h) if {
	some p in list
	host_matches(p, h)
}

host_matches(p, h) if p in {"*", h}

host_matches(p, h) if {
	startswith(p, "*.")
	endswith(h, substring(p, 1, -1))
}

host_declared if host_listed(input.agent.capabilities.hosts, host)

host_granted if {
	some g in grants
	host_listed(g.hosts, host)
}

default host_ok := false

host_ok if host == ""

host_ok if {
	host_declared
	host_granted
}

# permitted is the only way to an allow: deny by default.
permitted if family == "local"

permitted if {
	family != "local"
	declared_ok
	granted_ok
	host_ok
}

# problems are the built-in reasons to deny.
problems contains "the agent has no name" if input.agent.name == ""

problems contains sprintf("the call names no %s", [what]) if {
	family != "local"
	count(wanted) == 0
	what := {"llm": "model or model class", "tool": "tool", "memory": "memory space"}[family]
}

problems contains sprintf("%s is not declared by the agent", [subject]) if {
	family != "local"
	count(wanted) > 0
	not declared_ok
}

problems contains sprintf("%s is not granted to the agent by the operator", [subject]) if {
	family != "local"
	declared_ok
	not granted_ok
}

problems contains sprintf("host %q is not declared by the agent", [host]) if {
	host != ""
	not host_declared
}

problems contains sprintf("host %q is not granted to the agent by the operator", [host]) if {
	host != ""
	host_declared
	not host_granted
}

problems contains sprintf("argument %q names %q, but the caller's %s is %q", [k, v, f, own]) if {
	some k, v in args
	f := identity_args[k]
	own := input.agent[f]
	v != own
}

problems contains sprintf("conflicting core_class obligations: %s", [concat(", ", sort(core_classes))]) if {
	count(core_classes) > 1
}

# denials are the operator's reasons to deny.
denials contains sprintf("%v", [d]) if some d in data.aios.policy.deny

reasons := sort(problems | denials)

default allow := false

allow if {
	permitted
	count(reasons) == 0
}

reason := concat("; ", reasons) if {
	count(reasons) > 0
} else := "denied by default" if {
	not allow
} else := "the call touches only the agent's own state" if {
	family == "local"
} else := sprintf("%s and host %q are declared by the agent and granted by the operator", [subject, host]) if {
	host != ""
} else := sprintf("%s is declared by the agent and granted by the operator", [subject])

# Obligations from operator policies, merged to the strictest value. Fields are read with
# object.get so that operator obligations of different shapes type-check together.
operator_obligations := [o |
	some o in data.aios.policy.obligations
	is_object(o)
]

token_caps := {n |
	some o in operator_obligations
	n := object.get(o, "max_tokens", null)
	is_number(n)
	n > 0
}

max_tokens := floor(min(token_caps)) if count(token_caps) > 0 else := 0

core_classes := {c |
	some o in operator_obligations
	c := object.get(o, "core_class", null)
	is_string(c)
	c != ""
}

core_class := c if {
	count(core_classes) == 1
	some c in core_classes
} else := ""

default confirm := false

confirm if {
	some o in operator_obligations
	object.get(o, "confirm", false) == true
}

redact := sort({f |
	some o in operator_obligations
	some f in object.get(o, "redact", [])
	is_string(f)
})

# Without operator obligations (the common case) nothing needs merging.
default obligations := {"max_tokens": 0, "core_class": "", "confirm": false, "redact": []}

obligations := {
	"max_tokens": max_tokens,
	"core_class": core_class,
	"confirm": confirm,
	"redact": redact,
} if count(operator_obligations) > 0

decision := {
	"allow": allow,
	"reason": reason,
	"obligations": obligations,
}
