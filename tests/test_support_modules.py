"""Configuration, atomic writing, table display and data-quality summaries."""
import pandas as pd
import pytest

from pipeline import fileio
from pipeline.analysis import quality
from pipeline.inputs.config import load_config
from pipeline.report.display import table_html


def test_shipped_configs_load_with_the_plans_targets():
    demo, real = load_config("config/demo.yaml"), load_config("config/real_2024.yaml")
    assert demo.synthetic and not real.synthetic and real.partner_dir is None
    wanted = {"Robbery": 5, "Vehicle crime": 10, "Theft from the person": 10, "Cycle theft": 5,
              "Violence against the person": 5}
    for config in (demo, real):
        reductions = {t.name: t.reduce_by_percent for t in config.targets if t.reduce_by_percent}
        assert reductions == wanted
        ae = next(t for t in config.targets if t.source == "ae_assaults")
        assert (ae.below, ae.plan_baseline) == (900, 1100)


def test_atomic_write_leaves_no_partial_file_when_writing_fails(tmp_path):
    target = tmp_path / "t.csv"
    fileio.write_csv(pd.DataFrame({"a": [1]}), target)
    with pytest.raises(RuntimeError):
        with fileio.atomic_path(target) as temporary:
            temporary.write_text("half")
            raise RuntimeError("killed")
    assert target.read_text() == "a\n1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_table_html_formats_numbers_and_missing_values():
    html = table_html(pd.DataFrame({"n": [12345, None], "r": [1.5, 2.0], "t": ["<b>", "x"]}), "Caption")
    assert "12,345" in html and "—" in html and "1.5" in html and "&lt;b&gt;" in html and "<caption>Caption" in html


def test_reject_reasons_group_by_rule_without_showing_values(tmp_path):
    (tmp_path / "rejects").mkdir()
    pd.DataFrame({"reject_source": ["s"] * 7, "reject_rule": ["known_lsoa"] * 6 + ["has_location"],
                  "reject_reason": [f"LSOA code 'E{i}' unknown" for i in range(6)] + ["no location"], "secret": list("abcdefg")}
                 ).to_csv(tmp_path / "rejects" / "s.csv", index=False)
    table = quality.reject_reasons(tmp_path)
    # Rows of files are shown exactly (issue 8): the accounting read = kept + rejected must be checkable.
    assert table.to_dict("records") == [
        {"Source": "s", "Rule": "has_location", "Reason": "no location", "Rows": 1},
        {"Source": "s", "Rule": "known_lsoa", "Reason": "LSOA code '…' unknown", "Rows": 6}]
    assert "secret" not in table and "E3" not in table.to_string()


def test_prevalence_chart_draws_shares_of_0_and_100_percent():
    from pipeline.analysis.flags import prevalence
    from pipeline.report import plotting

    frame = pd.DataFrame({"alcohol_flag": ["Y"] * 12, "drugs_flag": ["N"] * 12, "mental_health_flag": ["Y", "N"] * 6,
                          "year_ending": "Apr 2024 - Mar 2025"})
    table = prevalence(frame, None, "All", ["Apr 2024 - Mar 2025"])
    assert set(table["Share (%)"].round(6)) >= {100.0, 0.0}
    assert plotting.prevalence_trend_chart(table, "All", "t") is not None


def test_monthly_grid_hides_small_counts_labels_every_column_and_describes_itself():
    import numpy as np

    from pipeline.report import plotting

    months = pd.date_range("2023-04-01", periods=24, freq="MS")
    frame = pd.concat([pd.DataFrame({"month": months, "crime_type": name, "count": counts})
                       for name, counts in [("Burglary", np.r_[[3] * 2, [40] * 22]), ("Drugs", [25] * 24),
                                            ("Robbery", [12] * 24), ("Shoplifting", [90] * 24)]])
    figure = plotting.monthly_trend_grid(frame, "Crimes per month")
    visible = [axis for axis in figure.axes if axis.get_visible()]
    assert [axis.get_title() for axis in visible] == ["Burglary", "Drugs", "Robbery", "Shoplifting"]
    burglary = visible[0].lines[0].get_ydata()
    assert np.isnan(burglary[:2]).all() and not np.isnan(burglary[2:]).any()  # counts 1 to 4 are not drawn
    # 4 panels in 3 columns: the panel above each empty slot carries the dates
    bottoms = [axis for axis in visible if any(label.get_visible() for label in axis.get_xticklabels())]
    assert {axis.get_title() for axis in bottoms} == {"Robbery", "Shoplifting", "Drugs"}
    _, alt = plotting.describe(figure)
    assert "Vertical axis: crimes per month." in alt and "4 panels: Burglary, Drugs, Robbery, Shoplifting." in alt
    plotting.plt.close(figure)


def test_a_chart_without_a_title_is_refused_and_every_multi_panel_chart_says_what_it_shows():
    """A caption or alt text of 'Chart.' tells a reader nothing: a chart with no title cannot be published."""
    import pandas as pd
    import pytest

    from pipeline.report import plotting, violence_charts

    figure, axes = plotting.plt.subplots(1, 2)
    with pytest.raises(ValueError, match="needs a title"):
        plotting.describe(figure)
    plotting.plt.close(figure)
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    week = pd.DataFrame(10.0, index=days, columns=range(24))
    figure = violence_charts.week_heatmaps({"police": week, "ae": week}, "Friday 18:00 to Sunday 06:00")
    title, alt = plotting.describe(figure)
    assert title.startswith("Violence by day and hour") and not alt.startswith("Chart: Chart")
    assert "ISTV" in figure.csp_source and "police records" in figure.csp_source  # both sources drawn are named
    plotting.plt.close(figure)
