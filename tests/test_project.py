"""Project hygiene: the conda and pip dependency lists agree; the README's commands are the ones CI runs."""
import re
import tomllib

import yaml

from pipeline.paths import PROJECT_ROOT


def normalise(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).lower()


def test_environment_yml_lists_the_same_pins_as_pyproject():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    pip_pins = {normalise(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    environment = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert {normalise(r) for r in pip_section} == pip_pins
    python = next(d for d in environment["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert project["requires-python"] == ">=3.11,<3.14" and python == "python" + project["requires-python"]


def test_readme_names_the_two_commands_and_ci_runs_the_test_command():
    readme = (PROJECT_ROOT / "README.md").read_text()
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert "python run_assessment.py" in readme and "python3 -m venv .venv" in readme and "python3.11" not in readme
    assert "python -m pytest --nbval-lax" in readme and "python -m pytest --nbval-lax" in ci
    for version in ("3.12", "3.13"):
        assert version in ci  # CI runs a quick subset on the other supported Pythons
