# Package aios.system is aios's built-in default policy. It denies by default and allows a call
# only when the agent's manifest declares what the call uses and an operator's grant allows it.
# Operator policies in package aios.policy add denials (deny) and obligations (obligations);
# denials always win and obligations merge to the strictest value. See docs/POLICY.md.
#
# Every decision the cache does not answer evaluates this file, so it is written for OPA's
# evaluator, which costs about a microsecond per rule or expression: an allowed call of a common
# kind is decided by one fast branch of `decision` (at the end of the file), membership is
# tested with `in` (a loop in Go) rather than by iterating in Rego, and operator obligations
# are merged only when some policy defines them. `go test ./policy -run '^$' -bench
# DecideUncached -cpu 1` measures it; policy/reference_test.go checks it against the policy
# before it was optimized.
package aios.system

# call_families gives the family of the calls aios knows by name. Local calls touch only the
# calling agent's own process state (its input, output, log and result table); they need no
# grant. "start" is the one decision taken when an agent starts; it also governs the WASI
# functions (clock, random, yield, args, environment, stdio).
call_families := {
	"start": "local", "abi_version": "local", "input": "local", "output": "local", "log": "local",
	"poll": "local", "wait": "local", "cancel": "local", "stream_next": "local",
	"result_read": "local", "result_drop": "local", "last_error": "local",
	"llm_generate": "llm", "llm_embed": "llm", "tool_call": "tool", "tool_list": "local",
	"agent_wait": "local", "agent_kill": "local", "msg_recv": "local",
}

# A message to the sender's parent or one of its children is local too (args.relation, which
# the kernel sets); one to a sibling is a call of its own: it needs calls = ["msg_send"].
# agent_spawn is always such a call: calls = ["agent_spawn"], declared and granted.
local_relations := {"parent", "child"}

# own_calls act on the calling agent's own memory or storage, a space derived from its identity:
# local calls too, unless a memory call names a shared space (args.space), which needs a grant.
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

# family is the kind of call: local (own_calls on the agent's own space too), llm, tool, memory
# (memory_* on a shared space) or any other call.
family := f if {
	f := call_families[input.call]
} else := "local" if {
	input.call == "msg_send"
	object.get(args, "relation", "") in local_relations
} else := "local" if {
	own_calls[input.call]
	object.get(args, "space", "") == ""
} else := "memory" if {
	startswith(input.call, "memory_")
} else := "call"

# args reads input.args only (never input as a whole), so the decision cache can leave the
# usage counters out of its key.
args := input.args if {
	is_object(input.args)
} else := {}

host := object.get(args, "host", "")

# wanted lists what the call uses as [capability, value] pairs, a model before its class; using
# any one of them is enough (a generation names a model, its class, or both). Local calls use
# nothing.
wanted := llm_wanted if {
	family == "llm"
} else := [["tools", t]] if {
	family == "tool"
	t := object.get(args, "tool", "")
	t != ""
} else := [["memory", s]] if {
	family == "memory"
	s := object.get(args, "space", "")
	s != ""
} else := [["calls", input.call]] if {
	family == "call"
} else := []

llm_wanted := [["models", m], ["classes", c]] if {
	m := object.get(args, "model", "")
	m != ""
	c := object.get(args, "class", "")
	c != ""
} else := [["models", m]] if {
	m := object.get(args, "model", "")
	m != ""
} else := [["classes", c]] if {
	c := object.get(args, "class", "")
	c != ""
} else := []

# subject names what the call uses, for reasons.
subject := concat(" or ", [sprintf("%s %q", [noun[kind], v]) | some [kind, v] in wanted])

noun := {"models": "model", "classes": "model class", "tools": "tool", "memory": "memory space", "calls": "call"}

# names_no says what a call of each family must name.
names_no := {"llm": "model or model class", "tool": "tool", "memory": "memory space"}

