"""per_file_ignores' glob index decides as a plain fnmatch over every entry would."""

from __future__ import annotations

import itertools

from nhilint.config.settings import Settings, _glob_match

PATTERNS = ["*.yaml", "agents/*", "agents/", "agents", "agents/x/*.json", "a?ents/*.yaml", "[ab]*/x.yaml",
            "team-7/**", "team-7", "deep/a/b/c.yaml", "*/x.yaml", "x.yaml", "agents/x", "**/mcp.json"]
PATHS = ["x.yaml", "agents/x.yaml", "agents/x/y.json", "agents/x/deep/y.yaml", "team-7/agent.yaml",
         "team-70/agent.yaml", "deep/a/b/c.yaml", "b/x.yaml", "c/x.yaml", ".cursor/mcp.json", "agentsx/y.yaml"]


def test_the_index_matches_every_entry_as_fnmatch_does() -> None:
    for count in (1, 3, len(PATTERNS)):
        for chosen in itertools.combinations(PATTERNS, count) if count < 3 else [PATTERNS[i::3] for i in range(3)]:
            entries = {pattern: (f"NHI{100 + i}",) for i, pattern in enumerate(chosen)}
            settings = Settings(rules={}, per_file_ignores=entries)
            for path, (pattern, ids) in itertools.product(PATHS, entries.items()):
                assert settings.ignores(ids[0], path) == _glob_match(path, (pattern,)), (path, pattern)
