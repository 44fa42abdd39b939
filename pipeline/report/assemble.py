"""Publish: one self-contained HTML report assembled from the executed chapter notebooks.

The report opens with the executive summary (pipeline.report.summary), then the chapters, then the
appendices (the data-quality chapter and pipeline.report.appendices). Code is hidden, papermill's parameter
cells and cells tagged `report-hide` are removed; headings, tables and figures are numbered (1, 1.1, Table
2.3, Figure 4.1; appendices A, B...), every heading gets a stable id, the summary's links to chapter sections
are resolved, and a contents list links every heading. The template (templates/offline_report) loads nothing
from the internet: images are embedded, CSS is inlined.
"""
from __future__ import annotations

import html
import re
import shutil
import string
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from pipeline.fileio import write_text
from pipeline.formatting import literal
from pipeline.report.document_checks import check_report, with_content_security_policy
from pipeline.report.summary import LINK_PREFIX, SUMMARY_TAG

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
REMOVE_TAGS = {"parameters", "injected-parameters", "report-hide"}
ATTRIBUTION = ("Contains public sector information licensed under the Open Government Licence v3.0. "
               "Contains data from data.police.uk. Contains National Statistics data © Crown copyright and "
               "database right. Health indicators: OHID Fingertips.")
TOC_PLACEHOLDER = '<div id="report-contents"></div>'
MARKER = '<div class="chapter-marker" data-chapter="{name}" data-appendix="{appendix}"></div>'
TOKENS = re.compile(r'<div class="chapter-marker"(?P<marker>[^>]*)>'
                    r'|<h(?P<level>[12]) id="(?P<id>[^"]+)"(?P<attrs>[^>]*)>(?P<text>.*?)</h(?P=level)>'
                    r'|<caption>(?P<caption>)'
                    r'|<span class="figure-number"></span>', re.S)


@dataclass
class Part:
    """A part of the report: a chapter notebook or generated markdown (the summary, an appendix)."""

    name: str
    appendix: bool
    notebook: Path | None = None
    markdown: str = ""
    commentary: str = ""  # the analyst's commentary (HTML), shown under the chapter's title


def _title_cell(title: str, subtitle: str, synthetic: bool, generated: str) -> nbformat.NotebookNode:
    banner = ("<div class=\"synthetic-banner\">SYNTHETIC DEMONSTRATION DATA: the police.uk-format files and partner "
              "extracts in this report are generated, not real records. They show what the assessment produces; "
              "do not quote their figures.</div>\n\n") if synthetic else ""
    cell = nbformat.v4.new_markdown_cell(f"# {literal(title)}\n\n{literal(subtitle)}\n\n{banner}")
    cell.id = "report-title"  # a fixed id: nbformat would draw a random one, and two runs' reports would differ
    cell.metadata["tags"] = ["report-title"]
    return cell


def _contents_cell(generated: str, listed: bool = True) -> nbformat.NotebookNode:
    """After the executive summary: when the report was generated, the attribution and the contents (a short
    document without chapter notebooks, the bulletin, has them at its end, without the list)."""
    cell = nbformat.v4.new_markdown_cell(f"<p class=\"caveat\">Report generated <span class=\"run-timestamp\">{generated}"
                                         f"</span>. {ATTRIBUTION}</p>" + (f"\n\n{TOC_PLACEHOLDER}" if listed else ""))
    cell.id = "report-contents-cell"
    return cell


