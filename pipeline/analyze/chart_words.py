"""Words for chart titles, subtitles and descriptions: counts, shares, dates and ratios written the way a
newsroom writes them (AP style: one to nine in words, separators in numbers, full month names)."""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import textwrap

from pipeline.analyze.words import AP_MONTHS, date_words, period_words, plural, series, share

_SMALL = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def count(n: int, *, capital: bool = False) -> str:
    """8 -> "eight" ("Eight" at the start of a sentence), 3150 -> "3,150"."""
    word = _SMALL[n] if 0 <= n < 10 else f"{n:,}"
    return word[:1].upper() + word[1:] if capital else word


def percent(part: float, whole: float) -> str:
    """Share of a whole, by the one rounding rule of every page (words.share): "0.4%", "12%", "less than
    0.1%", "more than 99%"; "0%" when the whole is zero."""
    return share(part, whole) or "0%"


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
    """How much larger a is than b, as computed: "2.6 times as many" (84 and 32), "twice as many" (a = 2b),
    "as many" (a = b), "about as many" (less than 1.05 times); one decimal under 10, never rounded to a
    neater ratio such as "3 to 1" (a >= b > 0)."""
    if b <= 0 or a < b:
        raise ValueError(f"times({a}, {b}): needs a >= b > 0")
    r = a / b
    if a == b:
        return "as many"
    if a == 2 * b:
        return "twice as many"
    if r < 1.05:
        return "about as many"
    return f"{r:.1f} times as many" if r < 10 else f"{r:,.0f} times as many"


