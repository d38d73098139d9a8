package aios.policy_test

tool_grants := [{"agent": "*", "publisher": "", "tenant": "", "tools": ["*"], "hosts": ["*"]}]

# host_cases are hosts as an agent may spell them, with what aios gives policy for each
# (args.host and args.address_class) and whether hosts.rego lets a tool reach it. The Go test
# TestHostCasesMatchNormalizeHost (policy/host_test.go) checks every row against aios's own
# normalisation, and TestSampleHostPolicyOnRawHosts decides each raw spelling end to end.
host_cases := {
	"api.example.com": {"host": "api.example.com", "class": "unresolved", "allow": true},
	"API.Example.COM.": {"host": "api.example.com", "class": "unresolved", "allow": true},
	"bücher.example": {"host": "xn--bcher-kva.example", "class": "unresolved", "allow": true},
	"8.8.8.8": {"host": "8.8.8.8", "class": "public", "allow": true},
	"2606:4700::1111": {"host": "2606:4700::1111", "class": "public", "allow": true},
	"localhost": {"host": "localhost", "class": "loopback", "allow": false},
	"localhost.": {"host": "localhost", "class": "loopback", "allow": false},
	"LocalHost": {"host": "localhost", "class": "loopback", "allow": false},
	"api.localhost": {"host": "api.localhost", "class": "loopback", "allow": false},
	"db.internal": {"host": "db.internal", "class": "unresolved", "allow": false},
	"printer.local.": {"host": "printer.local", "class": "unresolved", "allow": false},
	"127.0.0.1": {"host": "127.0.0.1", "class": "loopback", "allow": false},
	"127.1": {"host": "127.0.0.1", "class": "loopback", "allow": false},
	"2130706433": {"host": "127.0.0.1", "class": "loopback", "allow": false},
	"0x7f000001": {"host": "127.0.0.1", "class": "loopback", "allow": false},
	"0177.0.0.1": {"host": "127.0.0.1", "class": "loopback", "allow": false},
	"0x7f.1": {"host": "127.0.0.1", "class": "loopback", "allow": false},
	"0.0.0.0": {"host": "0.0.0.0", "class": "unspecified", "allow": false},
	"0": {"host": "0.0.0.0", "class": "unspecified", "allow": false},
	"10.1.2.3": {"host": "10.1.2.3", "class": "private", "allow": false},
	"192.168.1.1": {"host": "192.168.1.1", "class": "private", "allow": false},
	"169.254.169.254": {"host": "169.254.169.254", "class": "metadata", "allow": false},
	"169.254.1.1": {"host": "169.254.1.1", "class": "link_local", "allow": false},
	"224.0.0.1": {"host": "224.0.0.1", "class": "multicast", "allow": false},
	"::1": {"host": "::1", "class": "loopback", "allow": false},
	"[::1]": {"host": "::1", "class": "loopback", "allow": false},
	"::": {"host": "::", "class": "unspecified", "allow": false},
	"fe80::1": {"host": "fe80::1", "class": "link_local", "allow": false},
	"fe80::1%eth0": {"host": "fe80::1", "class": "link_local", "allow": false},
	"::ffff:127.0.0.1": {"host": "127.0.0.1", "class": "loopback", "allow": false},
	"::ffff:169.254.169.254": {"host": "169.254.169.254", "class": "metadata", "allow": false},
	"64:ff9b::a9fe:a9fe": {"host": "64:ff9b::a9fe:a9fe", "class": "metadata", "allow": false},
	"fd00:ec2::254": {"host": "fd00:ec2::254", "class": "metadata", "allow": false},
	"fd12::1": {"host": "fd12::1", "class": "private", "allow": false},
	"metadata.google.internal.": {"host": "metadata.google.internal", "class": "metadata", "allow": false},
	"METADATA.google.internal": {"host": "metadata.google.internal", "class": "metadata", "allow": false},
	"1.2.3.4.5": {"host": "1.2.3.4.5", "class": "invalid", "allow": false},
	"256.1": {"host": "256.1", "class": "invalid", "allow": false},
	"a..b": {"host": "a..b", "class": "invalid", "allow": false},
}

tool(name, host, class) := {
	"agent": {
		"name": "fetcher", "version": "1.0.0", "digest": "sha256:3", "publisher": "key1", "tenant": "acme",
		"capabilities": {"tools": ["http_fetch", "email_send"], "hosts": ["*"]},
	},
	"call": "tool_call",
	"args": {"tool": name, "host": host, "address_class": class},
	"usage": {},
}

# host_case_failures are the rows whose decision differs from the table's.
host_case_failures contains raw if {
	some raw, c in host_cases
	case_decision(raw).allow != c.allow
}

# case_decision(raw) is the decision on a tool call to raw, as aios gives it to policy.
case_decision(raw) := d if {
	c := host_cases[raw]
	d := data.aios.system.decision with input as tool("http_fetch", c.host, c.class)
		with data.aios.config.grants as tool_grants
}

test_every_host_case if {
	host_case_failures == set()
}

# The spellings issue #8 found allowed or failing, each on its own.

test_localhost_trailing_dot_denied if not case_decision("localhost.").allow

test_zero_address_denied if not case_decision("0.0.0.0").allow

test_hex_loopback_denied if not case_decision("0x7f000001").allow

test_link_local_ipv6_denied if not case_decision("fe80::1").allow

test_metadata_name_trailing_dot_denied if not case_decision("metadata.google.internal.").allow

test_short_loopback_denied if not case_decision("127.1").allow

test_decimal_loopback_denied if not case_decision("2130706433").allow

test_public_name_allowed if case_decision("API.Example.COM.").allow

test_internal_reason_names_class if {
	d := data.aios.system.decision with input as tool("http_fetch", "127.0.0.1", "loopback")
		with data.aios.config.grants as tool_grants
	d.reason == `host "127.0.0.1" is internal (loopback); tools may not reach it`
}

test_internal_name_reason if {
	d := data.aios.system.decision with input as tool("http_fetch", "db.internal", "unresolved")
		with data.aios.config.grants as tool_grants
	d.reason == `host "db.internal" is internal (internal name); tools may not reach it`
}

test_missing_class_denied if {
	d := data.aios.system.decision with input as object.remove(tool("http_fetch", "api.example.com", ""), ["args"])
		with input.args as {"tool": "http_fetch", "host": "api.example.com"}
		with data.aios.config.grants as tool_grants
	not d.allow
	d.reason == `host "api.example.com" has no address class; tools may not reach it`
}

test_email_needs_confirmation if {
	d := data.aios.system.decision with input as tool("email_send", "smtp.example.com", "unresolved")
		with data.aios.config.grants as tool_grants
	d.allow
	d.obligations.confirm
	d.obligations.redact == ["body"]
}
