"""The finished report checked as a document, not as text: what a browser would run, load or frame.

Every string from a data file or the configuration is escaped where it is rendered (pipeline.formatting.literal,
pipeline.report.markup, html.escape in the tables); this check is the last guard, and the report's
Content-Security-Policy the one after it, in the browser. The document is parsed (html.parser, as a browser
tokenises it), so an attribute written in any case, order or quoting is found, and escaped text that merely
looks like markup (an alt text that says 'src=//', a street named '<b>') is not mistaken for it.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

from pipeline.errors import InputDataError

# The report runs no script and loads nothing: its images are embedded, its styles inline.
CONTENT_SECURITY_POLICY = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
                           "script-src 'none'; frame-src 'none'; child-src 'none'; object-src 'none'; "
                           "base-uri 'none'; form-action 'none'")
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'

FORBIDDEN_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form", "portal",
                  "link", "audio", "video", "source", "track", "svg", "math", "noscript", "template", "input",
                  "button", "textarea", "select"}
LOADING_ATTRIBUTES = {"src", "srcset", "poster", "background", "data", "action", "formaction", "xlink:href", "ping",
                      "lowsrc", "dynsrc"}
HARMFUL_SCHEME = re.compile(r"^\s*(javascript|vbscript|file|data|filesystem|blob)\s*:", re.I)
EXTERNAL = re.compile(r"^\s*([a-z][a-z0-9+.-]*:|//|\\\\)", re.I)
EMBEDDED_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,", re.I)
CSS_URL = re.compile(r"url\(\s*['\"]?(?!data:)([^'\")]*)", re.I)
CSS_IMPORT = re.compile(r"@import\b", re.I)


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chapter = "the report's front matter"
        self.problems: list[tuple[str, str]] = []
        self._in_style = False

    def _problem(self, text: str) -> None:
        self.problems.append((self.chapter, text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if "data-chapter" in values:
            self.chapter = f"chapter '{values['data-chapter']}'"
        if tag in FORBIDDEN_TAGS:
            self._problem(f"a <{tag}> element")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self._problem("a <meta http-equiv=refresh>")
        if tag == "style":
            self._in_style = True
        for name, value in values.items():
            if name.startswith("on"):
                self._problem(f"an event handler attribute '{name}' on <{tag}>")
            elif name == "href" and (HARMFUL_SCHEME.match(value) or EXTERNAL.match(value)):
                self._problem(f"a link to '{value[:40]}' on <{tag}>, outside the report")
            elif name in LOADING_ATTRIBUTES and not (tag == "img" and name == "src" and EMBEDDED_IMAGE.match(value)):
                self._problem(f"<{tag} {name}='{value[:40]}'>, which would load a resource")
            elif name == "style" and (CSS_URL.search(value) or CSS_IMPORT.search(value)):
                self._problem(f"a style attribute that loads a resource on <{tag}>")
        if tag == "img" and not values.get("alt", "").strip():
            self._problem("an image without alt text")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "style":
            self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style and (CSS_IMPORT.search(data) or any(not url.startswith("#") and EXTERNAL.match(url)
                                                               for url in CSS_URL.findall(data))):
            self._problem("a style sheet that loads a resource from outside the report")


def problems(document: str) -> list[tuple[str, str]]:
    """(where, what) for everything in the document a browser would run, frame or load from outside it."""
    checker = _Checker()
    checker.feed(document)
    checker.close()
    return checker.problems


def check_report(document: str) -> None:
    """Raise InputDataError naming the chapter and the element when the report would run, frame or load anything:
    text from an input reached the report as markup, which escaping should have prevented."""
    found = problems(document)
    if found:
        where, what = found[0]
        more = f" ({len(found) - 1} more)" if len(found) > 1 else ""
        raise InputDataError(where, f"the report would contain {what}{more}: text from a data file or the "
                             "configuration reached the report as markup.",
                             "look for HTML or script in the names, notes and free-text fields of the files and "
                             "configuration this chapter reads, and report the escaping gap as a bug.")


def with_content_security_policy(document: str) -> str:
    """The document with its Content-Security-Policy as the first element of <head>, before anything it governs."""
    head = re.search(r"<head[^>]*>", document, re.I)
    if head is None:
        raise ValueError("the report has no <head> for its Content-Security-Policy")
    return document[:head.end()] + "\n" + CSP_META + document[head.end():]
