"""Publish: one self-contained HTML report assembled from the executed chapter notebooks.

Code is hidden, papermill's parameter cells and cells tagged `report-hide` are removed, a table
of contents is built from the chapter headings, and the template (templates/offline_report)
loads no script or style from the internet: images are embedded, CSS is inlined.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import nbformat

from pipeline.fileio import write_text

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
REMOVE_TAGS = {"parameters", "injected-parameters", "report-hide"}
ATTRIBUTION = ("Contains public sector information licensed under the Open Government Licence v3.0. "
               "Contains data from data.police.uk. Contains National Statistics data © Crown copyright and "
               "database right. Health indicators: OHID Fingertips.")
TOC_PLACEHOLDER = '<div id="report-contents"></div>'
EXTERNAL_RESOURCE = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


def _title_cell(title: str, subtitle: str, synthetic: bool, generated: str) -> nbformat.NotebookNode:
    banner = ("<div class=\"synthetic-banner\">SYNTHETIC DEMONSTRATION DATA: the police.uk-format files and partner "
              "extracts in this report are generated, not real records. They show what the assessment produces; "
              "do not quote their figures.</div>\n\n") if synthetic else ""
    cell = nbformat.v4.new_markdown_cell(f"# {title}\n\n{subtitle}\n\n{banner}<p class=\"caveat\">Report generated "
                                         f"<span class=\"run-timestamp\">{generated}</span>. {ATTRIBUTION}</p>\n\n{TOC_PLACEHOLDER}")
    cell.id = "report-title"  # a fixed id: nbformat would draw a random one, and two runs' reports would differ
    return cell


def combine(notebooks: list[Path], title: str, subtitle: str, synthetic: bool, generated: str) -> nbformat.NotebookNode:
    """One notebook: a title cell, then every chapter's cells without parameters or hidden cells."""
    combined = nbformat.v4.new_notebook()
    combined.metadata["title"] = title
    combined.cells.append(_title_cell(title, subtitle, synthetic, generated))
    for path in notebooks:
        chapter = nbformat.read(path, as_version=4)
        for cell in chapter.cells:
            if REMOVE_TAGS & set(cell.get("metadata", {}).get("tags", [])):
                continue
            combined.cells.append(cell)
    if notebooks:
        combined.metadata["kernelspec"] = nbformat.read(notebooks[0], as_version=4).metadata.get("kernelspec", {})
    return combined


def _table_of_contents(body: str) -> str:
    """Numbered chapters (h1) with their sections (h2) beneath, linked to nbconvert's heading anchors."""
    headings = re.findall(r'<h([12]) id="([^"]+)"[^>]*>(.*?)</h\1>', body, flags=re.S)
    chapters: list[tuple[str, list[str]]] = []
    for level, anchor, text in headings[1:]:  # the first h1 is the report title
        label = html.escape(html.unescape(re.sub(r"<[^>]+>", "", text).replace("¶", "").strip()))
        link = f'<a href="#{anchor}">{label}</a>'
        if level == "1" or not chapters:
            chapters.append((link, []))
        else:
            chapters[-1][1].append(link)
    items = "".join(f"<li>{link}" + (f"<ul>{''.join(f'<li>{s}</li>' for s in sections)}</ul>" if sections else "")
                    + "</li>" for link, sections in chapters)
    return f'<nav class="report-toc"><strong>Contents</strong><ol>{items}</ol></nav>'


def render(notebook: nbformat.NotebookNode) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="offline_report", extra_template_basedirs=[str(TEMPLATE_DIR)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    body, _ = exporter.from_notebook_node(notebook)
    body = body.replace(TOC_PLACEHOLDER, _table_of_contents(body), 1)
    if EXTERNAL_RESOURCE.search(body):
        raise RuntimeError("the report would load a resource from the internet: " + EXTERNAL_RESOURCE.search(body)[0])
    return body


def build_report(notebooks: list[Path], target: Path, title: str, subtitle: str, synthetic: bool,
                 generated: str | None = None) -> Path:
    generated = generated or dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return write_text(render(combine(notebooks, title, subtitle, synthetic, generated)), target)
