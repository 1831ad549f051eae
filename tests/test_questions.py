"""cookiecutter.json, the hooks and the test helpers agree on the questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from hooks import pre_gen_project
from scripts.template import questions
from tests.baking import bake_project


def test_bake_refuses_an_answer_to_a_question_that_does_not_exist(tmp_path: Path) -> None:
    # cookiecutter ignores unknown keys; every test bakes through this check.
    with pytest.raises(ValueError, match="projct_name"):
        bake_project(tmp_path, projct_name="Typo")
    assert not any(tmp_path.iterdir())


def test_every_question_has_a_prompt() -> None:
    asked = questions()
    prompts = asked["__prompts__"]
    assert isinstance(prompts, dict)
    assert set(prompts) == {key for key in asked if not key.startswith("_")}


def test_the_hook_accepts_exactly_the_offered_python_versions() -> None:
    assert list(pre_gen_project.SUPPORTED_PYTHONS) == questions()["python_version"]


def test_the_hook_accepts_exactly_the_offered_options() -> None:
    asked = questions()
    assert list(pre_gen_project.CI_PROVIDERS) == asked["ci"]
    assert list(pre_gen_project.AUTH_MODES) == asked["auth"]
    for flag in ("use_docker", "use_kubernetes"):
        choices = asked[flag]
        assert isinstance(choices, list)
        assert set(pre_gen_project.YES_NO) == set(choices)
