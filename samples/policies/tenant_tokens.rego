# Free-tenant token limits: generations are capped at 512 tokens, and stop once the tenant has
# produced 200000 output tokens. The budget is the tenant's, not each process's: aios gives
# policy input.tenant_usage, the usage of every process of the tenant together (replicas,
# exited ones included, since the kernel started), so five replicas share one budget.
package aios.policy

free_tenant := "free"

free_output_budget := 200000

obligations contains {"max_tokens": 512} if {
	input.call == "llm_generate"
	input.agent.tenant == free_tenant
}

deny contains sprintf("tenant %q has used its %d output tokens", [free_tenant, free_output_budget]) if {
	input.call == "llm_generate"
	input.agent.tenant == free_tenant
	input.tenant_usage.output_tokens >= free_output_budget
}
