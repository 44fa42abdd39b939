"""Untrusted text in the report and its CSVs (issue 25, items 1 and 2): every payload a file or the configuration
could carry is shown as the text it is, never run as markup or as a spreadsheet formula; the finished report is
checked as a document, and carries a Content-Security-Policy."""
import re

import nbformat
import pandas as pd
import pytest

from hostile_payloads import FORMULAS, MARKDOWN, MARKUP, NUMBERS_AS_TEXT
from pipeline.errors import InputDataError
from pipeline.fileio import neutralised, spreadsheet_safe, write_csv
from pipeline.formatting import literal
from pipeline.report import assemble
from pipeline.report.display import table_html
from pipeline.report.document_checks import CONTENT_SECURITY_POLICY, check_report, problems
from pipeline.report.markup import inline_html, markdown_html

TAG = re.compile(r"<(?!/?(p|strong|em|ul|ol|li|a href=\"#|code|table|thead|tbody|tr|th|td|h\d|del|br)\b)", re.I)


def _markup_in(html: str) -> list[str]:
    """Tags in rendered HTML other than the plain ones markdown makes."""
    return [html[m.start():m.start() + 40] for m in TAG.finditer(html)]


@pytest.mark.parametrize("payload", MARKUP + MARKDOWN)
def test_a_value_put_into_a_sentence_is_shown_as_written(payload):
    html = markdown_html(f"Zone {literal(payload)} rose.")
    assert _markup_in(html) == [] and problems(html) == []
    assert html.startswith("<p>Zone ") and html.count("<p>") == 1  # one paragraph: no heading, list or table
    shown = re.sub(r"<[^>]+>", "", html)
    assert " ".join(payload.split()) in __import__("html").unescape(shown)


@pytest.mark.parametrize("payload", MARKUP)
def test_markup_in_generated_markdown_is_escaped_even_when_a_value_was_not(payload):
    html = markdown_html(f"The note says: {payload}")
    assert problems(html) == [] and "<script" not in html.lower() and "<iframe" not in html.lower()


@pytest.mark.parametrize("payload", MARKUP)
def test_table_cells_and_captions_are_escaped(payload):
    html = table_html(pd.DataFrame({"Zone": [payload], "Crimes": [12]}), caption=payload)
    assert problems(html) == []


@pytest.mark.parametrize("payload", MARKUP)
def test_the_document_check_finds_markup_that_escaping_missed(payload):
    found = problems(f'<div class="chapter-marker" data-chapter="violence"></div><p>{payload}</p>')
    assert found and found[0][0] == "chapter 'violence'"


def test_escaped_text_that_looks_like_markup_is_not_mistaken_for_it():
    figure = ('<figure><img src="data:image/png;base64,iVBORw0KGgo=" alt="Chart: measure &lt;img src=//x&gt; '
              'src=//evil onerror=1"><figcaption>&lt;script&gt;</figcaption></figure>')
    assert problems(figure) == []


def test_a_problem_is_an_input_error_naming_the_chapter():
    with pytest.raises(InputDataError, match="chapter 'asb'.*<iframe>"):
        check_report('<div class="chapter-marker" data-chapter="asb"></div><iframe src="x"></iframe>')


def test_the_report_carries_its_content_security_policy_first_in_its_head():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title\n\ntext")])
    notebook.cells[0].id = "c"
    body, _ = assemble.render(notebook)
    head = body[body.index("<head"):body.index("</head>")]
    assert CONTENT_SECURITY_POLICY in head
    assert head.index("Content-Security-Policy") < head.index("<style")
    assert "script-src 'none'" in CONTENT_SECURITY_POLICY and "frame-src 'none'" in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("payload", MARKUP[:6] + MARKDOWN[:4])
def test_a_title_from_the_configuration_is_text(payload):
    cell = assemble._title_cell(payload, f"Partnership area: {payload}.", False, "now")
    notebook = nbformat.v4.new_notebook(cells=[cell])
    body, numbering = assemble.render(notebook)  # raises if anything would run or load
    assert problems(body) == []


@pytest.mark.parametrize("payload", MARKUP[:4])
def test_a_finding_in_the_executive_summary_is_escaped(payload):
    assert problems(inline_html(f"**Robbery** in {payload} rose")) == []
    assert "<strong>Robbery</strong>" in inline_html("**Robbery** rose")


@pytest.mark.parametrize("payload", FORMULAS)
def test_a_formula_is_neutralised_in_every_csv(payload, tmp_path):
    write_csv(pd.DataFrame({"Zone": [payload], payload: [1]}), tmp_path / "t.csv")
    with open(tmp_path / "t.csv", newline="") as handle:
        header, row = list(__import__("csv").reader(handle))
    expected = "'" + payload.replace("\r", "\n")  # a bare carriage return would split the row
    assert header[1] == row[0] == expected == spreadsheet_safe(payload)


@pytest.mark.parametrize("number", NUMBERS_AS_TEXT)
def test_numbers_and_negative_intervals_stay_numbers(number):
    frame = pd.DataFrame({"Change": [number], "Low": [-3.2], "Count": [-12]})
    safe = neutralised(frame)
    assert safe.iloc[0].tolist() == [number, -3.2, -12] and safe.dtypes.tolist() == frame.dtypes.tolist()