# grants are the operator's grants whose selectors all match the caller ("" or "*": any).
grants := [g |
	some g in data.aios.config.grants
	g.agent in {"", "*", input.agent.name}
	g.publisher in {"", "*", input.agent.publisher}
	g.tenant in {"", "*", input.agent.tenant}
]

# A capability list allows a value when it has the value or "*".
declared_ok if declares(wanted)

granted_ok if grants_any(wanted)

# host_listed(list, h): h is in list, or list has "*", or an entry "*.d" with h a subdomain of d.
host_listed(list, h) if h in list

host_listed(list, _) if "*" in list

host_listed(list, h) if {
	some p in list
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
	declared_ok
	granted_ok
	host_ok
}

# problems are the built-in reasons to deny. unpermitted are those that can hold only when the
# call is not permitted, so an allowed call does not evaluate them.
problems := unpermitted | vetoes if {
	not permitted
} else := vetoes

unpermitted contains sprintf("the call names no %s", [what]) if {
	what := names_no[family]
	count(wanted) == 0
}

unpermitted contains sprintf("%s is not declared by the agent", [subject]) if {
	count(wanted) > 0
	not declared_ok
}

unpermitted contains sprintf("%s is not granted to the agent by the operator", [subject]) if {
	declared_ok
	not granted_ok
}

vetoes contains "the agent has no name" if input.agent.name == ""

vetoes contains sprintf("host %q is not declared by the agent", [host]) if {
	host != ""
	not host_declared
}

vetoes contains sprintf("host %q is not granted to the agent by the operator", [host]) if {
	host != ""
	host_declared
	not host_granted
}

vetoes contains sprintf("argument %q names %q, but the caller's %s is %q", [k, v, f, own]) if {
	some k, v in args
	f := identity_args[k]
	own := input.agent[f]
	v != own
}

vetoes contains sprintf("conflicting core_class obligations: %s", [concat(", ", sort(core_classes))]) if {
	has_operator_obligations
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

reason := allowed_reason if {
	allow
} else := concat("; ", reasons) if {
	count(reasons) > 0
} else := "denied by default"

allowed_reason := "the call touches only the agent's own state" if {
	family == "local"
} else := sprintf("%s and host %q are declared by the agent and granted by the operator", [subject, host]) if {
	host != ""
} else := sprintf("%s is declared by the agent and granted by the operator", [subject])

# Obligations from operator policies, merged to the strictest value. Fields are read with
# object.get so that operator obligations of different shapes type-check together. None of
# this is evaluated unless some operator policy produces an obligation.
has_operator_obligations if {
	some o in data.aios.policy.obligations
	is_object(o)
}

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
} if has_operator_obligations

