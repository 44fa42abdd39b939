"""The report's generated appendices: methods (each statistic in words, with its source), data notes
(sources, periods, recording caveats, licences), a glossary, provenance (from the run's manifest facts) and
the annex of published tables (every CSV the chapters saved, linked)."""
from __future__ import annotations

from html import escape
from pathlib import Path

from pipeline.chapters.registry import CHAPTERS
from pipeline.formatting import literal
from pipeline.methods import farrington

COMPARISON = farrington.REFERENCE_COMPARISON
EMERGING_TRENDS = (
    "Improved Farrington algorithm on daily, weekly and monthly counts (settings for weeks; months and days keep the "
    f"shape): {farrington.CONTROLS['week'].describe('week')}; a linear trend is kept when its t-test gives p < 0.05, "
    "the expected count does not exceed the largest baseline count and three years of baseline are there. Alarms "
    "survive false-discovery-rate control at 5% across types and periods. Where it differs from R's "
    "farringtonFlexible (surveillance 1.20.3), on purpose: after down-weighting, the trend's test and the "
    "prediction's variance use the Pearson dispersion of the reweighted fit, where surveillance uses the weighted "
    "squared relative residuals (it stores the weights where R keeps the working weights). On the reference series "
    f"of the tests it keeps a trend in {COMPARISON['trend_periods']} of {COMPARISON['periods']} periods where "
    f"surveillance keeps one in {COMPARISON['reference_trend_periods']}, and its thresholds run from "
    f"{100 * (1 - COMPARISON['threshold_ratio_low']):.0f}% below to {100 * (COMPARISON['threshold_ratio_high'] - 1):.0f}% "
    "above surveillance's, mostly above. A surveillance-compatible mode reproduces farringtonFlexible to "
    "its displayed precision and is tested against it. Against Noufaily et al. (2013): b = 3 years (what a five-year "
    "extract can give) rather than 5, and the 2/3-power threshold rather than the negative binomial quantile. On "
    f"simulated seasonal series with no outbreak the detector crosses its threshold in "
    f"{farrington.NULL_CROSSINGS_PERCENT['production']:.1f}% of series-weeks "
    f"({farrington.NULL_CROSSINGS_PERCENT['surveillance']:.1f}% in the surveillance-compatible mode; nominal 0.5%), "
    "before false-discovery-rate control.")

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
    ("Associations of flags", "2 x 2 tables of records: a flag (alcohol, drugs, mental health) in an exposed group "
     "against a reference group. The odds ratio and its test come from a logistic regression clustered by person, "
     "with the bias-reduced (CR2) variance and Bell-McCaffrey degrees of freedom, so that one person with many records "
     "(or a placeholder id such as UNKNOWN, which ingest reads as not recorded) cannot make chance look like an "
     "association; Fisher's exact test on records where an expected count is under 5. The Benjamini-Hochberg "
     "procedure holds the false discovery rate at 5% across every question asked.", "Bell and McCaffrey (2002), "
     "Survey Methodology 28; Pustejovsky and Tipton (2018), JBES 36 (R clubSandwich); Benjamini and Hochberg (1995), "
     "JRSS B 57"),
    ("Emerging trends", EMERGING_TRENDS, "Noufaily et al. (2013), Statistics in Medicine 32; R package surveillance "
     "1.20.3, farringtonFlexible"),
    ("Many changes in one table", "A table of several year-on-year changes (crime types, wards, zones, service "
     "measures, targets) is one family of tests: each change is called beyond natural variation when its "
     "Benjamini-Hochberg q-value is at most 0.05 within the family, which the table's note names.",
     "Benjamini and Hochberg (1995), JRSS B 57"),
    ("Smallest detectable change", "Beside every change within natural variation and every 'no clear trend': the "
     "smallest rise and fall the test used would have detected with 80% power. For two counts, the exact power of the "
     "conditional test summed over the Poisson total, with last year's count as its rate (for a family of m changes, "
     "at p <= 0.05 / m); for a trend, the noncentral t of the slope's test. Checked by simulation: changes of exactly "
     "that size are detected in about 80% of draws.", "Gail (1974), Biometrics 30; Cohen (1988), Statistical Power "
     "Analysis"),
    ("Seasonal peaks", "Calendar-month effects from a quasi-Poisson model over the complete years; a month is a peak "
     "when its effect is above an average month by a t test.", "Standard GLM seasonal decomposition"),
    ("Near repeats", "Knox test: pairs of events close in space and time against a permutation distribution of the "
     "times (999 permutations), false discovery rate 5% across bands.", "Knox (1964); Near Repeat Calculator (Ratcliffe)"),
    ("Hotspots", "Getis-Ord Gi* on 250 m grid cells and on LSOAs with a distance-band weight, false discovery rate 5%; "
     "a cell is persistent, emerging, former or intermittent by its classes over the years, and emerging since a "
     "quarter when it became hot in one of the latest eight quarters and not before; counted from the force's "
     "police records where they are supplied with locations, else police.uk; kernel density with a 500 m bandwidth.",
     "Getis and Ord (1992); Ord and Getis (1995); esda/libpysal; sfhotspot (R)"),
    ("Statistical process control", "XmR chart: mean of the monthly counts, limits at the mean plus or minus 2.66 times "
     "the mean moving range; the run rules of NHS Making Data Count.", "Wheeler (1995); NHS England, Making Data Count"),
    ("County comparison", "Funnel plot: each district's rate against exact Poisson 95% and 99.8% limits around the "
     "county rate.", "Spiegelhalter (2005), Statistics in Medicine 24"),
    ("Re-offending", "Each IOM member's offences and severity in equal windows before and after joining; Wilcoxon "
     "signed-rank test of the paired change.", "Wilcoxon (1945)"),
    ("Harm", "Each crime type's count times its harm weight (a configured weighting; a weighting by Home Office offence "
     "code is carried to police.uk types as the mean of the codes' weights, weighted by the force's recorded offences). "
     "The total's 95% interval is Dobson's method for a weighted sum of Poisson counts; its change on last year and "
     "the partnership's harm per 1,000 against each district, a weighted normal test.",
     "Dobson et al. (1991), Statistics in Medicine 10; ONS (2016) Crime Severity Score research outputs"),
    ("Priority-setting matrix", "Each candidate scores 1 to 4 on stated bands of harm share, volume, the change and "
     "trend (only when beyond natural variation), repeat victims and the board's public concern and ability to act; "
     "the score is the weighted mean. Rank intervals: 2.5th to 97.5th percentile of ranks over 1,000 Poisson "
     "resamples of every count.", "MoRiLE (NPCC); Efron and Tibshirani (1993), ch. 6; Goldstein and Spiegelhalter "
     "(1996), JRSS A 159"),
    ("Disclosure control", "No published count from 1 to 4; a second cell is suppressed wherever a total would reveal "
     "a suppressed one.", "ONS disclosure control guidance for tables"),
    ("Checked by simulation", "Every test above is run on simulated data with no effect (it rejects at its nominal "
     "rate) and with a planted effect of known size (the interval covers it): tests/test_null_simulations.py and the "
     "method tests.", "This project's test suite"),
)

