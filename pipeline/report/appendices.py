"""The report's generated appendices: methods (each statistic in words, with its source), data notes
(sources, periods, recording caveats, licences), a glossary, provenance (from the run's manifest facts) and
the annex of published tables (every CSV the chapters saved, linked)."""
from __future__ import annotations

from html import escape
from pathlib import Path

from pipeline.chapters.registry import CHAPTERS
from pipeline.formatting import literal

METHODS = (
    ("Change on last year", "Exact conditional test of two Poisson counts: given the two years' total, this year's "
     "count is binomial with probability one half under no change; the rate ratio's interval transforms the "
     "Clopper-Pearson interval. A change is 'beyond natural variation' when p < 0.05; counts under 10 are 'too few to "
     "tell'.", "Przyborowski and Wilenski (1940), Biometrika 31; Armitage, Berry and Matthews (2002), sec. 5.3"),
    ("Rates and their intervals", "Count per 1,000 residents (Census 2021) or households; the interval is the exact "
     "(Garwood) Poisson interval for the count divided by the population.", "Garwood (1936); PHE Fingertips technical "
     "guidance (PHEindicatormethods)"),
    ("Shares", "k of n with the Wilson score interval.", "Wilson (1927); Newcombe (1998), Statistics in Medicine 17"),
    ("Long-term trend", "Log-linear Poisson regression of annual counts on year; the annual percent change is "
     "exp(slope) - 1. Yearly counts vary more than Poisson allows, so the variance is scaled by the Pearson "
     "dispersion (quasi-Poisson) and the slope's 95% interval and test use Student's t on years - 2 degrees of "
     "freedom, which allows for a dispersion estimated from a few years.",
     "McCullagh and Nelder (1989), Generalized Linear Models; Venables and Ripley (2002), MASS 7.5"),
    ("Plateau (ASB)", "Segmented quasi-Poisson regression of monthly counts with calendar-month effects, the slope "
     "allowed to change three years before the end; Student's t test of the change of slope.",
     "Wagner et al. (2002), segmented regression of interrupted time series"),
    ("Targets", "The baseline year's count less the plan's percentage; during the year the count to date is projected "
     "by the baseline year's seasonal pattern with an exact Poisson interval.", "The plan's own definition"),
    ("Associations of flags", "2 x 2 tables of a flag (alcohol, drugs, mental health) against a group; Fisher's exact "
     "test (or chi-squared when every expected count is 5 or more), odds ratio with Woolf's logit "
     "interval (0.5 added to every cell when one is zero); the Benjamini-Hochberg procedure holds the false "
     "discovery rate at 5% across every question asked.", "Agresti (2013), Categorical Data Analysis; Benjamini and "
     "Hochberg (1995), JRSS B 57"),
    ("Emerging trends", "Improved Farrington algorithm on daily, weekly and monthly counts: a quasi-Poisson model of "
     "comparable past periods with a trend when warranted, past outbreaks down-weighted, a 99.5% threshold; alarms need "
     "5 events and survive false-discovery-rate control at 5% across types and periods.", "Noufaily et al. (2013), "
     "Statistics in Medicine 32; R package surveillance, farringtonFlexible"),
    ("Seasonal peaks", "Calendar-month effects from a quasi-Poisson model over the complete years; a month is a peak "
     "when its effect is above an average month by a t test.", "Standard GLM seasonal decomposition"),
    ("Near repeats", "Knox test: pairs of events close in space and time against a permutation distribution of the "
     "times (999 permutations), false discovery rate 5% across bands.", "Knox (1964); Near Repeat Calculator (Ratcliffe)"),
    ("Hotspots", "Getis-Ord Gi* on 250 m grid cells and on LSOAs with a distance-band weight, false discovery rate 5%; "
     "a cell is persistent, emerging or new by its classes over the years; kernel density with a 500 m bandwidth.",
     "Getis and Ord (1992); Ord and Getis (1995); esda/libpysal; sfhotspot (R)"),
    ("Statistical process control", "XmR chart: mean of the monthly counts, limits at the mean plus or minus 2.66 times "
     "the mean moving range; the run rules of NHS Making Data Count.", "Wheeler (1995); NHS England, Making Data Count"),
    ("County comparison", "Funnel plot: each district's rate against exact Poisson 95% and 99.8% limits around the "
     "county rate.", "Spiegelhalter (2005), Statistics in Medicine 24"),
    ("Re-offending", "Each IOM member's offences and severity in equal windows before and after joining; Wilcoxon "
     "signed-rank test of the paired change.", "Wilcoxon (1945)"),
    ("Disclosure control", "No published count from 1 to 4; a second cell is suppressed wherever a total would reveal "
     "a suppressed one.", "ONS disclosure control guidance for tables"),
    ("Checked by simulation", "Every test above is run on simulated data with no effect (it rejects at its nominal "
     "rate) and with a planted effect of known size (the interval covers it): tests/test_null_simulations.py and the "
     "method tests.", "This project's test suite"),
)

