"""The shape of the code: one contract for every chapter, layers whose imports point one way, small
modules. Each registered chapter has a module with build and findings, a thin parameterised notebook with
an nbval summary cell, and a test module; the runner, --only and the refresh script read the registry."""
import ast
import re
from pathlib import Path

import nbformat
import pytest

from pipeline.chapters.registry import CHAPTERS, REGISTRY, Finding
from pipeline.execution import KERNEL_NAME
from pipeline.paths import NOTEBOOKS_DIR, PROJECT_ROOT
from pipeline.runner import parse_args

PACKAGE = PROJECT_ROOT / "pipeline"
# Lower layers never import higher ones.
LAYERS = {"paths": 0, "errors": 0, "fileio": 0, "formatting": 0, "methods": 1, "inputs": 2, "stages": 3,
          "analysis": 4, "chapters": 5, "report": 6, "execution": 7, "chapter_cache": 7, "kernel_pool": 7,
          "kernel_client": 7, "command_line": 7, "runner": 8, "bulletin_run": 8, "deep_dive_run": 8, "batch": 8}
MAX_LINES = 400


def layer_of(module: str) -> int:
    return LAYERS[module.split(".")[1]]


def pipeline_modules() -> dict[str, Path]:
    return {".".join(p.relative_to(PROJECT_ROOT).with_suffix("").parts): p for p in PACKAGE.rglob("*.py")
            if p.name != "__init__.py"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pipeline"):
            found |= {node.module} if node.module.count(".") >= 1 else {f"pipeline.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("pipeline.")}
    return found


def test_every_module_has_a_layer():
    assert {m.split(".")[1] for m in pipeline_modules()} - set(LAYERS) == set()


def test_imports_point_one_way():
    wrong = []
    for module, path in pipeline_modules().items():
        for imported in imports_of(path):
            if layer_of(imported) > layer_of(module):
                wrong.append(f"{module} imports {imported}")
    assert wrong == []


def test_no_module_is_over_400_lines():
    long = {m: n for m, p in pipeline_modules().items() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_the_demo_generator_is_not_part_of_the_runtime_package():
    assert not (PACKAGE / "demo_data.py").exists() and (PROJECT_ROOT / "scripts" / "demo_generator.py").exists()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.name)
def test_every_registered_chapter_keeps_the_contract(chapter):
    module = chapter.module()
    assert callable(module.build) and callable(module.findings)
    assert (PROJECT_ROOT / "tests" / f"test_chapter_{chapter.name}.py").exists(), "each chapter has a test module"
    notebook = nbformat.read(NOTEBOOKS_DIR / chapter.notebook, as_version=4)
    assert notebook.metadata.kernelspec.name == KERNEL_NAME
    code = [c for c in notebook.cells if c.cell_type == "code"]
    tags = [set(c.metadata.get("tags", [])) for c in code]
    assert sum("parameters" in t for t in tags) == 1
    assert any("nbval-check-output" in t for t in tags)
    assert f"chapters import {chapter.name} as chapter" in code[1].source and "chapter.build(ctx)" in code[1].source
    for cell, cell_tags in zip(code, tags):
        if "nbval-check-output" not in cell_tags:
            assert cell.outputs == [], f"{chapter.notebook}: outputs outside the checked summary cells"
        assert len(cell.source.splitlines()) <= 12, f"{chapter.notebook}: logic belongs in pipeline/"
        assert not re.search(r"^\s*(def|class) ", cell.source, re.M), f"{chapter.notebook}: define functions in pipeline/"


def test_notebooks_folder_holds_exactly_the_registered_chapters():
    assert sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb")) == sorted(c.notebook for c in CHAPTERS)


def test_only_choices_come_from_the_registry(capsys):
    assert parse_args(["--only", "crime_overview"]).only == ["crime_overview"]
    with pytest.raises(SystemExit):
        parse_args(["--only", "no_such_chapter"])
    err = capsys.readouterr().err
    assert all(name in err for name in REGISTRY)


def test_findings_are_structured_and_checked():
    finding = Finding("crime_overview", "overall", "text", {"crimes": 1}, "down")
    assert finding.figures["crimes"] == 1
    with pytest.raises(ValueError, match="unknown priority"):
        Finding("x", "nonsense", "text")
    with pytest.raises(ValueError, match="unknown direction"):
        Finding("x", "overall", "text", direction="sideways")


def test_readme_documents_adding_a_chapter():
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert "## Adding a chapter" in readme and "pipeline/chapters/registry.py" in readme


def test_no_notebook_hard_codes_a_source_name():
    from pipeline.inputs.partner_extracts import CONTRACTS

    for chapter in CHAPTERS:
        code = " ".join(c.source for c in nbformat.read(NOTEBOOKS_DIR / chapter.notebook, as_version=4).cells
                        if c.cell_type == "code")
        assert not [name for name in CONTRACTS if f"'{name}'" in code or f'"{name}"' in code], chapter.notebook