GLOSSARY = (
    ("A&E", "Accident and emergency department (here, Addenbrooke's), whose assault attendances come from ISTV."),
    ("Aoristic", "Spreading an offence whose time is known only as a window (say 22:00 to 06:00) over the hours of "
     "that window in equal shares, so that every offence counts once in total."),
    ("ASB", "Anti-social behaviour: personal, nuisance or environmental, as the national categories define it."),
    ("BH", "Benjamini-Hochberg: the method that holds the false discovery rate (FDR) across a table of tests."),
    ("CI", "Confidence interval: the range of values the data are consistent with; a 95% interval misses the true "
     "value about one time in twenty."),
    ("CCHI", "Cambridge Crime Harm Index: a harm weighting giving each offence the starting-point sentence in days."),
    ("CSS", "Crime Severity Score (ONS): a harm weighting giving each Home Office offence code a weight from the "
     "sentences courts hand down for it."),
    ("CR2", "A small-sample correction for tests on records that cluster by person (one person's many records), "
     "with Bell-McCaffrey degrees of freedom."),
    ("CSP", "Community Safety Partnership: the statutory partnership of council, police, fire, health and probation."),
    ("CSV", "Comma-separated values: the published tables, which open in a spreadsheet."),
    ("DfE", "Department for Education: its school census and exclusion returns are held by pupil."),
    ("Emerging hotspot", "A place hot (Gi*) in recent years but rarely before; by quarters, a place first hot in one "
     "of the latest eight quarters, hot in the latest and in at least half of the quarters since."),
    ("Former hotspot", "A place hot (Gi*) in earlier years but rarely in recent ones."),
    ("Exceedance score", "How far a count is above its alarm threshold, relative to the threshold's distance from "
     "the expected count; above 1 is an alarm."),
    ("E-CINS", "The case-management system many partnerships use to record ASB cases and the people in them."),
    ("FDR", "False discovery rate: the expected share of false alarms among the findings called significant."),
    ("Funnel plot", "Each district's rate against its population, with limits that narrow as the population grows: "
     "a district outside them differs from the county rate by more than chance."),
    ("Gi*", "Getis-Ord statistic: whether an area and its neighbours together have more events than chance gives."),
    ("Harm weighting", "Weights that count each offence by the harm it does rather than as one, named with its "
     "version and source; illustrative weights are labelled as such wherever they are used."),
    ("Dobson's method", "The interval for a weighted sum of Poisson counts, such as total harm: the exact Poisson "
     "interval of the count, scaled by the spread of the weights."),
    ("GLM", "Generalised linear model: a regression for counts or yes/no outcomes."),
    ("HMIC", "Her Majesty's Inspectorate of Constabulary (now HMICFRS), which inspects police recording."),
    ("ISO", "International Organization for Standardization; an ISO week runs Monday to Sunday."),
    ("IOM", "Integrated Offender Management: the multi-agency scheme for the offenders causing most harm."),
    ("ID", "Identifier: a police.uk Crime ID joins a street crime to its outcomes; person ids are pseudonymised."),
    ("ISTV", "Information Sharing to Tackle Violence: the A&E assault data set (Information Standard ISB 1594)."),
    ("Intermittent hotspot", "A place hot (Gi*) in at least one year in ten, with no clearer pattern."),
    ("MoRiLE", "Management of Risk in Law Enforcement: the police method of scoring candidate priorities on harm, "
     "likelihood and the organisation's ability to act."),
    ("Rank interval", "The range of ranks a candidate takes in 95% of resamples of the counts: candidates whose "
     "intervals overlap cannot be put in order by the data."),
    ("LSOA", "Lower layer Super Output Area: an ONS area of about 1,500 residents (2021 boundaries)."),
    ("Natural variation", "The year-to-year movement chance alone produces in counts of events; a change is beyond it "
     "when an exact test gives p < 0.05 (q <= 0.05 when it is one of a table of changes). Within natural variation "
     "is not the same as stable: beside it is the smallest change the data could have detected."),
    ("NDTMS", "National Drug Treatment Monitoring System: the record of people in drug and alcohol treatment."),
    ("NEET", "Not in education, employment or training (of a young person aged 16 to 24)."),
    ("NHS", "National Health Service."),
    ("NTE", "Night-time economy: Friday 18:00 to Sunday 06:00 in the licensed zones, as the configuration defines it."),
    ("Odds ratio", "How many times higher the odds of a flag are in one group than in another; 1 means no difference."),
    ("OHID", "Office for Health Improvement and Disparities, which publishes the Fingertips health indicators."),
    ("ONS", "Office for National Statistics: population estimates, the Census and the area lookups."),
    ("OS", "Ordnance Survey: the national grid the maps and the 250 m cells use."),
    ("p-value", "The chance of a difference at least this large if there were no real difference."),
    ("Persistent hotspot", "A place hot (Gi*) in at least 80% of the years of the data."),
    ("Pro rata", "A whole year's target scaled to the months so far by the baseline year's seasonal pattern."),
    ("q-value", "A p-value adjusted for the number of changes in its table (BH); a q-value of 0.05 or less is beyond "
     "natural variation at a 5% false discovery rate."),
    ("RAG rating", "Red, amber or green, by the rules stated under the priorities table."),
    ("Rate ratio", "This year's rate divided by last year's; 1 means no change."),
    ("Recording effect", "A change in a flagged count that follows a change in how often the flag is filled in, "
     "not a change in what happened."),
    ("Special cause", "A month outside an XmR chart's process limits, or a run of months on one side of its mean: a "
     "change in the process, not routine variation."),
    ("Wilson, Garwood", "Exact or near-exact 95% intervals: Wilson's for a share, Garwood's for a count."),
    ("w/c", "Week commencing: the Monday a week (Monday to Sunday) starts."),
    ("XmR", "An individuals and moving-range chart: monthly counts against process limits set from their own "
     "month-to-month variation."),
    ("[c]", "A count from 1 to 4, not shown to protect the people counted (or a cell that would reveal one)."),
)


