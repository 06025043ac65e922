"""The ranking charts of a release: the agencies that searched the most, and the reason categories.

Bars are labelled directly with their count and share (chart_words.percent, the one rounding rule of the
pages). Agency names are shortened between words to fit the label space, never cut mid-word; the full name
is in the tooltip and the CSV. The reason chart's title names "the largest" category only when no bar,
grey ones included, is larger (chart_words.reasons_title).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from pipeline.analyze import chart_words as words
from pipeline.analyze.chart_style import (
    BAR_COLOR,
    BAR_WIDTH,
    GREY_COLOR,
    agency_names,
    bar_labels,
    finish,
    name_axis,
    require,
    short_names,
    subject,
    value_label,
    with_period,
)
from pipeline.analyze.chart_style import (
    text as fixed_text,
)


def _concentration(data: pd.DataFrame, whole: int, limit: int) -> tuple[int, int]:
    """(k, their searches): the fewest top agencies that ran at least half of `whole`, at most `limit`."""
    running = data["searches"].cumsum().to_numpy()
    reached = [i for i, s in enumerate(running) if 2 * s >= whole]
    k = min(reached[0] + 1 if reached else len(data), limit)
    return k, int(running[k - 1]) if k else 0


def top_agencies(
    top: pd.DataFrame,
    *,
    jurisdiction_name: str,
    synthetic: bool,
    n: int = 20,
    log_kind: str = "network",
    source: str | None = None,
    period: str | None = None,
    total: int | None = None,
    all_searches: int | None = None,
) -> alt.Chart:
    """Horizontal bars: the `n` agencies with the most searches, largest first, each labelled with its count.

    `top` has columns org_name (str; missing names are shown as "(agency not recorded)") and searches (int).
    `total` is the number of agencies in the whole release (the table is often cut already): the subtitle
    says "top 20 of 3,150 agencies". `all_searches`, the release's searches, adds shares to the labels and
    lets the title say how concentrated the searching was. Ties are ordered by name. Names longer than the
    label space are shortened between words, with "…"; the tooltip has them in full.
    """
    require(top, ("org_name", "searches"), "top")
    data = pd.DataFrame({"name": agency_names(top["org_name"]), "searches": top["searches"].astype("int64")})
    data = data.sort_values(["searches", "name"], ascending=[False, True], kind="stable")
    n_agencies = max(int(total or 0), len(data))
    data = data.head(n).reset_index(drop=True)
    data["short"] = short_names(data["name"])
    data["label"] = value_label(data["searches"], all_searches)
    text, description = _top_words(data, jurisdiction_name, log_kind, period, n_agencies, all_searches)
    shown = (
        f"the top {len(data):,} of {n_agencies:,} agencies"
        if n_agencies > len(data)
        else f"all {n_agencies:,} {words.plural(n_agencies, 'agency', 'agencies')}"
    )
    subtitle = [
        with_period(f"Searches {subject(jurisdiction_name, log_kind)}, by searching agency", period)
        + f"; {shown}"
        + ("; share of all searches in brackets." if all_searches else ".")
    ]
    order = list(data["short"])
    bars = (
        alt.Chart(data)
        .mark_bar(color=BAR_COLOR)
        .encode(
            y=name_axis(order, "short"),
            x=alt.X("searches:Q", title=None, axis=None),
            tooltip=[alt.Tooltip("name:N", title="Agency"), alt.Tooltip("searches:Q", title="Searches", format=",d")],
        )
    )
    return finish(
        alt.layer(bars, bar_labels(bars)),
        text=text,
        subtitle=subtitle,
        synthetic=synthetic,
        source=source,
        description=description,
        jurisdiction_name=jurisdiction_name,
        width=BAR_WIDTH,
        height=alt.Step(22),
    )


def _top_words(data, name, log_kind, period, n_agencies, all_searches) -> tuple[str, str]:
    if data.empty:
        return "No agency is named in this release", "Bar chart of searching agencies: none is named."
    first, most = data["name"].iloc[0], int(data["searches"].iloc[0])
    if all_searches:
        k, theirs = _concentration(data, all_searches, len(data))
        who = first if k == 1 else f"{words.count(k, capital=True)} agencies"
        text = f"{who} ran {words.percent(theirs, all_searches)} of the searches"
        if k == len(data) and 2 * theirs < all_searches:
            text = f"The top {k:,} of {n_agencies:,} agencies ran {words.percent(theirs, all_searches)} of the searches"
    else:
        text = f"{first} ran the most searches: {most:,}"
    runners = "; ".join(f"{r.name} ({r.searches:,})" for r in data.iloc[1:3].itertuples())
    description = (
        f"Bar chart of the {len(data):,} agencies, of {n_agencies:,}, that ran the most searches "
        f"{subject(name, log_kind)}{', ' + period if period else ''}. {first} ran the most, {most:,}"
        + (f", then {runners}." if runners else ".")
    )
    return text, description


def reason_categories(
    df: pd.DataFrame,
    *,
    jurisdiction_name: str,
    synthetic: bool,
    log_kind: str = "network",
    source: str | None = None,
    period: str | None = None,
) -> alt.Chart:
    """Horizontal bars: every reason category, largest first, each labelled with its searches and share.

    `df` has columns id (the category of rules/reasons.yml), label (its name in words), searches (int) and
    share (searches / all searches, 0 to 1; FACTS' facts.json["reason_categories"]). The categories that are
    lists to read rather than counts (charts.yml review_categories) come last, in grey.
    """
    require(df, ("id", "label", "searches", "share"), "reason_categories")
    review, rest = set(fixed_text()["review_categories"]), set(fixed_text()["rest_categories"])
    data = pd.DataFrame(
        {
            "id": df["id"].astype(str),
            "name": df["label"].astype(str),
            "searches": df["searches"].astype("int64"),
            "share": df["share"].astype(float),
        }
    )
    data["counted"] = ~data["id"].isin(review | rest)
    data = data.sort_values(["counted", "searches", "name"], ascending=[False, False, True], kind="stable")
    data["label"] = [f"{s:,} ({_share_words(p)})" for s, p in zip(data["searches"], data["share"])]
    subtitle = [
        with_period(
            f"Searches {subject(jurisdiction_name, log_kind)} by the reason officers typed or "
            "picked, grouped by the project's reason rules",
            period,
        )
        + "; share of all searches in brackets.",
        fixed_text()["overlap_note"],
    ]
    if data["id"].isin(review).any():
        subtitle.append(fixed_text()["review_note"])
    if data["id"].isin(rest).any():
        subtitle.append(fixed_text()["rest_note"])
    text, description = _reason_words(data, jurisdiction_name, log_kind, period)
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=name_axis(list(data["name"])),
            x=alt.X("searches:Q", title=None, axis=None),
            color=alt.Color(
                "counted:N", legend=None, scale=alt.Scale(domain=[True, False], range=[BAR_COLOR, GREY_COLOR])
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Category"),
                alt.Tooltip("searches:Q", title="Searches", format=",d"),
                alt.Tooltip("share:Q", title="Share of all searches", format=".1%"),
            ],
        )
    )
    return finish(
        alt.layer(bars, bar_labels(bars)),
        text=text,
        subtitle=subtitle,
        synthetic=synthetic,
        source=source,
        description=description,
        jurisdiction_name=jurisdiction_name,
        width=BAR_WIDTH,
        height=alt.Step(26),
    )


def _share_words(share: float) -> str:
    return words.percent(share, 1.0)


def _reason_words(data: pd.DataFrame, name: str, log_kind: str, period: str | None) -> tuple[str, str]:
    """(title, description) from every bar drawn: the title is chart_words.reasons_title of them."""
    what = f"searches {subject(name, log_kind)}"
    counted = data[data["counted"]]
    if counted.empty or int(counted["searches"].max()) == 0:
        return (
            "No search fell into a reason category",
            f"Bar chart of {what} by reason category{', ' + period if period else ''}: none fell into one.",
        )
    text = words.reasons_title(list(zip(data["name"], data["share"].astype(float), data["counted"])))
    listed = "; ".join(f"{r.name} {r.searches:,} ({_share_words(r.share)})" for r in data.itertuples())
    description = (
        f"Bar chart of {what} by reason category{', ' + period if period else ''}: {listed}. "
        "A search can be in several categories."
    )
    return text, description