def _markdown(text: str, cell_id: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(text)
    cell.id = cell_id
    return cell


def combine(parts: list[Part], title: str, subtitle: str, synthetic: bool, generated: str,
            listed: bool = True) -> nbformat.NotebookNode:
    """One notebook: a title cell, then each part behind its marker, chapters without parameters or hidden cells."""
    combined = nbformat.v4.new_notebook()
    combined.metadata["title"] = title
    combined.cells.append(_title_cell(title, subtitle, synthetic, generated))
    contents = _contents_cell(generated, listed)
    for part in parts:
        if part.notebook is not None and contents is not None:  # the contents follow the summary, before the chapters
            combined.cells.append(contents)
            contents = None
        combined.cells.append(_markdown(MARKER.format(name=part.name, appendix=int(part.appendix)), f"marker-{part.name}"))
        if part.notebook is None:
            if part.markdown:
                cell = _markdown(part.markdown, f"part-{part.name}")
                if part.name == "summary":
                    cell.metadata["tags"] = [SUMMARY_TAG]
                combined.cells.append(cell)
            continue
        chapter = nbformat.read(part.notebook, as_version=4)
        cells = [cell for cell in chapter.cells if not REMOVE_TAGS & set(cell.get("metadata", {}).get("tags", []))]
        if part.commentary:  # after the chapter's opening cell (its title and what it covers)
            cells.insert(1, _markdown(part.commentary, f"commentary-{part.name}"))
        combined.cells.extend(cells)
        combined.metadata.setdefault("kernelspec", chapter.metadata.get("kernelspec", {}))
    if contents is not None:
        combined.cells.append(contents)
    return combined


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class Heading:
    level: int
    label: str
    anchor: str
    text: str
    chapter: str


@dataclass
class Numbering:
    """What number_sections found: the headings (for the contents) and the section of each (chapter, heading)."""

    headings: list[Heading] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)


