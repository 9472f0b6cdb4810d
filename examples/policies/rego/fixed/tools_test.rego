# Unit tests of fixed/tools.rego, run by `nhilint test` (and by `opa test`).
package agents.support.tools_test

import rego.v1

import data.agents.support.tools

registry := {"agents": [{"id": "triage-bot"}, {"id": "refund-bot"}]}

grants := {"triage-bot": [{"tool": "label_ticket", "actions": ["write"]}]}

request := {
	"agent": {"id": "triage-bot", "queue": "billing"},
	"tool": {"name": "label_ticket", "risk": "low"},
	"action": "write",
	"resource": "queues/billing/4711",
	"token": {"scopes": ["tools:label_ticket"], "expires_at_ns": 2000},
	"now_ns": 1000,
}

test_granted_tool_is_allowed if {
	tools.allow with input as request with data.registry as registry with data.grants as grants
}

test_unregistered_agent_is_refused if {
	not tools.allow with input as object.union(request, {"agent": {"id": "rogue-bot", "queue": "billing"}})
		with data.registry as registry
		with data.grants as grants
}

test_expired_token_is_refused if {
	not tools.allow with input as object.union(request, {"now_ns": 3000})
		with data.registry as registry
		with data.grants as grants
}

test_missing_scope_is_refused if {
	token := {"scopes": ["tools:read_ticket"], "expires_at_ns": 2000}
	not tools.allow with input as object.union(request, {"token": token})
		with data.registry as registry
		with data.grants as grants
}

test_wildcard_scope_grants_nothing if {
	token := {"scopes": ["*"], "expires_at_ns": 2000}
	not tools.allow with input as object.union(request, {"token": token})
		with data.registry as registry
		with data.grants as grants
}

test_own_queue_ticket_is_readable if {
	read := object.union(request, {"tool": {"name": "read_ticket", "risk": "low"}, "action": "read"})
	tools.allow with input as read with data.registry as registry with data.grants as grants
}

test_other_queue_ticket_is_refused if {
	read := object.union(request, {
		"tool": {"name": "read_ticket", "risk": "low"},
		"action": "read",
		"resource": "queues/payroll/1",
	})
	not tools.allow with input as read with data.registry as registry with data.grants as grants
}

test_high_risk_tool_escalates if {
	risky := object.union(request, {"tool": {"name": "refund", "risk": "high"}})
	tools.escalate with input as risky
}

test_direct_attenuated_delegation_is_authorized if {
	tools.authorized with input as {"delegation": {"depth": 1, "attenuation": "subset"}}
}

test_unattenuated_delegation_is_refused if {
	not tools.authorized with input as {"delegation": {"depth": 1, "attenuation": "none"}}
}

test_delete_is_denied if {
	tools.deny["agents may not delete tickets"] with input as object.union(request, {"tool": {"name": "delete_ticket", "risk": "low"}})
}
