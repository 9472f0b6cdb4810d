"""NHI0xx: problems with the input itself and with suppressions.

Sources and the engine report these (a file that cannot be read has no model for a check
to run over); the records here give them their metadata like any other rule.
"""

from nhilint.rules import reported

_HEAD = "apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n  name: support-agent\n"

RULES = (
    reported(
        id="NHI001", name="unparseable-file", category="input", severity="error",
        summary="The file is not valid YAML or JSON, so nothing in it was checked.",
        rationale="A file nhilint cannot parse is a file no rule has looked at: its identities and "
                  "grants are invisible to the gate, and the tools that consume it will fail too.",
        remediation="Fix the syntax error at the reported line and column.",
        bad=_HEAD + "  owner: [payments-team\n", good=_HEAD + "  owner: payments-team\n",
    ),
    reported(
        id="NHI002", name="schema-violation", category="input", severity="error",
        summary="An agent manifest breaks the manifest v1 schema (unknown key, wrong type, bad value).",
        rationale="A misspelled key (`tll:` for `ttl:`) silently drops the control it was meant to "
                  "declare; a value outside the allowed set means the manifest says something no "
                  "reader can act on.",
        remediation="Use the key names, types and values of schemas/agent-manifest.schema.json; "
                    "the message names the allowed choices. Extension keys start with `x-`.",
        bad=_HEAD + "credentials:\n  - name: api\n    tll: 15m\n",
        good=_HEAD + "credentials:\n  - name: api\n    ttl: 15m\n",
    ),
    reported(
        id="NHI003", name="unreadable-file", category="input", severity="error",
        summary="The file is binary, not UTF-8, larger than the size bound, nested too deep, "
                "or expands aliases beyond the bound.",
        rationale="Bounds keep a hostile or broken file (a 'billion laughs' alias bomb, a huge "
                  "generated file) from stalling the gate; the file is reported, not skipped "
                  "silently.",
        remediation="Save the file as UTF-8 text, split or exclude huge files, and remove "
                    "alias chains that multiply content.",
        bad='a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
            "# ... and so on, each level nine times the last\n",
        good="a: [x]\n",
    ),
    reported(
        id="NHI004", name="suppression-without-reason", category="input", severity="warning",
        summary="An inline suppression has no reason, so it suppresses nothing.",
        rationale="An exception nobody can justify later is an exception nobody can review; a "
                  "required reason makes every suppression auditable.",
        remediation="Write why the finding is acceptable after the rule list, and an expiry with "
                    "`-- until=YYYY-MM-DD` when it is temporary.",
        bad=_HEAD + "credentials:\n  - name: legacy  # nhilint: ignore[NHI201]\n",
        good=_HEAD + "credentials:\n"
        "  - name: legacy  # nhilint: ignore[NHI201] batch job retired in Q3 -- until=2027-03-31\n",
    ),
    reported(
        id="NHI005", name="expired-suppression", category="input", severity="warning",
        summary="An inline suppression's `until=` date has passed, so it no longer suppresses.",
        rationale="Temporary exceptions must end: the finding it hid is reported again, and this "
                  "finding says which exception ran out.",
        remediation="Fix the underlying finding, or renew the suppression with a new date and reason.",
        bad=_HEAD + "credentials:\n  - name: legacy  # nhilint: ignore[NHI201] migration -- until=2020-01-01\n",
        good=_HEAD + "credentials:\n  - name: legacy\n    ttl: 15m\n",
    ),
    reported(
        id="NHI006", name="unused-suppression", category="input", severity="info",
        summary="A suppression matches no finding.",
        rationale="A suppression left behind after its finding was fixed is a standing exemption "
                  "waiting for the next violation on that line to slip through unreviewed.",
        remediation="Delete the suppression (or the `x-nhilint-ignore` entry); it no longer hides "
                    "anything.",
        bad=_HEAD + "  owner: payments-team  # nhilint: ignore[NHI101] owner added later\n",
        good=_HEAD + "  owner: payments-team\n",
    ),
    reported(
        id="NHI007", name="invalid-suppression", category="input", severity="warning",
        summary="A suppression cannot be understood: no rule, an unknown rule, a bad `until` date, "
                "or a malformed `x-nhilint-ignore` entry.",
        rationale="A suppression that silently fails to parse either hides nothing (and the author "
                  "believes it does) or hides more than meant; both need a human to look.",
        remediation="Name rule ids or prefixes in the brackets (`ignore[NHI201]`), write dates as "
                    "YYYY-MM-DD, and give `x-nhilint-ignore` a list of `{rule, reason, until}`.",
        bad=_HEAD + "credentials:\n  - name: legacy  # nhilint: ignore[NHI201] migration -- until=next-week\n",
        good=_HEAD + "credentials:\n  - name: legacy  # nhilint: ignore[NHI201] migration -- until=2027-03-31\n",
    ),
)
