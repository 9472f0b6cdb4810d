"""Every `.rego` file of the real-world corpus, read in place: no NHI705 on a file regorus
(a Rego engine) accepts as v1 or as v0, and at most one NHI705 on any file.

regorus refuses some files OPA accepts (v0 rules with several bodies, `p[x] { } { }`,
where it says "else cannot be used with set rules"; an import after a rule), so on those
only the one-finding bound is checked.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import regorus

from nhilint.api import lint_paths
from tests.conftest import TODAY


def _regorus_accepts(text: str) -> bool:
    for v0 in (False, True):
        engine = regorus.Engine()
        engine.set_rego_v0(v0)
        try:
            engine.add_policy("policy.rego", text)
            return True
        except BaseException:
            continue
    return False


def test_no_parse_error_on_what_the_engine_accepts(shared_corpus: Path, monkeypatch) -> None:
    # A refusal captures a Rust backtrace when RUST_BACKTRACE is set: 8x slower, unread.
    monkeypatch.setenv("RUST_BACKTRACE", "0")
    files = sorted((shared_corpus / "realworld").rglob("*.rego"))
    assert files, f"no .rego file under {shared_corpus / 'realworld'}"
    findings = lint_paths([str(f) for f in files], today=TODAY).findings
    per_file = Counter(Path(f.location.path).resolve() for f in findings if f.rule == "NHI705")
    accepted = {f for f in files if _regorus_accepts(f.read_text(encoding="utf-8", errors="replace"))}
    assert len(accepted) > len(files) // 2, "regorus accepts too few files: is it installed right?"
    refused_yet_accepted = sorted(str(f) for f in accepted if per_file[f.resolve()])
    assert refused_yet_accepted == []
    assert [str(f) for f, count in per_file.items() if count > 1] == []
