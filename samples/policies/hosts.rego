# Tool hosts: no tool may reach loopback, link-local metadata services or internal names, even
# when a grant would allow it; sending mail needs an operator's confirmation and the message body
# never reaches the logs.
package aios.policy

blocked_hosts := {"localhost", "metadata.google.internal"}

blocked_suffixes := {".internal", ".local", ".localhost"}

blocked_networks := {"127.0.0.0/8", "169.254.0.0/16", "10.0.0.0/8", "::1/128"}

blocked_host(h) if h in blocked_hosts

blocked_host(h) if {
	some s in blocked_suffixes
	endswith(h, s)
}

# net.cidr_contains fails on a name, so only addresses are tested against networks.
blocked_host(h) if {
	ip_address(h)
	some n in blocked_networks
	net.cidr_contains(n, h)
}

ip_address(h) if regex.match(`^[0-9.]+$`, h)

ip_address(h) if contains(h, ":")

deny contains sprintf("host %q is internal; tools may not reach it", [input.args.host]) if {
	input.call == "tool_call"
	blocked_host(input.args.host)
}

obligations contains {"confirm": true, "redact": ["body"]} if {
	input.call == "tool_call"
	input.args.tool == "email_send"
}
