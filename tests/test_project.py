"""Project hygiene: the conda and pip dependency lists agree; notebooks are thin and carry no data."""
import re
import tomllib

import nbformat
import yaml

from pipeline.paths import NOTEBOOKS_DIR, PROJECT_ROOT
from pipeline.runner import CHAPTERS, KERNEL_NAME


def normalise(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).lower()


def test_environment_yml_lists_the_same_pins_as_pyproject():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    pip_pins = {normalise(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    environment = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert {normalise(r) for r in pip_section} == pip_pins
    assert "python=3.11" in environment["dependencies"]


def test_every_chapter_is_thin_parameterised_and_carries_only_checked_outputs():
    notebooks = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    assert [p.name for p in notebooks] == sorted(CHAPTERS.values())
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        assert notebook.metadata.kernelspec.name == KERNEL_NAME
        code = [c for c in notebook.cells if c.cell_type == "code"]
        tags = [set(c.metadata.get("tags", [])) for c in code]
        assert sum("parameters" in t for t in tags) == 1, path.name
        assert any("nbval-check-output" in t for t in tags), path.name
        for cell, cell_tags in zip(code, tags):
            if "nbval-check-output" not in cell_tags:
                assert cell.outputs == [], f"{path.name}: outputs outside the checked summary cells"
            assert len(cell.source.splitlines()) <= 12, f"{path.name}: logic belongs in pipeline/"
            assert not re.search(r"^\s*(def|class) ", cell.source, re.M), f"{path.name}: define functions in pipeline/"


def test_readme_names_the_two_commands_and_ci_runs_the_test_command():
    readme = (PROJECT_ROOT / "README.md").read_text()
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert "python run_assessment.py" in readme
    assert "python -m pytest --nbval-lax" in readme and "python -m pytest --nbval-lax" in ci