GLOSSARY = (
    ("A&E", "Accident and emergency department (here, Addenbrooke's), whose assault attendances come from ISTV."),
    ("ASB", "Anti-social behaviour: personal, nuisance or environmental, as the national categories define it."),
    ("CSP", "Community Safety Partnership: the statutory partnership of council, police, fire, health and probation."),
    ("FDR", "False discovery rate: the expected share of false alarms among the findings called significant."),
    ("Gi*", "Getis-Ord statistic: whether an area and its neighbours together have more events than chance gives."),
    ("IOM", "Integrated Offender Management: the multi-agency scheme for the offenders causing most harm."),
    ("ISTV", "Information Sharing to Tackle Violence: the A&E assault data set (Information Standard ISB 1594)."),
    ("LSOA", "Lower layer Super Output Area: an ONS area of about 1,500 residents (2021 boundaries)."),
    ("Natural variation", "The year-to-year movement chance alone produces in counts of events; a change is beyond it "
     "when an exact test gives p < 0.05."),
    ("NTE", "Night-time economy: Friday 18:00 to Sunday 06:00 in the licensed zones, as the configuration defines it."),
    ("Odds ratio", "How many times higher the odds of a flag are in one group than in another; 1 means no difference."),
    ("p-value", "The chance of a difference at least this large if there were no real difference."),
    ("RAG rating", "Red, amber or green, by the rules stated under the priorities table."),
    ("[c]", "A count from 1 to 4, not shown to protect the people counted (or a cell that would reveal one)."),
)


def methods_appendix() -> str:
    rows = "".join(f'<tr><td class="text">{escape(name)}</td><td class="text">{escape(words)}</td>'
                   f'<td class="text">{escape(source)}</td></tr>' for name, words, source in METHODS)
    return ("# Methods\n\nEach statistic in the report, in words, with the source of the method. The code is in "
            "`pipeline/methods/`, one module per method, each naming its source.\n\n"
            '<table class="report-table"><caption>The statistics used</caption><thead><tr><th>Statistic</th>'
            f"<th>How it is computed</th><th>Source</th></tr></thead><tbody>{rows}</tbody></table>\n")


def data_notes_appendix(period: str, facts: dict, synthetic: bool) -> str:
    missing = facts.get("missing_extracts") or []
    unusable = facts.get("unusable_extracts") or {}
    absent = ("Partner extracts not supplied: " + ", ".join(missing) + ". ") if missing else ""
    absent += "".join(f"Extract {name} unusable: {why}. " for name, why in unusable.items())
    origin = ("The police.uk-format files and partner extracts of this run are synthetic (generated to show what the "
              "assessment finds); population, boundaries and health indicators are real. " if synthetic else "")
    return f"""# Data notes

{origin}The assessment year is {literal(period)}. {literal(absent)}

- **Police-recorded crime and ASB**: data.police.uk street-level files. Locations are snapped to anonymous map
  points and months are the month recorded; anti-social behaviour incidents are those recorded by the police only.
  Recording practice changes (such as the 2014 HMIC inspection's effect on violence) move the counts without any
  change in behaviour.
- **Police records with qualifiers** (alcohol, drugs, mental health, domestic abuse): the force's extract. A qualifier
  left empty means *not recorded*, not *no*; shares are over the records where it was recorded.
- **Partner ASB cases, A&E assault attendances (ISTV), the IOM cohort and service activity**: partner extracts in
  the shapes of the data contracts. Person identifiers were replaced by keyed hashes at ingest.
- **Plan activity**: the lead officers' reports of the plan's activity targets (events, publicity, campaigns, staff
  trained, the tenancy support package), as reported; not checked against any other source.
- **Population**: ONS Census 2021 and mid-year estimates; households from Census 2011 (burglary rates).
- **Health context**: OHID Fingertips indicators, which lag the assessment year by one to three years.
- **Completeness**: rows read, kept and rejected for every source, and why, are in Appendix A.

Licences and attribution: contains public sector information licensed under the Open Government Licence v3.0;
contains data from data.police.uk; contains National Statistics data © Crown copyright and database right; contains OS
data © Crown copyright and database right; health indicators from OHID Fingertips (OGL).
"""


def glossary_appendix() -> str:
    rows = "".join(f'<tr><td class="text"><strong>{escape(term)}</strong></td><td class="text">{escape(words)}</td></tr>'
                   for term, words in GLOSSARY)
    return ('# Glossary\n\n<table class="report-table"><caption>Terms and abbreviations</caption><thead><tr><th>Term</th>'
            f"<th>Meaning</th></tr></thead><tbody>{rows}</tbody></table>\n")


def provenance_appendix(manifest: dict) -> str:
    packages = ", ".join(f"{name} {version}" for name, version in manifest.get("packages", {}).items())
    inputs = manifest.get("inputs_sha256", {})
    return f"""# Provenance

How this report was made, from the run's `manifest.json` (which also holds the sha256 of every input file):

- Assessment {literal(manifest.get('assessment', ''))}, period end {literal(manifest.get('parameters', {}).get('period_end', ''))},
  configuration sha256 {literal(str(manifest.get('config_sha256', ''))[:16])}….
- Code: git commit {literal(manifest.get('git_commit', ''))}.
- Inputs: {len(inputs):,} files, each recorded with its sha256.
- Software: {literal(packages)}.
- Chapters: {literal(', '.join(manifest.get('chapters', [])))}.
"""


def tables_annex(run_dir: Path) -> str:
    """Every published table, linked (relative to the report), by chapter."""
    titles = {chapter.name: chapter.title for chapter in CHAPTERS}
    lines = ["# Annex: published tables", "",
             "Every table in the report as CSV (numbers without formatting, suppressed counts as [c]), in the run's "
             "`tables/` folder beside this report.", ""]
    for chapter in CHAPTERS:
        folder = run_dir / "tables" / chapter.name
        files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
        if files:
            links = ", ".join(f'<a href="tables/{chapter.name}/{f.name}">{escape(f.stem)}</a>' for f in files)
            lines.append(f"- **{escape(titles[chapter.name])}**: {links}")
    return "\n".join(lines) + "\n"
