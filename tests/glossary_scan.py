"""The terms a reader of the summary and chapters meets that need a definition: abbreviations (two or more
capitals, such as CI, BH, XmR) and the technical phrases of the methods (w/c, exceedance score, aoristic...).
`undefined_terms` lists those the report uses and its glossary does not define."""
import html
import re

ABBREVIATION = re.compile(r"(?<![\w/*-])([A-Z][A-Za-z0-9&*-]*[A-Z0-9*][A-Za-z0-9&*]*)(?![\w])")
TECHNICAL = ("w/c", "exceedance score", "aoristic", "funnel plot", "persistent hotspot", "emerging hotspot",
             "intermittent hotspot", "former hotspot", "special cause", "Wilson", "Garwood", "q-value", "p-value",
             "odds ratio", "rate ratio", "pro rata", "recording effect", "natural variation", "Gi*")
NOT_TERMS = {"SYNTHETIC", "DEMONSTRATION", "DATA", "UNKNOWN", "N/A", "ALARM",  # words in capitals, not abbreviations
             "ILLUSTRATIVE", "NOT"}


def readable_text(report_html: str, start: str = 'id="sec-1"', end: str = 'id="sec-appendix-b"') -> str:
    """The summary and chapters (up to the Methods appendix, whose citations are references, not terms), as text."""
    body = report_html[report_html.index(start):report_html.index(end) if end in report_html else len(report_html)]
    body = re.sub(r'<style.*?</style>|<script.*?</script>|src="data:[^"]*"', "", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def terms_used(text: str) -> set[str]:
    found = set()
    for token in ABBREVIATION.findall(text):
        stem = token[:-1] if token.endswith("s") and token[:-1].isupper() else token
        if sum(c.isupper() for c in stem) >= 2 and sum(c.islower() for c in stem) <= 1 and stem not in NOT_TERMS:
            found.add(stem)
    lowered = text.lower()
    return found | {term for term in TECHNICAL if term.lower() in lowered}


def defined(glossary) -> set[str]:
    return {part.strip().lower() for term, _ in glossary for part in re.split(r",|/(?!c)", term)} | \
        {term.lower() for term, _ in glossary}


def undefined_terms(report_html: str, glossary) -> set[str]:
    known = defined(glossary)
    return {term for term in terms_used(readable_text(report_html)) if term.lower() not in known
            and term.lower().replace(" rating", "") not in known}
