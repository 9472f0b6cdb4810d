"""The `nhilint` command: flags -> api -> reporter -> exit code. No logic lives here.

Exit codes: 0 nothing at or above the failure threshold; 1 findings (or failed
scenarios); 2 usage or configuration error; 3 internal error (a bug).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

import click

from nhilint import __version__
from nhilint.reporters import LINT_FORMATS

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
SEVERITIES = ("error", "warning", "info")


def _use_color(stream: Any) -> bool:
    # https://no-color.org: a non-empty NO_COLOR turns colour off whatever the stream.
    return not os.environ.get("NO_COLOR") and hasattr(stream, "isatty") and stream.isatty()


def guarded(func: Callable[..., int]) -> Callable[..., None]:
    """Run a command body; turn a bug into exit 3 with one line (traceback with --debug)."""

    def wrapper(*args: Any, **kwargs: Any) -> None:
        debug = kwargs.pop("debug", False)
        try:
            code = func(*args, **kwargs)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence, by design
            if debug:
                traceback.print_exc()
            else:
                from nhilint.api import mask_text  # an exception's text may quote the input

                click.echo(f"nhilint: internal error: {type(exc).__name__}: {mask_text(str(exc))}. This is a bug; "
                           "please report it with the output of --debug.", err=True)
            sys.exit(EXIT_INTERNAL)
        sys.exit(code)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return click.option("--debug", is_flag=True, help="Show a Python traceback on internal errors.")(wrapper)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="nhilint")
def main() -> None:
    """Lint and test the non-human identities AI agents act through.

    \b
    nhilint lint [PATHS]     check agent manifests and policies against the ruleset
    nhilint rules            list the rules
    nhilint explain NHI201   what a rule checks, why, and how to fix it
    nhilint test [PATHS]     run policy scenario tests (*.nhitest.yaml) and Rego test_* rules
    nhilint init             write a commented .nhilint.yaml and the pre-commit hook
    nhilint config [PATH]    the configuration that applies, and where each value came from
    nhilint baseline -o F    record today's findings so only new ones fail the gate

    Exit codes: 0 clean, 1 findings, 2 usage or configuration error, 3 internal error.
    """


_config_option = click.option(
    "--config", "config_file", type=click.Path(dir_okay=False), default=None,
    help="Use this configuration file for every path, instead of each project's nearest "
         ".nhilint.yaml or [tool.nhilint].")


def _rule_list(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    # flake8 and ruff take `--select NHI2,NHI4` as well as `--select NHI2 --select NHI4`
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())


_SELECTION_OPTIONS = (
    click.option("--select", multiple=True, callback=_rule_list, metavar="RULES",
                 help="Check only these rules, instead of the configuration's choice: ids "
                      "(NHI202), id prefixes (NHI2) or names, comma-separated, repeatable. "
                      "Unreadable files are still reported."),
    click.option("--extend-select", multiple=True, callback=_rule_list, metavar="RULES",
                 help="Also check these rules, on top of the configuration's choice."),
    click.option("--ignore", multiple=True, callback=_rule_list, metavar="RULES",
                 help="Do not check these rules (applied after --select and --extend-select)."),
)


def _selection_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--select, --extend-select and --ignore, passed to the command as one `selection`."""

    @functools.wraps(command)
    def wrapper(*args: Any, select: tuple[str, ...], extend_select: tuple[str, ...],
                ignore: tuple[str, ...], **kwargs: Any) -> Any:
        from nhilint.api import Selection

        return command(*args, selection=Selection(select or None, extend_select, ignore), **kwargs)

    for option in reversed(_SELECTION_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


_exclude_option = click.option(
    "--exclude", multiple=True, metavar="GLOB",
    help="Do not read files matching GLOB (relative to the working directory; repeatable), "
         "besides the configuration's exclude.")

_follow_symlinks_option = click.option(
    "--follow-symlinks", is_flag=True,
    help="Read symlinked files whose target is outside the linted tree too (by default they are "
         "skipped: a pull request could point one at /etc/shadow). Symlinked folders are never walked.")


def _configuration(config_file: str | None, fail_on: str | None = None,
                   inline_ignores: bool = True, selection: Any = None,
                   exclude: tuple[str, ...] = (), follow_symlinks: bool = False) -> Any:
    from nhilint.api import Configuration, Selection, Severity

    return Configuration(config_file=config_file, fail_on=Severity(fail_on) if fail_on else None,
                         inline_ignores=inline_ignores, selection=selection or Selection(),
                         exclude=exclude, follow_symlinks=follow_symlinks)


class _UsageExit(click.ClickException):
    """A configuration or baseline problem: its lines (each naming a file and line), exit 2."""

    exit_code = EXIT_USAGE

    def show(self, file: Any = None) -> None:
        for line in self.message.splitlines():
            click.echo(f"nhilint: {line}", err=True)


@contextlib.contextmanager
def _usage_errors() -> Iterator[None]:
    from nhilint.api import BaselineError, ConfigError, SelectionError

    try:
        yield
    except (ConfigError, BaselineError) as exc:
        raise _UsageExit(str(exc)) from None
    except SelectionError as exc:
        raise click.BadParameter(str(exc), ctx=click.get_current_context(silent=True),
                                 param_hint=f"'{exc.option}'") from None


def _known_rules(config_file: str | None) -> dict[str, Any]:
    """Every rule, with the custom rules of the configuration for the current directory."""
    from nhilint.api import rules

    with _usage_errors():
        return rules(_configuration(config_file))


def emit_report(report: str, output_file: str | None, output_format: str, summary: str) -> None:
    """Print the report, or write it to `output_file` and print the one-line summary."""
    if output_file is None:
        click.echo(report, nl=False)
        return
    try:
        with open(output_file, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(report)
    except OSError as exc:
        raise click.BadParameter(f"cannot write {output_file}: {exc.strerror or exc}",
                                 param_hint="--output") from exc
    click.echo(f"nhilint: {summary}; {output_format} report written to {output_file}")


def write_report(output_format: str, result: Any, output_file: str | None) -> None:
    """The lint report in `output_format`: coloured only as text on a terminal, with paths
    relative to the repository root where the format needs them (SARIF, GitHub)."""
    from nhilint.api import repository_offset
    from nhilint.reporters import RenderOptions, render
    from nhilint.reporters.text import summary_line

    color = output_format == "text" and output_file is None and _use_color(sys.stdout)
    report = render(output_format, result, RenderOptions(color=color, root=repository_offset()))
    emit_report(report, output_file, output_format, summary_line(result))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "-f", "output_format", default="text", show_default=True,
              type=click.Choice(list(LINT_FORMATS)), help="Output format.")
@click.option("--output", "-o", "output_file", type=click.Path(dir_okay=False, writable=True),
              default=None, help="Write the report to this file; the terminal gets a one-line summary.")
@click.option("--project-context", is_flag=True,
              help="Read the rest of each named file's project (nearest .nhilint.yaml, "
                   "pyproject.toml or .git) so cross-file rules see it; report only on the named "
                   "files. The pre-commit hook sets it.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
              help="Lowest severity that makes the run fail (exit 1). Default: the "
                   "configuration's fail_on, else warning.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="Judge expiry dates as of this day (for reproducible runs).")
@_config_option
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), default=None,
              help="Report only findings this baseline file (from `nhilint baseline`) does not "
                   "accept.")
