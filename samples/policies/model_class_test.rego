package aios.policy_test

class_grants := [{"agent": "*", "publisher": "", "tenant": "", "classes": ["small", "large"]}]

generate_class(publisher, tenant, class) := {
	"agent": {
		"name": "tutor", "version": "0.1.0", "digest": "sha256:2", "publisher": publisher, "tenant": tenant,
		"capabilities": {"classes": ["small", "large"]},
	},
	"call": "llm_generate",
	"args": {"class": class},
	"usage": {},
}

test_unsigned_large_denied if {
	d := data.aios.system.decision with input as generate_class("", "acme", "large")
		with data.aios.config.grants as class_grants
	not d.allow
	d.reason == `unsigned agent "tutor" may not use large models`
}

test_unsigned_small_allowed if {
	d := data.aios.system.decision with input as generate_class("", "acme", "small")
		with data.aios.config.grants as class_grants
	d.allow
}

test_signed_large_allowed if {
	d := data.aios.system.decision with input as generate_class("key1", "acme", "large")
		with data.aios.config.grants as class_grants
	d.allow
	d.obligations.core_class == ""
}

test_edu_pinned_to_local if {
	d := data.aios.system.decision with input as generate_class("key1", "edu", "small")
		with data.aios.config.grants as class_grants
	d.allow
	d.obligations.core_class == "local"
}
