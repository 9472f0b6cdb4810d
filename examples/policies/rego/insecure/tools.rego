# Which tools the support platform's AI agents may call: INSECURE on purpose.
# Each marked rule is a finding `nhilint lint` reports; fixed/ holds the repaired module.
package agents.support.tools

import rego.v1

# NHI701: while the tool catalogue was being built, everything was allowed by default.
default allow := true

# NHI703: an agent whose token carries the scope "*" may call any tool, including the
# ones added later.
allow if "*" in input.token.scopes

# NHI703 and NHI706: any tool the grant names, or every tool when the grant says "*";
# expiry is checked against the clock of whichever server evaluates the policy.
allow if {
	some grant in data.grants[input.agent.id]
	grant.tool == "*"
	token_fresh
}

# NHI702: a debugging shortcut that was never removed.
allow if {
	true
}

# NHI706, reached through allow: the decision depends on the clock.
token_fresh if time.now_ns() < input.token.expires_at_ns

# NHI704: the second decision, whether an agent may act for the user who delegated to
# it, has no default: it is undefined, not false, for every request no rule matches.
authorized if input.delegation.depth <= 1

# NHI705 (v0 syntax in a v1 module): the legacy ticket rule lacks `if`.
deny[msg] {
	input.tool.name == "delete_ticket"
	msg := "agents may not delete tickets"
}