@click.option("--no-inline-ignores", is_flag=True,
              help="Ignore inline and x-nhilint-ignore suppressions (for gates that forbid "
                   "self-exemption); the configuration's per_file_ignores still apply.")
@_exclude_option
@_follow_symlinks_option
@click.option("--list-files", "--show-files", "list_files", is_flag=True,
              help="List each file with the format it is read as, and each file skipped and "
                   "why; lint nothing (exit 0).")
@_selection_options
@guarded
def lint(paths: tuple[str, ...], output_format: str, output_file: str | None,
         project_context: bool, fail_on: str | None, today: dt.datetime | None,
         config_file: str | None, baseline_file: str | None, no_inline_ignores: bool,
         exclude: tuple[str, ...], follow_symlinks: bool, list_files: bool, selection: Any) -> int:
    """Check agent manifests, MCP configs and policies under PATHS (default: the current directory).

    Directories are walked (hidden ones such as .vscode/ and .cursor/ included; .git,
    virtual environments and node_modules skipped). Each file's format is recognised by
    its name and content. Findings name the file, line, rule and fix.
    """
    from nhilint.api import lint_paths, mask_text
    from nhilint.api import list_files as listing

    configuration = _configuration(config_file, fail_on, not no_inline_ignores, selection, exclude,
                                   follow_symlinks)
    with _usage_errors():
        if list_files:
            result = listing(paths or (".",), configuration, project_context)
        else:
            result = lint_paths(paths or (".",), configuration, today.date() if today else None,
                                project_context=project_context, baseline=baseline_file)
    for missing in result.missing_paths:
        click.echo(f"nhilint: path not found: {mask_text(missing)}", err=True)
    if result.missing_paths and not result.outcomes:
        return EXIT_USAGE
    if list_files:
        from nhilint.reporters.text import file_list

        click.echo(file_list(result), nl=False)
        return EXIT_OK
    write_report(output_format, result, output_file)
    return EXIT_FINDINGS if result.fails(configuration.threshold()) else EXIT_OK


