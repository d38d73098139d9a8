package aios.policy_test

tool_grants := [{"agent": "*", "publisher": "", "tenant": "", "tools": ["*"], "hosts": ["*"]}]

tool(name, host) := {
	"agent": {
		"name": "fetcher", "version": "1.0.0", "digest": "sha256:3", "publisher": "key1", "tenant": "acme",
		"capabilities": {"tools": ["http_fetch", "email_send"], "hosts": ["*"]},
	},
	"call": "tool_call",
	"args": {"tool": name, "host": host},
	"usage": {},
}

test_public_host_allowed if {
	d := data.aios.system.decision with input as tool("http_fetch", "api.example.com")
		with data.aios.config.grants as tool_grants
	d.allow
}

test_internal_hosts_denied if {
	every h in ["localhost", "db.internal", "169.254.169.254", "127.0.0.1", "10.1.2.3"] {
		d := data.aios.system.decision with input as tool("http_fetch", h)
			with data.aios.config.grants as tool_grants
		not d.allow
		d.reason == sprintf("host %q is internal; tools may not reach it", [h])
	}
}

test_email_needs_confirmation if {
	d := data.aios.system.decision with input as tool("email_send", "smtp.example.com")
		with data.aios.config.grants as tool_grants
	d.allow
	d.obligations.confirm
	d.obligations.redact == ["body"]
}
