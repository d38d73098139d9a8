package aios.policy_test

grants := [{"agent": "*", "publisher": "", "tenant": "", "models": ["*"], "classes": ["*"]}]

# generate(tenant, own, tenant_total) is a generation by one process that has produced own
# output tokens, of a tenant whose processes have produced tenant_total together.
generate(tenant, own, tenant_total) := {
	"agent": {
		"name": "writer", "version": "1.0.0", "digest": "sha256:1", "publisher": "key1", "tenant": tenant,
		"capabilities": {"models": ["gpt-4o"]},
	},
	"call": "llm_generate",
	"args": {"model": "gpt-4o"},
	"usage": {"output_tokens": own},
	"tenant_usage": {"output_tokens": tenant_total},
}

test_free_tenant_capped if {
	d := data.aios.system.decision with input as generate("free", 10, 10) with data.aios.config.grants as grants
	d.allow
	d.obligations.max_tokens == 512
}

test_paying_tenant_not_capped if {
	d := data.aios.system.decision with input as generate("acme", 10, 10) with data.aios.config.grants as grants
	d.allow
	d.obligations.max_tokens == 0
}

test_free_budget_spent if {
	d := data.aios.system.decision with input as generate("free", 200000, 200000) with data.aios.config.grants as grants
	not d.allow
	d.reason == `tenant "free" has used its 200000 output tokens`
}

# Five replicas that have produced 40000 output tokens each have spent the tenant's budget
# together, though none has spent it alone.
test_five_replicas_share_one_budget if {
	d := data.aios.system.decision with input as generate("free", 40000, 5 * 40000) with data.aios.config.grants as grants
	not d.allow
	d.reason == `tenant "free" has used its 200000 output tokens`
}

test_replica_under_shared_budget_allowed if {
	d := data.aios.system.decision with input as generate("free", 40000, 4 * 40000) with data.aios.config.grants as grants
	d.allow
}