def _heading_text(inner: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", inner)).replace("¶", "").strip()


def number_sections(body: str) -> tuple[str, Numbering]:
    """Number chapters (1, 2...; appendices A, B...), their sections (2.1), tables and figures (Table 2.1), give
    each heading the id 'sec-<number>', and resolve the summary's section links."""
    found = Numbering()
    state = {"chapter": "", "appendix": False, "h1": 0, "letters": 0, "label": "", "h2": 0, "tables": 0, "figures": 0,
             "title_seen": False}

    def replace(match: re.Match) -> str:
        if match["marker"] is not None:  # nbconvert may reorder a tag's attributes
            state["chapter"] = re.search(r'data-chapter="([^"]+)"', match["marker"])[1]
            state["appendix"] = 'data-appendix="1"' in match["marker"]
            return match[0]
        if match["level"]:
            text = _heading_text(match["text"])
            if match["level"] == "1" and not state["title_seen"]:
                state["title_seen"] = True
                return match[0]
            if match["level"] == "1":
                if state["appendix"]:
                    state["label"] = f"Appendix {string.ascii_uppercase[state['letters']]}"
                    state["letters"] += 1
                else:
                    state["h1"] += 1
                    state["label"] = str(state["h1"])
                state["h2"] = state["tables"] = state["figures"] = 0
                label, anchor = state["label"], f"sec-{slug(state['label'])}"
            else:
                state["h2"] += 1
                short = state["label"].removeprefix("Appendix ")
                label, anchor = f"{short}.{state['h2']}", f"sec-{slug(short)}-{state['h2']}"
            found.headings.append(Heading(int(match["level"]), label, anchor, text, state["chapter"]))
            return (f'<h{match["level"]} id="{anchor}"{match["attrs"]}><span class="section-number">{label}</span> '
                    f'{html.escape(text)}<a class="anchor-link" href="#{anchor}">¶</a></h{match["level"]}>')
        short = state["label"].removeprefix("Appendix ") or "0"
        if match["caption"] is not None:
            state["tables"] += 1
            return f'<caption><span class="table-number">Table {short}.{state["tables"]}:</span> '
        state["figures"] += 1
        return f'<span class="figure-number">Figure {short}.{state["figures"]}:</span> '

    body = TOKENS.sub(replace, body)

    def resolve(match: re.Match) -> str:
        chapter, section = match[1], match[2]
        candidates = [h for h in found.headings if h.chapter == chapter]
        section_heading = next((h for h in candidates if h.level == 2 and slug(h.text).startswith(section)), None)
        if section_heading is None:
            found.unresolved.append(f"{chapter}: {section}")
            section_heading = candidates[0] if candidates else None
        return f'href="#{section_heading.anchor}"' if section_heading else 'href="#report-contents"'

    body = re.sub(rf'href="{re.escape(LINK_PREFIX)}([a-z_]+)--([a-z0-9-]*)"', resolve, body)
    return body, found


def table_of_contents(headings: list[Heading]) -> str:
    """Every chapter and section heading, numbered and linked."""
    items, open_chapter = [], False
    for heading in headings:
        link = f'<a href="#{heading.anchor}">{html.escape(heading.label)} {html.escape(heading.text)}</a>'
        if heading.level == 1:
            items.append(("</ul></li>" if open_chapter else "") + f"<li>{link}<ul>")
            open_chapter = True
        else:
            items.append(f"<li>{link}</li>")
    items.append("</ul></li>" if open_chapter else "")
    return f'<nav class="report-toc" id="report-contents"><strong>Contents</strong><ul class="toc">{"".join(items)}</ul></nav>'


FOCUSABLE = re.compile(r'(<div\b[^>]*\bclass="[^"]*\bjp-(?:Cell-inputWrapper|OutputArea-output)\b[^"]*"[^>]*)>')


def report_exporter():
    """nbconvert's HTML exporter for the report, without its closing pass through BeautifulSoup (a third of
    the publishing time on the demo): that pass only makes output areas and input wrappers focusable, which
    `focusable` does on the template's own markup, and gives images without alt text a placeholder, where every
    chart here has real alt text (`render` refuses an image without). tests/test_report_assembly.py checks the
    two give the same document."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):  # HTMLExporter's (nbconvert 7), but the soup
            language = nb.metadata.get("language_info", {})
            lexer = language.get("pygments_lexer", language.get("name", None))
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    exporter = ReportExporter(template_name="offline_report", extra_template_basedirs=[str(TEMPLATE_DIR)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    exporter.optimistic_validation = True  # validate once after the preprocessors, not after each of twelve
    return exporter


def focusable(body: str) -> str:
    """Output areas and input wrappers reachable by keyboard (tabindex 0), as nbconvert's HTML exporter makes them."""
    return FOCUSABLE.sub(r'\1 tabindex="0">', body)


def render(notebook: nbformat.NotebookNode) -> tuple[str, Numbering]:
    """The report's HTML, with its Content-Security-Policy, checked as a document (pipeline.report.document_checks:
    nothing that would run, frame or load; every image with alt text); a problem is an InputDataError naming the
    chapter."""
    body, _ = report_exporter().from_notebook_node(notebook)
    body = focusable(body)
    body, numbering = number_sections(body)
    body = body.replace(TOC_PLACEHOLDER, table_of_contents(numbering.headings), 1)
    check_report(body)
    return with_content_security_policy(body), numbering


def document_titles(title: str, area_name: str, year: str, chapters: list, synthetic: bool) -> tuple[str, str]:
    """The report's title and subtitle: the assessment's, or, for one chapter run alone that is a document of its own
    (the serious-violence needs assessment), that document's title with the assessment's beneath it."""
    subtitle = f"Assessment year ending {year}. Partnership area: {area_name}."
    if len(chapters) == 1 and chapters[0].standalone:
        own = chapters[0].standalone.format(area=area_name) + (" - SYNTHETIC DEMONSTRATION DATA" if synthetic else "")
        return own, f"{subtitle} Prepared from the data of the {title}."
    return title, subtitle


def build_report(parts: list[Part], target: Path, title: str, subtitle: str, synthetic: bool, generated: str,
                 listed: bool = True) -> Numbering:
    body, numbering = render(combine(parts, title, subtitle, synthetic, generated, listed))
    write_text(body, target)
    return numbering


RUN_TIMESTAMP = re.compile(r'<span class="run-timestamp">[^<]*</span>')


def same_report(one: Path, other: Path) -> bool:
    """Whether two published reports are the same document but for the time they were generated."""
    try:
        first, second = (RUN_TIMESTAMP.sub("", path.read_text(encoding="utf-8")) for path in (one, other))
    except OSError:
        return False
    return first == second


def keep_printed(final_dir: Path, out_dir: Path) -> None:
    """A run without --pdf keeps the last run's report.pdf (and its review screenshots) when its report is the
    same document; when the report changed, the stale PDF is not carried over, and the run says so."""
    if not (final_dir / "report.pdf").exists():
        return
    if same_report(final_dir / "report.html", out_dir / "report.html"):
        shutil.copy2(final_dir / "report.pdf", out_dir / "report.pdf")
        if (final_dir / "review").is_dir():
            shutil.copytree(final_dir / "review", out_dir / "review", dirs_exist_ok=True)
        print("  kept the last run's report.pdf: the report is unchanged")
    else:
        print("  removed the last run's report.pdf: it printed a report this run has changed; add --pdf to print "
              "this one")
