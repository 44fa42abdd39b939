"""Payloads a hostile or careless file or configuration carries: markup, script, frames, loads from outside, and
spreadsheet formulas. Shared by the hostile-input tests (tests/test_report_safety.py, tests/test_hostile_inputs.py)."""

MARKUP = [
    "<script>document.title='PWNED'</script>",
    "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">",
    "<iframe src=file:///etc/passwd></iframe>",
    "<svg onload=alert(1)>",
    "<object data=file:///etc/hostname></object>",
    "<embed src=//evil.example/x.swf>",
    "<a href=javascript:alert(1)>click</a>",
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    "<body onload=alert(1)>",
    "<meta http-equiv=refresh content='0;url=//evil.example'>",
    "<base href=//evil.example/>",
    "<link rel=stylesheet href=//evil.example/x.css>",
    "<style>@import url(//evil.example/x.css)</style>",
    "<div style=\"background:url(//evil.example/t.png)\">x</div>",
    "<form action=//evil.example><input name=q></form>",
    "<details open ontoggle=alert(1)>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "</td></tr></table><script>alert(1)</script>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
]
MARKDOWN = [
    "[click me](javascript:alert(1))",
    "![tracker](https://evil.example/pixel.png)",
    "<https://evil.example/autolink>",
    "# A heading from a data file",
    "**bold** and _italic_ from a data file",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "1. a list from a data file",
    "- another list",
    "`code` from a data file",
    "&lt;script&gt; as entities",
]
FORMULAS = [
    "=HYPERLINK(\"https://evil.example\",\"click\")",
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
]
NUMBERS_AS_TEXT = ["-12", "-1,234", "+3.5%", "-0.1 to 9.1", "-4.0%"]