def shorten(name, chars: int) -> str:
    """`name` cut to at most `chars` characters between two words, ending in "…"; a name that fits, or a
    first word that does not, is returned as is (a word is never cut in the middle)."""
    name = " ".join(str(name).split())
    if len(name) <= chars:
        return name
    kept = ""
    for word in name.split(" "):
        nxt = f"{kept} {word}" if kept else word
        if len(nxt) + 1 > chars:
            break
        kept = nxt
    return (kept.rstrip(",;:-–") + "…") if kept else name


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` characters, so no title or caption runs past the chart's edge."""
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


# --------------------------------------------------------------------------------------------------
# Titles: each a function of the numbers the chart draws, so it is true of them (tests/test_chart_words.py)

RATE_BLOCKS = 4  # within one month: up to four equal stretches of at least a week, to see a change of rate
RATE_CHANGE = 2.0  # a daily rate that changed more than twofold between stretches is said, not averaged away


def per_day(rate: float) -> str:
    """A daily rate in words: "about 38 a day", "fewer than one a day", "none"."""
    if rate <= 0:
        return "none"
    if rate < 0.5:
        return "fewer than one a day"
    return f"about {round(rate):,} a day"


def rate_stretches(values: list[int], days: list[dt.date]) -> list[tuple[int, int, float]]:
    """(first index, last index, searches a day) of the stretches whose rates are compared: the calendar
    months with at least 7 days in the period when there are two or more (December against January 1-7),
    else up to RATE_BLOCKS equal stretches of at least 7 days; [] when the period is shorter than two weeks."""
    months: dict[tuple[int, int], list[int]] = {}
    for i, d in enumerate(days):
        months.setdefault((d.year, d.month), []).append(i)
    whole = [ix for ix in months.values() if len(ix) >= 7]
    if len(whole) >= 2:
        return [(ix[0], ix[-1], sum(values[ix[0] : ix[-1] + 1]) / len(ix)) for ix in whole]
    n = len(values)
    k = min(RATE_BLOCKS, n // 7)
    if k < 2:
        return []
    bounds = [round(i * n / k) for i in range(k + 1)]
    return [(a, b - 1, sum(values[a:b]) / (b - a)) for a, b in itertools.pairwise(bounds)]


def changed(rates: list[float]) -> bool:
    """True when the highest rate is more than RATE_CHANGE times the lowest (or some stretch had none)."""
    low, high = min(rates), max(rates)
    return high > 0 and (low == 0 or high / low > RATE_CHANGE)


def daily_title(values: list[int], days: list[dt.date]) -> str:
    """The per-day chart's title: the average, unless the rate changed more than twofold over the period,
    then the change (first stretch to last, or the range between stretches), and the peak day."""
    total, n = sum(values), len(values)
    if total == 0:
        return "No searches in this period"
    peak = max(range(n), key=lambda i: (values[i], -i))
    top = f"up to {values[peak]:,} on {date(days[peak])}"
    if n == 1:
        return f"{total:,} {plural(total, 'search', 'searches')} on {date(days[0])}"
    stretches = rate_stretches(values, days)
    rates = [r for _, _, r in stretches]
    if not stretches or not changed(rates):
        return f"About {round(total / n):,} searches a day, {top}"
    (a0, a1, first), (b0, b1, last) = stretches[0], stretches[-1]
    when = lambda i, j: f"{short_date(days[i])}–{short_date(days[j])}"
    if changed([first, last]):
        verb = "fell" if last < first else "rose"
        return f"Searches {verb} from {per_day(first)} ({when(a0, a1)}) to {per_day(last)} ({when(b0, b1)})"
    lo = min(range(len(stretches)), key=lambda i: rates[i])
    hi = max(range(len(stretches)), key=lambda i: rates[i])
    return (
        f"Searches ranged from {per_day(rates[lo])} ({when(*stretches[lo][:2])}) "
        f"to {per_day(rates[hi])} ({when(*stretches[hi][:2])})"
    )


def types_title(counts: dict[str, int], labels: dict[str, str]) -> str:
    """ "Civil immigration reasons outnumbered criminal ones, 84 to 32: 2.6 times as many", from the two most
    common types (`counts` by type id, `labels` their names)."""
    total = sum(counts.values())
    if total == 0:
        return "No immigration-related searches"
    (ta, a), (tb, b) = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:2]
    first, second = labels[ta], labels[tb].lower()
    if b == 0:
        return f"All {total:,} immigration-related {plural(total, 'search', 'searches')} gave {first.lower()} immigration reasons"
    if a == b:
        return f"{first} and {second} immigration reasons were as common: {a:,} each"
    return f"{first} immigration reasons outnumbered {second} ones, {a:,} to {b:,}: {times(a, b)}"


def reasons_title(rows: list[tuple[str, float, bool]]) -> str:
    """The reason chart's title from its bars (name, share of all searches, counted): the largest counted
    category, called "the largest" only when no bar is larger; else the larger (grey) bars are named after it."""
    counted = [r for r in rows if r[2] and r[1] > 0]
    if not counted:
        return "No search fell into a reason category"
    name, p, _ = max(counted, key=lambda r: r[1])
    larger = sorted((r for r in rows if r[1] > p), key=lambda r: -r[1])
    if not larger:
        return f"{name}: {percent(p, 1)} of searches, the largest reason category"
    after = series([f"{r[0].lower()} ({percent(r[1], 1)})" for r in larger])
    return f"{name}: {percent(p, 1)} of searches, after {after}"


def state_share_title(known: list[tuple[str, int]], unidentified: int, what: str) -> str:
    """Who ran the searches of a by-state chart: the leading state's share, unless agencies whose state is
    not identified (federal agencies, most often) ran most of them; then that is said first.
    `known` is (state, searches) largest first; `what` names the searches ("immigration-related searches")."""
    whole = sum(n for _, n in known) + unidentified
    if whole == 0:
        return f"No {what}"
    if 2 * unidentified > whole or not known:
        text = f"Agencies with no identified state ran {percent(unidentified, whole)} of the {whole:,} {what}"
        if known:
            text += f"; agencies in {known[0][0]}, {percent(known[0][1], whole)}"
        return text
    state, n = known[0]
    if n == whole:
        return f"Agencies based in {state} ran all {whole:,} {what}"
    text = f"Agencies based in {state} ran {percent(n, whole)} of the {whole:,} {what}"
    if unidentified > n:
        text += f"; agencies with no identified state, {percent(unidentified, whole)}"
    return text