@main.command()
@click.option("--format", "-f", "output_format", default="text", show_default=True,
              type=click.Choice(["text", "markdown", "json"]),
              help="Output format; json is one document with every rule's full metadata.")
@_config_option
@guarded
def rules(output_format: str, config_file: str | None) -> int:
    """List every rule: id, name, category and default severity.

    Custom rules of the configuration (--config, or the nearest .nhilint.yaml) are listed too.
    `--format json` gives each rule's full record: summary, rationale, remediation,
    parameters with their defaults, references.
    """
    from tabulate import tabulate

    from nhilint.api import rule_catalogue

    known = _known_rules(config_file)
    if output_format in ("markdown", "json"):
        click.echo(rule_catalogue(known.values(), output_format), nl=False)
        return EXIT_OK
    rows = [(r.id, r.name, r.category, r.severity.value, r.summary) for r in known.values()]
    click.echo(tabulate(rows, headers=["id", "name", "category", "severity", "summary"],
                        tablefmt="simple", maxcolwidths=[None, None, None, None, 60]))
    return EXIT_OK


@main.command()
@click.argument("rule")
@_config_option
@guarded
def explain(rule: str, config_file: str | None) -> int:
    """Explain RULE (an id such as NHI201, or a name such as credential-without-ttl).

    Custom rules of the configuration (--config, or the nearest .nhilint.yaml) are known too.
    """
    from nhilint.api import explain_rule as render_explanation

    known = _known_rules(config_file)
    found = known.get(rule.upper()) or next((r for r in known.values() if r.name == rule), None)
    if found is None:
        raise click.BadParameter(f"no rule '{rule}'; `nhilint rules` lists them", param_hint="RULE")
    click.echo(render_explanation(found), nl=False)
    return EXIT_OK


@main.command("config")
@click.argument("path", required=False, default=".", type=click.Path())
@_config_option
@click.option("--format", "-f", "output_format", default="text", show_default=True,
              type=click.Choice(["text", "json"]), help="Output format.")
@_selection_options
@guarded
def config_command(path: str, config_file: str | None, output_format: str, selection: Any) -> int:
    """Show the configuration that applies to PATH (default: the current directory): each
    rule's state, severity and parameters, and the file and line each value came from."""
    import json

    from nhilint.api import configuration_data, configuration_text

    configuration = _configuration(config_file, selection=selection)
    directory = Path(path) if Path(path).is_dir() else Path(path).parent
    with _usage_errors():
        data = configuration_data(configuration, directory)
    click.echo(json.dumps(data, indent=2, sort_keys=True) if output_format == "json"
               else configuration_text(data), nl=output_format == "json")
    return EXIT_OK


@main.command("baseline")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--output", "-o", "output_file", required=True, type=click.Path(dir_okay=False),
              help="The baseline file to write (JSON).")
@_config_option
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="Judge expiry dates as of this day.")
@_exclude_option
@_follow_symlinks_option
@_selection_options
@guarded
def baseline_command(paths: tuple[str, ...], output_file: str, config_file: str | None,
                     today: dt.datetime | None, exclude: tuple[str, ...], follow_symlinks: bool,
                     selection: Any) -> int:
    """Record today's findings under PATHS so `nhilint lint --baseline FILE` reports only new ones.

    Findings are fingerprinted by content (rule, file, identity, what the finding is about
    and the text it points at), not by line: moving code keeps them accepted, and a new
    violation anywhere is reported.
    """
    from nhilint.api import baseline_text, lint_paths, mask_text

    with _usage_errors():
        result = lint_paths(paths or (".",), _configuration(config_file, selection=selection, exclude=exclude,
                                                            follow_symlinks=follow_symlinks),
                            today.date() if today else None)
    for missing in result.missing_paths:
        click.echo(f"nhilint: path not found: {mask_text(missing)}", err=True)
    if result.missing_paths and not result.outcomes:
        return EXIT_USAGE
    try:
        Path(output_file).write_text(baseline_text(result.findings), encoding="utf-8")
    except OSError as exc:
        raise click.BadParameter(f"cannot write {output_file}: {exc.strerror or exc}",
                                 param_hint="--output") from exc
    accepted = sum(1 for f in result.findings if f.suppressed is None)
    click.echo(f"nhilint: {accepted} finding{'' if accepted == 1 else 's'} in "
               f"{result.checked_files()} files written to {output_file}")
    return EXIT_OK


# The progress line of long `nhilint test` runs: on stderr, only when stderr is a terminal
# and not in CI, once a run has taken a second, redrawn at most ten times a second, erased
# when the run ends, so neither reports nor logs ever contain it.
_PROGRESS_DELAY = 1.0  # seconds before the line appears: short runs never show it
_PROGRESS_INTERVAL = 0.1


