"""The README and docs/ stay true: generated pages match the results, links
resolve, every command and option they name exists, the README stays short."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import click
import pytest

from hiprot.cli import cli

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import make_docs  # noqa: E402  (benchmarks/ is not a package)

#: The issue's limit for a README a newcomer reads top to bottom.
README_MAX_BYTES = 10_240

PAGES = [REPO / "README.md", REPO / "CHANGELOG.md", *sorted((REPO / "docs").glob("*.md"))]

# [text](target) and ![alt](target); the target ends at whitespace or ")".
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)[^)]*\)")
INLINE_CODE = re.compile(r"`([^`\n]+)`")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def relative_links(text: str) -> list[str]:
    links = []
    for target in LINK.findall(text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # a URL or an anchor on the same page
        links.append(target.split("#", 1)[0])
    return links


def test_generated_docs_match_the_results() -> None:
    stale = [
        str(path.relative_to(REPO))
        for path, text in make_docs.outputs().items()
        if not path.exists() or path.read_text() != text
    ]
    assert not stale, f"out of date: {stale}; run python benchmarks/make_docs.py"


def test_a_changed_result_changes_the_pages(tmp_path: Path, monkeypatch) -> None:
    # The drift check above is only worth something if the pages follow the JSON.
    results = tmp_path / "results"
    shutil.copytree(make_docs.RESULTS, results)
    path = results / "accuracy_pixels.json"
    data = json.loads(path.read_text())
    data["summary"]["compensation_precision"] = 0.123
    path.write_text(json.dumps(data))
    before = make_docs.outputs()
    monkeypatch.setattr(make_docs, "RESULTS", results)
    after = make_docs.outputs()
    for page in (make_docs.ACCURACY_MD, make_docs.README):
        assert before[page] != after[page]
        assert "0.12" in after[page]


def test_check_mode_fails_on_a_stale_page(tmp_path: Path, monkeypatch, capsys) -> None:
    page = tmp_path / "accuracy.md"
    page.write_text("stale\n")
    monkeypatch.setattr(make_docs, "ACCURACY_MD", page)
    assert make_docs.main(["--check"]) == 1
    assert "accuracy.md" in capsys.readouterr().err
    assert page.read_text() == "stale\n"  # --check never writes


def test_readme_is_short() -> None:
    size = len((REPO / "README.md").read_bytes())
    assert size <= README_MAX_BYTES, f"README.md is {size} bytes; move detail to docs/"


def test_readme_has_no_histories_of_numbers() -> None:
    text = (REPO / "README.md").read_text()
    assert not re.search(r"\bbefore\b[^.\n]*\d", text), "no '(X before Y)' asides"
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text), "no dates"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_resolve(page: Path) -> None:
    missing = [
        target for target in relative_links(page.read_text()) if not (page.parent / target).exists()
    ]
    assert not missing, f"{page.name} links to missing files: {missing}"


def test_link_finder_sees_links_and_images() -> None:
    text = 'see [a](docs/a.md#x), ![b](img/b.png "t"), [c](https://x.org), [d](#top)'
    assert relative_links(text) == ["docs/a.md", "img/b.png"]


def _options(command: click.Command) -> set[str]:
    # --help is click's own, not among the command's params.
    opts = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    return opts | {"--help", "-h"}


def named_commands(text: str) -> list[str]:
    """Every `hiprot ...` invocation: in inline code and in shell blocks."""
    spans = INLINE_CODE.findall(FENCE.sub("", text))
    for block in FENCE.findall(text):
        spans += [part for line in block.splitlines() for part in line.split("&&")]
    out = []
    for span in spans:
        match = re.search(r"(?:^|\s|/)hiprot\s+(.*)", span.strip())
        if match:
            out.append(match.group(1))
    return out


def unknown_names(text: str) -> list[str]:
    """Commands and options a page names that the `hiprot` CLI does not have."""
    problems = []
    for invocation in named_commands(text):
        words = invocation.split()
        name = words[0]
        if name.isupper():
            continue  # a placeholder: `hiprot COMMAND --help`
        if name not in cli.commands:
            problems.append(f"hiprot {name}")
            continue
        options = {w.split("=")[0] for w in words[1:] if w.startswith("-")}
        problems += [f"hiprot {name} {o}" for o in sorted(options - _options(cli.commands[name]))]
    # Options named on their own (`--mode left`, `--no-window`) must belong
    # to some hiprot command.
    known = set().union(*(_options(c) for c in cli.commands.values()))
    for span in INLINE_CODE.findall(FENCE.sub("", text)):
        problems += [o for o in re.findall(r"(?<![\w-])--[a-z][a-z-]*", span) if o not in known]
    return problems


DOCS_WITH_COMMANDS = [REPO / "README.md", REPO / "docs" / "commands.md"]


@pytest.mark.parametrize("page", DOCS_WITH_COMMANDS, ids=lambda p: p.name)
def test_named_commands_and_options_exist(page: Path) -> None:
    text = page.read_text()
    assert named_commands(text), "the page names no hiprot command"
    assert not unknown_names(text), f"{page.name} names what hiprot lacks"


def test_name_checker_catches_wrong_names() -> None:
    text = (
        "run `hiprot revue x.mp4`, then `--no-windw`\n"
        "```sh\na && .venv/bin/hiprot live --quiet --loud\n```\n"
        "`hiprot COMMAND --help` and `hiprot review f.mp4 --mode left`"
    )
    assert unknown_names(text) == ["hiprot revue", "hiprot live --loud", "--no-windw"]


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    block = next(b for b in FENCE.findall(readme) if "pytest" in b)
    steps = [s.strip() for line in block.splitlines()[1:-1] for s in line.split("&&")]
    python_steps = [s for s in steps if s.startswith(("python3", ".venv/"))]
    assert len(python_steps) == 5  # venv, install, the heavy model, ruff, pytest
    ci_lines = [line.strip() for line in ci.splitlines()]
    for step in python_steps:
        assert step in ci_lines, f".ci/run does not run: {step}"
