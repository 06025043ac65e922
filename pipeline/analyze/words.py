"""Figures in words, the same way on every page: counts with their noun, shares, dates and periods.

Pure functions, no data: `facts` writes the findings with them and `report.show` formats tables with
them, so a number reads the same in a sentence, a table and facts.json.
"""

from __future__ import annotations

import datetime as dt

# AP style: the months of five letters or fewer are spelled out, the others abbreviated.
AP_MONTHS = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")


def plural(n: int, one: str, many: str | None = None) -> str:
    """The noun for n: plural(1, "row") is "row", plural(2, "search", "searches") is "searches"."""
    return one if n == 1 else (many or one + "s")


def count(n: int | None, one: str, many: str | None = None) -> str:
    """n with its noun and thousands separators: "1 row", "2,805 agencies". None is "not measurable"."""
    if n is None:
        return f"{many or one + 's'}: not measurable in this release"
    return f"{n:,} {plural(n, one, many)}"


def were(n: int) -> str:
    """The verb agreeing with n: "1 was rejected", "2 were rejected"."""
    return "was" if n == 1 else "were"


def share(part: int | None, whole: int | None) -> str | None:
    """part / whole as a percentage a reader can quote: "89%", "0.4%", "less than 0.1%"; None when
    either is unknown or the whole is zero. Never "100%" or "0%" unless it is exactly that."""
    if part is None or not whole:
        return None
    p = 100 * part / whole
    if part == 0 or part == whole:
        return f"{p:.0f}%"
    if p < 0.1:
        return "less than 0.1%"
    if p > 99.5:
        return "more than 99%"
    return f"{p:.1f}%" if p < 10 else f"{p:.0f}%"


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def date_words(value, short: bool = False) -> str:
    """ "December 1, 2025" (short: AP style "Dec. 1, 2025"), from a date, datetime or ISO string."""
    d = _as_date(value)
    month = AP_MONTHS[d.month - 1] if short else d.strftime("%B")
    return f"{month} {d.day}, {d.year}"


def time_words(ts, short: bool = True) -> str:
    """A timezone-aware time as "Dec. 1, 2025, 3:04 p.m. CST" (the zone's abbreviation, never its IANA name)."""
    hour = ts.hour % 12 or 12
    half = "a.m." if ts.hour < 12 else "p.m."
    return f"{date_words(ts, short)}, {hour}:{ts.minute:02d} {half} {ts.strftime('%Z')}".rstrip()


def period_words(start, end) -> str | None:
    """The local days covered: "December 1, 2025 – January 7, 2026" (en dash); one day alone is that day."""
    if start is None or end is None:
        return None
    a, b = _as_date(start), _as_date(end)
    return date_words(a) if a == b else f"{date_words(a)} – {date_words(b)}"


def series(items: list[str], conjunction: str = "and") -> str:
    """ "A", "A and B", "A, B and C" (AP style: no serial comma)."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"