@contextlib.contextmanager
def terminal_progress(stream: TextIO) -> Iterator[Callable[[int, int], None] | None]:
    """A progress(done, total) callback drawing on `stream`, or None where it must not draw."""
    if not stream.isatty() or os.environ.get("CI"):
        yield None
        return
    started = time.monotonic()
    drawn_at, width = 0.0, 0  # when last drawn, and the width drawn

    def progress(done: int, total: int) -> None:
        nonlocal drawn_at, width
        now = time.monotonic()
        if now - started < _PROGRESS_DELAY or (now - drawn_at < _PROGRESS_INTERVAL and done < total):
            return
        line = f"nhilint test: {done}/{total} Rego tests"
        stream.write("\r" + line.ljust(width))
        stream.flush()
        drawn_at, width = now, len(line)

    try:
        yield progress
    finally:
        if width:
            stream.write("\r" + " " * width + "\r")
            stream.flush()


@main.command("test")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "-f", "output_format", default="text", show_default=True,
              type=click.Choice(["text", "json", "junit"]), help="Output format.")
@click.option("--output", "-o", "output_file", type=click.Path(dir_okay=False), default=None,
              help="Write the report to this file (e.g. JUnit XML for CI); print the summary line.")
@click.option("--coverage", "with_coverage", is_flag=True,
              help="Report the Cedar policies that decided no scenario and the Rego lines never evaluated.")
@click.option("--min-coverage", type=click.FloatRange(0, 100), default=None, metavar="PCT",
              help="Fail (exit 1) when coverage is below PCT percent; implies --coverage.")
@click.option("--verbose", "-v", is_flag=True, help="List the scenarios that passed too.")
@click.option("--timeout", type=click.FloatRange(min=0), default=5.0, show_default=True, metavar="SECONDS",
              help="Stop a Rego test rule after this long (an ERROR); 0: no limit.")
@guarded
def test_command(paths: tuple[str, ...], output_format: str, output_file: str | None,
                 with_coverage: bool, min_coverage: float | None, verbose: bool, timeout: float) -> int:
    """Run the scenario files (*.nhitest.yaml) and Rego test rules (*_test.rego) under PATHS.

    Cedar scenarios run through cedarpy (one batch per policy set), Rego through regorus;
    `test_*` rules run as `opa test` runs them. Exit 0 all passed, 1 a failure or an error
    (or coverage below --min-coverage), 2 a bad scenario file or path.
    """
    from nhilint.api import run_tests
    from nhilint.reporters import RenderOptions, render_test_run

    with terminal_progress(sys.stderr) as progress:
        run, work = run_tests(paths or (".",), with_coverage or min_coverage is not None, timeout, progress)
    for error in work.usage_errors():
        click.echo(f"nhilint: {error}", err=True)  # masked by usage_errors
    if work.usage_errors():
        return EXIT_USAGE
    color = output_format == "text" and output_file is None and _use_color(sys.stdout)
    report = render_test_run(output_format, run, RenderOptions(color=color, verbose=verbose))
    emit_report(report, output_file, output_format, run.summary_line())
    percent = run.coverage.percent if run.coverage is not None else None
    below = min_coverage is not None and percent is not None and percent < min_coverage
    if below:
        click.echo(f"nhilint: coverage {percent:.1f}% is below --min-coverage {min_coverage:g}%", err=True)
    return EXIT_OK if run.ok and not below else EXIT_FINDINGS


@main.command()
@click.argument("directory", default=".", type=click.Path(exists=True, file_okay=False))
@click.option("--pre-commit/--no-pre-commit", "pre_commit", default=True, show_default=True,
              help="Also set up the pre-commit hook.")
@guarded
def init(directory: str, pre_commit: bool) -> int:
    """Start using nhilint in DIRECTORY: a commented .nhilint.yaml and a pre-commit hook.

    Existing files are never overwritten: with a .nhilint.yaml already there nothing is
    written (exit 2); with a .pre-commit-config.yaml already there, the lines to add to it
    are printed instead.
    """
    from nhilint.api import initialize

    outcome = initialize(Path(directory), pre_commit)
    for path in outcome.written:
        click.echo(f"wrote {path}")
    if not outcome.written:
        click.echo(f"nhilint: {outcome.refused[0]} already exists; nhilint init does not overwrite "
                   "it (edit it, or remove it first)", err=True)
        return EXIT_USAGE
    if outcome.pre_commit_snippet:
        click.echo(f"{outcome.refused[0]} already exists; add this under its `repos:`:\n\n"
                   f"{outcome.pre_commit_snippet}")
    return EXIT_OK
