# Model classes: agents without a publisher signature may not use large models, and the
# "edu" tenant runs on local cores only.
package aios.policy

deny contains sprintf("unsigned agent %q may not use large models", [input.agent.name]) if {
	input.call == "llm_generate"
	input.args.class == "large"
	input.agent.publisher == ""
}

obligations contains {"core_class": "local"} if {
	input.call == "llm_generate"
	input.agent.tenant == "edu"
}
