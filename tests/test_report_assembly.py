"""Publishing: the report's own HTML exporter against nbconvert's, and what render refuses."""
import re

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter

from pipeline.errors import InputDataError
from pipeline.report import assemble


def _notebook() -> nbformat.NotebookNode:
    figure = ('<figure class="report-figure"><img src="data:image/png;base64,iVBORw0KGgo=" width="10" alt="Chart: a.">'
              '<figcaption><span class="figure-number"></span>A.</figcaption></figure>')
    cells = [
        nbformat.v4.new_markdown_cell("# A chapter\n\nSome *text* with <b>HTML</b> & an entity: &nbsp;x.\n\n## A section"),
        nbformat.v4.new_code_cell("show(figure)", outputs=[
            nbformat.v4.new_output("display_data", data={"text/html": figure, "text/plain": "<HTML>"}),
            nbformat.v4.new_output("stream", name="stdout", text="printed\n"),
            nbformat.v4.new_output("execute_result", data={"text/plain": "42"}, execution_count=1)]),
        nbformat.v4.new_markdown_cell("<table><caption>T</caption><tr><td>1</td></tr></table>"),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    for number, cell in enumerate(notebook.cells):
        cell.id = f"cell-{number}"
    return notebook


def _nbconvert_html(notebook) -> str:
    exporter = HTMLExporter(template_name="offline_report", extra_template_basedirs=[str(assemble.TEMPLATE_DIR)])
    exporter.exclude_input = exporter.exclude_input_prompt = exporter.exclude_output_prompt = True
    exporter.embed_images = True
    return exporter.from_notebook_node(notebook)[0]


def _same_document(html: str) -> str:
    return str(BeautifulSoup(html, features="html.parser"))


def test_the_report_exporter_gives_nbconverts_document_without_its_soup_pass():
    notebook = _notebook()
    ours = assemble.focusable(assemble.report_exporter().from_notebook_node(notebook)[0])
    theirs = _nbconvert_html(notebook)
    assert _same_document(ours) == _same_document(theirs)
    assert ours.count('tabindex="0"') == theirs.count('tabindex="0"') >= 3  # the outputs, focusable by keyboard


def test_an_image_without_alt_text_is_refused():
    notebook = _notebook()
    notebook.cells[1].outputs[0]["data"]["text/html"] = '<img src="data:image/png;base64,iVBORw0KGgo=">'
    with pytest.raises(InputDataError, match="an image without alt text"):
        assemble.render(notebook)


def test_contents_entries_carry_the_heading_text_without_its_anchor_mark():
    notebook = _notebook()
    notebook.cells.insert(0, nbformat.v4.new_markdown_cell(f"# The report\n\n{assemble.TOC_PLACEHOLDER}"))
    notebook.cells[0].id = "title"
    body, numbering = assemble.render(notebook)
    assert [(heading.label, heading.text) for heading in numbering.headings] == [("1", "A chapter"),
                                                                                 ("1.1", "A section")]
    contents = re.search(r'<nav class="report-toc".*?</nav>', body, re.S)[0]
    assert "1.1 A section</a>" in contents and "¶" not in contents and "&#182;" not in contents


def test_the_glossary_scan_finds_abbreviations_and_technical_terms():
    from glossary_scan import undefined_terms

    page = ('<h1 id="sec-1">1 Summary</h1><p>The 95% CI, the BH-adjusted p and an XmR chart, w/c 07 Oct; LSOAs; '
            'SYNTHETIC DATA; McCaffrey.</p><h1 id="sec-appendix-b">Methods</h1><p>JRSS</p>')
    assert undefined_terms(page, [("LSOA", "an area")]) == {"CI", "BH", "XmR", "w/c"}
    assert undefined_terms(page, [("LSOA", "."), ("CI", "."), ("BH", "."), ("XmR", "."), ("w/c", ".")]) == set()
