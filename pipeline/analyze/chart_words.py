"""Words for chart titles, subtitles and descriptions: counts, shares, dates and ratios written the way a
newsroom writes them (AP style: one to nine in words, separators in numbers, full month names)."""

from __future__ import annotations

import calendar
import datetime as dt
import textwrap

from pipeline.analyze.words import AP_MONTHS, date_words, period_words, plural  # noqa: F401  (one spelling of each)

_SMALL = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def count(n: int, *, capital: bool = False) -> str:
    """8 -> "eight" ("Eight" at the start of a sentence), 3150 -> "3,150"."""
    word = _SMALL[n] if 0 <= n < 10 else f"{n:,}"
    return word[:1].upper() + word[1:] if capital else word


def percent(part: float, whole: float) -> str:
    """Share as a whole percent; "less than 1%" rather than a misleading 0%, "all" never rounded up to 100%."""
    if whole <= 0:
        return "0%"
    share = 100 * part / whole
    if 0 < share < 1:
        return "less than 1%"
    if 99 < share < 100:
        return "more than 99%"
    return f"{round(share):.0f}%"


def date(d: dt.date) -> str:
    """December 1, 2025."""
    return date_words(d)


def short_date(d: dt.date) -> str:
    """Dec. 1 (AP abbreviations; March to July are never abbreviated)."""
    return f"{AP_MONTHS[d.month - 1]} {d.day}"


def span(first: dt.date, last: dt.date) -> str:
    """December 1, 2025 – January 7, 2026 (en dash); one day is just that day."""
    return period_words(first, last)


def whole_months(first: dt.date, last: dt.date) -> bool:
    """True when first..last starts on a month's first day and ends on a month's last day."""
    return first.day == 1 and last.day == calendar.monthrange(last.year, last.month)[1]


def times(a: int, b: int) -> str:
    """How a compares to b in words: "2 to 1", "3 to 2", "about equal" (a >= b > 0)."""
    r = a / b
    if r >= 1.95:
        return f"{round(r):,} to 1"
    for num, den in ((3, 2), (4, 3), (5, 4)):
        if abs(r - num / den) < 0.05:
            return f"{num} to {den}"
    return f"{a:,} to {b:,}"


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` characters, so no title or caption runs past the chart's edge."""
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
