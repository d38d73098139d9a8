# Tool hosts: no tool may reach loopback, private, link-local, metadata or other internal
# addresses, nor internal names, even when a grant would allow it; sending mail needs an
# operator's confirmation and the message body never reaches the logs.
#
# aios normalises input.args.host before policy sees it (lower case, no trailing dot, every
# IPv4 shorthand such as 127.1 or 0x7f000001 written out, IPv6 without zone, IPv4-mapped IPv6
# as IPv4) and classifies it in input.args.address_class; see docs/POLICY.md. This policy
# decides on that class, so it needs no list of spellings. Names are not resolved: a tool must
# still check the address it connects to.
package aios.policy

# reachable_classes are the address classes a tool may reach: public addresses, and names
# (unresolved) that are not internal by the rules below.
reachable_classes := {"public", "unresolved"}

internal_names := {"localhost", "metadata", "metadata.google.internal"}

internal_suffixes := {".internal", ".local", ".localhost", ".localdomain", ".home.arpa"}

internal_name(h) if h in internal_names

internal_name(h) if {
	some s in internal_suffixes
	endswith(h, s)
}

deny contains sprintf("host %q is internal (%s); tools may not reach it", [input.args.host, class]) if {
	input.call == "tool_call"
	class := input.args.address_class
	not class in reachable_classes
}

deny contains sprintf("host %q is internal (internal name); tools may not reach it", [input.args.host]) if {
	input.call == "tool_call"
	input.args.address_class == "unresolved"
	internal_name(input.args.host)
}

# Fail closed on an input that aios did not build: without a class the host was not checked.
deny contains sprintf("host %q has no address class; tools may not reach it", [input.args.host]) if {
	input.call == "tool_call"
	input.args.host
	not input.args.address_class
}

obligations contains {"confirm": true, "redact": ["body"]} if {
	input.call == "tool_call"
	input.args.tool == "email_send"
}
