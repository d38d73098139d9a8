package aios.policy_test

grants := [{"agent": "*", "publisher": "", "tenant": "", "models": ["*"], "classes": ["*"]}]

generate(tenant, output_tokens) := {
	"agent": {
		"name": "writer", "version": "1.0.0", "digest": "sha256:1", "publisher": "key1", "tenant": tenant,
		"capabilities": {"models": ["gpt-4o"]},
	},
	"call": "llm_generate",
	"args": {"model": "gpt-4o"},
	"usage": {"output_tokens": output_tokens},
}

test_free_tenant_capped if {
	d := data.aios.system.decision with input as generate("free", 10) with data.aios.config.grants as grants
	d.allow
	d.obligations.max_tokens == 512
}

test_paying_tenant_not_capped if {
	d := data.aios.system.decision with input as generate("acme", 10) with data.aios.config.grants as grants
	d.allow
	d.obligations.max_tokens == 0
}

test_free_budget_spent if {
	d := data.aios.system.decision with input as generate("free", 200000) with data.aios.config.grants as grants
	not d.allow
	d.reason == `tenant "free" has used its 200000 output tokens`
}