# decision is the answer. Each fast branch decides one common kind of allowed call: it reads the
# input directly and evaluates only what such a call must satisfy, because every rule and
# expression OPA evaluates costs about a microsecond. A call no fast branch allows (a denial,
# a call that claims its own identity in its arguments, a host on a call that is not a tool
# call, ...) takes the last branch, which collects every reason. Both agree by construction:
# each fast branch holds exactly when permitted holds and no problem or denial does, and
# policy/reference_test.go compares the result with the unoptimized policy.
decision := {"allow": true, "reason": "the call touches only the agent's own state", "obligations": obligations} if {
	input.call in {
		"start", "abi_version", "input", "output", "log", "poll", "wait", "cancel", "stream_next",
		"result_read", "result_drop", "last_error", "tool_list",
	}
	is_object(input.args)
	object.get(input.args, "host", "") == ""
	unobjectionable
} else := {"allow": true, "reason": "the call touches only the agent's own state", "obligations": obligations} if {
	own_calls[input.call]
	is_object(input.args)
	object.get(input.args, "space", "") == ""
	object.get(input.args, "host", "") == ""
	unobjectionable
} else := {"allow": true, "reason": sprintf("model %q or model class %q is declared by the agent and granted by the operator", [m, c]), "obligations": obligations} if {
	input.call in {"llm_generate", "llm_embed"}
	is_object(input.args)
	m := input.args.model
	m != ""
	c := input.args.class
	c != ""
	object.get(input.args, "host", "") == ""
	declares([["models", m], ["classes", c]])
	indexed_grant([["models", m], ["classes", c]])
	unobjectionable
} else := {"allow": true, "reason": sprintf("model %q is declared by the agent and granted by the operator", [m]), "obligations": obligations} if {
	input.call in {"llm_generate", "llm_embed"}
	is_object(input.args)
	m := input.args.model
	m != ""
	object.get(input.args, "class", "") == ""
	object.get(input.args, "host", "") == ""
	declares([["models", m]])
	indexed_grant([["models", m]])
	unobjectionable
} else := {"allow": true, "reason": sprintf("model class %q is declared by the agent and granted by the operator", [c]), "obligations": obligations} if {
	input.call in {"llm_generate", "llm_embed"}
	is_object(input.args)
	object.get(input.args, "model", "") == ""
	c := input.args.class
	c != ""
	object.get(input.args, "host", "") == ""
	declares([["classes", c]])
	indexed_grant([["classes", c]])
	unobjectionable
} else := {"allow": true, "reason": sprintf("tool %q is declared by the agent and granted by the operator", [t]), "obligations": obligations} if {
	input.call == "tool_call"
	is_object(input.args)
	t := input.args.tool
	t != ""
	object.get(input.args, "host", "") == ""
	declares([["tools", t]])
	indexed_grant([["tools", t]])
	unobjectionable
} else := {"allow": true, "reason": sprintf("tool %q and host %q are declared by the agent and granted by the operator", [t, host]), "obligations": obligations} if {
	input.call == "tool_call"
	t := input.args.tool
	t != ""
	host != ""
	declares([["tools", t]])
	indexed_grant([["tools", t]])
	host_declared
	host_granted
	unobjectionable
} else := {
	"allow": allow,
	"reason": reason,
	"obligations": obligations,
}

# declares(w): the manifest declares one of the [capability, value] pairs in w, or "*" for its
# capability.
declares(w) if {
	some [kind, v] in w
	v in input.agent.capabilities[kind]
}

declares(w) if {
	some [kind, _] in w
	"*" in input.agent.capabilities[kind]
}

# indexed_grant(w): the configuration's grant index (see policy/grant_index.go) allows the
# caller one of the pairs in w, or "*" for its capability. It is the fast path's form of
# grants_any: one lookup per combination of the caller's name, publisher and tenant with "*",
# where grants_any matches every grant's selectors.
indexed_grant(w) if {
	some a in [input.agent.name, "*"]
	by_publisher := data.aios.config.grant_index[a]
	some p in [input.agent.publisher, "*"]
	by_tenant := by_publisher[p]
	some t in [input.agent.tenant, "*"]
	caps := by_tenant[t]
	some [kind, v] in w
	some x in [v, "*"]
	caps[kind][x]
}

# grants_any(w): some grant for the caller allows one of the pairs in w, or "*" for its
# capability.
grants_any(w) if {
	some [kind, v] in w
	some g in grants
	v in g[kind]
}

grants_any(w) if {
	some [kind, _] in w
	some g in grants
	"*" in g[kind]
}

# unobjectionable: none of the vetoes that do not concern hosts holds, and no operator policy
# denies the call. The fast branches check permission and hosts themselves.
unobjectionable if {
	input.agent.name != ""
	not claims_other_identity
	not operator_objects
}

# claims_other_identity: an argument names an identity that is not the caller's (a veto).
claims_other_identity if {
	some k, v in input.args
	v != input.agent[identity_args[k]]
}

# operator_objects: an operator policy denies the call, or its obligations conflict.
operator_objects if some _ in data.aios.policy.deny

operator_objects if {
	has_operator_obligations
	count(core_classes) > 1
}
