# Which tools the support platform's AI agents may call: deny by default, allow the
# tools each registered agent was granted, for requests within the grant's scopes, with
# the request time and token expiry passed in the input (a replayable decision).
package agents.support.tools

import rego.v1

default allow := false

default authorized := false

default escalate := false

# A registered agent may call a tool its grant names, for an action the grant lists,
# while its token is unexpired at the request time.
allow if {
	registered
	some grant in data.grants[input.agent.id]
	grant.tool == input.tool.name
	input.action in grant.actions
	required_scope(input.tool.name) in input.token.scopes
	token_fresh
}

# Ticket reads are open to every registered agent, for tickets of its own queue.
allow if {
	registered
	input.tool.name == "read_ticket"
	glob.match(sprintf("queues/%s/*", [input.agent.queue]), ["/"], input.resource)
}

# An agent may act for the user who delegated to it directly, with narrowed scopes.
authorized if {
	input.delegation.depth <= 1
	input.delegation.attenuation == "subset"
}

# A high-risk tool call needs a human's approval before it runs.
escalate if input.tool.risk == "high"

registered if input.agent.id in {agent.id | some agent in data.registry.agents}

token_fresh if input.now_ns < input.token.expires_at_ns

required_scope(tool) := sprintf("tools:%s", [tool])

deny contains msg if {
	input.tool.name == "delete_ticket"
	msg := "agents may not delete tickets"
}
