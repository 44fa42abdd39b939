"""The latest-weeks alarm view of the acquisitive-crime chapter as plain text, for `--latest-weeks`."""
from __future__ import annotations

from pipeline.chapters.context import ChapterContext


def print_latest_weeks(ctx: ChapterContext) -> int:
    """The latest-weeks alarm view of the acquisitive-crime chapter, as plain text."""
    from pipeline.chapters.acquisitive import latest_weeks_view
    from pipeline.report.display import text_frame

    table, reason = latest_weeks_view(ctx)
    print(f"Personal acquisitive crime, {ctx.config.area_name}: the latest weeks to the end of "
          f"{ctx.period_end.strftime('%B %Y')} against their thresholds")
    if table.empty:
        print(reason)
        return 0
    print(text_frame(table).to_string(index=False))
    alarms = sorted(set(table.loc[table["Call"] == "ALARM", "Type"])) if "Call" in table else []
    weeks = table["Week"].nunique() if "Week" in table else 0
    print(f"Alarms this time: {', '.join(alarms)}." if alarms else
          f"No alarms: none of the {table['Type'].nunique()} types is above its threshold in the latest {weeks} weeks.")
    print("ALARM: above the improved-Farrington threshold (99.5%) with at least 5 events in 4 weeks, and beyond "
          "chance after false-discovery-rate control (5%) across the weeks and types shown. [c]: 1 to 4, not shown.")
    return 0
