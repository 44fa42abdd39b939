"""Table cells that carry several numbers: a share with its interval and counts, an estimate with its
interval, a change from one count to another. They stay numbers until display (pipeline.report.display
formats them), findings read their fields, and disclosure control asks each which counts it reveals.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from pipeline import formatting as fmt
from pipeline.methods.statistics import MIN_RELIABLE_COUNT, wilson_interval


class _Cell:
    """A table cell with several numbers; by default it reveals no count (disclosure.is_small asks)."""

    def revealed_counts(self) -> tuple[int, ...]:
        return ()

    def lines(self) -> list[str]:
        """The cell on separate lines (a table shows the estimate first, its interval and counts beneath)."""
        return [str(self)]


@dataclass(frozen=True)
class Proportion(_Cell):
    """k of n with its Wilson 95% interval (pipeline.methods.statistics.wilson_interval)."""

    k: int
    n: int

    @property
    def share(self) -> float:
        return self.k / self.n * 100 if self.n else math.nan

    @property
    def interval(self) -> tuple[float, float]:
        low, high = wilson_interval(self.k, self.n) if self.n else (math.nan, math.nan)
        return low * 100, high * 100

    @property
    def too_few(self) -> bool:
        return self.n < MIN_RELIABLE_COUNT

    def revealed_counts(self) -> tuple[int, ...]:
        return (self.k, self.n - self.k, self.n)

    def __str__(self) -> str:
        if self.n == 0:
            return "no records"
        low, high = self.interval
        text = f"{fmt.percent(self.share)} ({fmt.interval(low, high, 'percent')}), {fmt.count(self.k)} of {fmt.count(self.n)}"
        return text + (" (too few to interpret)" if self.too_few else "")

    def lines(self) -> list[str]:
        if self.n == 0:
            return ["no records"]
        low, high = self.interval
        return ([fmt.percent(self.share), f"({fmt.interval(low, high, 'percent')})", f"{fmt.count(self.k)} of {fmt.count(self.n)}"]
                + (["too few to interpret"] if self.too_few else []))

    def brief(self) -> str:
        """'30.7% (490 of 1,594)', for sentences."""
        return f"{fmt.percent(self.share)} ({fmt.count(self.k)} of {fmt.count(self.n)})"


@dataclass(frozen=True)
class Estimate(_Cell):
    """A value with its 95% interval; `kind` is its display kind (ratio, rate, percent)."""

    value: float
    low: float
    high: float
    kind: str = "ratio"

    @property
    def defined(self) -> bool:
        return not any(math.isnan(v) for v in (self.value, self.low, self.high))

    def __str__(self) -> str:
        if not self.defined:
            return fmt.MISSING
        show = fmt.percent if self.kind == "percent" else (lambda v: fmt.decimal(v, self.kind))
        return f"{show(self.value)} ({fmt.interval(self.low, self.high, self.kind)})"

    def lines(self) -> list[str]:
        text = str(self)
        return text.split(" (", 1)[:1] + ["(" + text.split(" (", 1)[1]] if " (" in text else [text]


@dataclass(frozen=True)
class Interval(_Cell):
    """A 95% interval on its own, beside the estimate in the next column."""

    low: float
    high: float
    kind: str = "rate"

    def __str__(self) -> str:
        if self.kind == "count":
            return f"{fmt.count(self.low)} to {fmt.count(self.high)}"
        return fmt.interval(self.low, self.high, self.kind)


@dataclass(frozen=True)
class Span(_Cell):
    """From one value to another ('1,628 to 1,757', '29.9% to 57.1%'); counts reveal both ends."""

    before: float
    after: float
    kind: str = "count"

    def revealed_counts(self) -> tuple[int, ...]:
        return (int(self.before), int(self.after)) if self.kind == "count" else ()

    def __str__(self) -> str:
        show = fmt.count if self.kind == "count" else fmt.percent
        return f"{show(self.before)} to {show(self.after)}"
