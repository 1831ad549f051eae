"""docs/RULES.md stays true: every check it names exists."""

import re
import tomllib
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RULES_PAGE = (PROJECT_ROOT / "docs" / "RULES.md").read_text(encoding="utf-8")
AGENTS_GUIDE = (PROJECT_ROOT / "AGENTS.md").read_text(encoding="utf-8")
RULE_WORD = re.compile(r"\b(never|only|always|must)\b", re.IGNORECASE)
RULE_ID = re.compile(r"\bR\d+\.\d+\b")


def _test_names() -> set[str]:
    pattern = re.compile(r"^(?:async )?def (test_\w+)", re.MULTILINE)
    return {
        name
        for path in (PROJECT_ROOT / "tests").glob("test_*.py")
        for name in pattern.findall(path.read_text(encoding="utf-8"))
    }


def test_every_house_rule_has_a_row() -> None:
    rows = re.findall(r"^\| (R\d+) \|", RULES_PAGE, flags=re.MULTILINE)
    assert rows == [f"R{number}" for number in range(1, 11)]


def test_every_test_the_page_names_exists() -> None:
    named = set(re.findall(r"`(test_\w+)`", RULES_PAGE))
    missing = named - _test_names()
    assert named
    assert not missing, f"docs/RULES.md names tests that do not exist: {sorted(missing)}"


def test_every_import_contract_is_an_r1_contract() -> None:
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = [contract["name"] for contract in pyproject["tool"]["importlinter"]["contracts"]]
    assert contracts
    assert all(name.startswith("R1 layers: ") for name in contracts)


def _sentences(markdown: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", " ".join(markdown.split()))


def test_every_rule_agents_md_states_has_a_check_or_a_review_reason() -> None:
    untagged = [
        sentence
        for sentence in _sentences(AGENTS_GUIDE)
        if RULE_WORD.search(sentence) and not RULE_ID.search(sentence)
    ]
    listed = set(re.findall(r"^\| (R\d+\.\d+) \|", RULES_PAGE, flags=re.MULTILINE))
    unlisted = sorted(set(RULE_ID.findall(AGENTS_GUIDE)) - listed)
    assert not untagged, (
        f"R10 tests embody the rules: AGENTS.md states rules without an id: {untagged}. "
        "Give each the id of its row in docs/RULES.md: a check that fails the build, or a "
        "review rule with the reason no tool can decide it."
    )
    assert not unlisted, (
        f"R10 tests embody the rules: AGENTS.md cites {unlisted}, which docs/RULES.md does not "
        "list. Add each with its check, or as a review rule with its reason."
    )