def methods_appendix() -> str:
    rows = "".join(f'<tr><td class="text">{escape(name)}</td><td class="text">{escape(words)}</td>'
                   f'<td class="text">{escape(source)}</td></tr>' for name, words, source in METHODS)
    return ("# Methods\n\nEach statistic in the report, in words, with the source of the method. The code is in "
            "`pipeline/methods/`, one module per method, each naming its source.\n\n"
            '<table class="report-table"><caption>The statistics used</caption><thead><tr><th>Statistic</th>'
            f"<th>How it is computed</th><th>Source</th></tr></thead><tbody>{rows}</tbody></table>\n")


def data_notes_appendix(period: str, facts: dict, synthetic: bool, commentary_checks: list[str] | None = None) -> str:
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
""" + _commentary_checks(commentary_checks)


def _commentary_checks(checks: list[str] | None) -> str:
    """The analyst's commentary against this run's figures: numbers typed by hand that no published figure says now."""
    if not checks:
        return ""
    items = "\n".join(f"- {literal(check[:1].upper() + check[1:])}" for check in checks)
    return f"""
## Commentary checks

Numbers in the analyst's commentary typed by hand rather than as references, which no published figure of their
chapter says now (the data changed since it was written, or it was mistyped), and set-aside lines that match no
finding:

{items}
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
