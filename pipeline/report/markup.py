"""Markdown of the report's generated text as HTML, with no way for the text to carry markup of its own.

Chapters write sentences in markdown (bold, lists, links to sections) and put values from data files and the
configuration into them, escaped by pipeline.formatting.literal. This renderer is the second guard: raw HTML in
the markdown is shown as text (mistune's escape mode), links with harmful schemes (javascript:, file:, data:)
go nowhere, and an image is shown as its alt text, since generated text never embeds one (charts are figures of
their own). The executed notebook then carries HTML that nbconvert publishes as it is.
"""
from __future__ import annotations

from html import escape

import mistune


class _TextOnlyImages(mistune.HTMLRenderer):
    def image(self, text: str, url: str, title: str | None = None) -> str:
        return escape(text)


_MARKDOWN = mistune.create_markdown(renderer=_TextOnlyImages(escape=True), plugins=["strikethrough", "table"])


def markdown_html(text: str) -> str:
    """Block markdown (paragraphs, lists) as HTML; any HTML in `text` is escaped."""
    return _MARKDOWN(text).strip()


def inline_html(text: str) -> str:
    """One sentence of markdown as inline HTML (no paragraph around it)."""
    html = markdown_html(text)
    return html.removeprefix("<p>").removesuffix("</p>") if html.count("<p>") == 1 else html
