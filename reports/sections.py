"""The report's content: the cover block and each numbered section, as flowables.

Contract: :func:`cover` gives the cover block (pseudonym, session, date, centre,
station, battery, norms, purpose) with a notice for a DEMO report, for provisional
norms and for norms built from another battery design.  Every ``*_section(data,
number)`` returns one numbered section's flowables (heading first); which
sections a report has, in which order, and which stay whole on a page is decided by
:mod:`reports.build`.

* :func:`ability_section` and :func:`trait_section`: the abilities (higher is
  better) and the behavioural styles (neither end better), each as a
  :class:`~reports.chart.TraitProfileChart`, and under it notes in sentences
  (:func:`trait_notes`): traits not reported grouped by reason – said once when
  every trait of the section is missing for the same reason – and the metrics left
  out, named as the games tables name them (:func:`metric_label`).
* :func:`games_section`: one table per game; a metric without a percentile says
  why in the percentile column ("none: too few trials" ...).  Flags are in words,
  each kind once with its details joined (:func:`reports.labels.flag_names`), in a
  column that never breaks a word.  A metric with a key is printed with the name,
  meaning and unit of the report's wording in its language (:func:`metric_words`).
* :func:`quality_section`: the session's quality notes (a note that is a bare
  scoring flag, such as ``provisional_norms``, in words), the engagement block
  (:mod:`reports.quality_section`) and a glossary of every flag used.
* :func:`timing_section`, :func:`incident_section`, :func:`norms_section`,
  :func:`integrity_section` (event count and chain head, in groups of eight hex
  digits) and :func:`evidence_section` (hashes in small monospace, the checkpoint
  signature shortened).

Data text enters only through :mod:`reports.formatting` (:func:`markup` and
friends); the report's own wording comes from :mod:`reports.labels`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_LEFT
from reportlab.platypus import Flowable, HRFlowable, KeepTogether, Paragraph, Spacer, Table

from reports.chart import TraitProfileChart
from reports.formatting import (
    DASH,
    format_ci,
    format_date,
    format_datetime,
    format_int,
    format_number,
    format_percent,
    format_percentile,
    hex_groups,
    markup,
    metric_decimals,
    mono,
    note_markup,
    plain,
)
from reports.labels import (
    flag_explanation,
    flag_name,
    flag_names,
    metric_meaning,
    metric_name,
    text,
    unit_name,
)
from reports.model import GameSection, MetricRow, ReportData, TraitRow
from reports.quality_section import engagement_block
from reports.theme import (
    FONT_REGULAR,
    FRAME_W,
    RULE,
    WARN_EDGE,
    WARN_FILL,
    para,
    ruled_table_style,
    table_style,
    with_next,
)

__all__ = [
    "ability_section",
    "cover",
    "evidence_section",
    "games_section",
    "incident_section",
    "integrity_section",
    "metric_label",
    "norms_section",
    "quality_section",
    "timing_section",
    "trait_notes",
    "trait_section",
]


def _section(number: int, title: str) -> list[Flowable]:
    heading = para(f"{number}\u2002{escape(title)}", "h1")
    rule = HRFlowable(
        width="100%", thickness=0.6, color=RULE, spaceBefore=3, spaceAfter=7, hAlign=TA_LEFT
    )
    rule.keepWithNext = 1
    return [heading, rule]


def cover(data: ReportData) -> list[Flowable]:
    language = data.language
    norms_status = text(
        language, "status_provisional" if data.norms.provisional else "status_final"
    )
    fields = [
        ("cover_session", data.session_id),
        ("cover_date", format_datetime(data.session_date, language)),
        ("cover_centre", data.centre_name),
        ("cover_station", data.station_name),
        (
            "cover_battery",
            text(
                language,
                "cover_battery_value",
                name=data.battery_name,
                version=data.battery_version,
            ),
        ),
        (
            "cover_norms",
            text(language, "cover_norms_value", version=data.norms.version, status=norms_status),
        ),
    ]
    cells = [
        [para(escape(text(language, key)), "field_label"), para(markup(value), "field_value")]
        for key, value in fields
    ]
    grid = Table(
        [cells[0:3], cells[3:6]],
        colWidths=[125.0, 215.0, FRAME_W - 340.0],
        hAlign="LEFT",
        style=table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LINEABOVE", (0, 0), (-1, 0), 0.6, RULE),
                ("LINEBELOW", (0, -1), (-1, -1), 0.6, RULE),
            ]
        ),
    )
    story: list[Flowable] = [
        para(escape(text(language, "cover_kicker")), "kicker"),
        para(escape(text(language, "cover_pseudonym")), "pseudonym_label"),
        para(markup(data.candidate_pseudonym), "pseudonym"),
        grid,
        Spacer(0, 8),
        para(escape(text(language, "cover_purpose")), "purpose"),
    ]
    if data.evidence is not None and data.evidence.demo:
        story += [Spacer(0, 8), _demo_notice(language)]
    if data.norms.provisional:
        story += [Spacer(0, 8), _provisional_notice(data)]
    if data.norms.other_design:
        story += [Spacer(0, 8), _other_design_notice(data)]
    return story


def _demo_notice(language: str) -> Flowable:
    return _notice(text(language, "demo_banner"), text(language, "demo_notice"))


def _notice(title: str, body: str) -> Table:
    """A warning box: a bold title and a sentence or two, on a light amber ground."""
    return Table(
        [[[para(escape(title), "warn_title"), para(markup(body), "warn_body")]]],
        colWidths=[FRAME_W],
        hAlign="LEFT",
        style=table_style(
            [
                ("BACKGROUND", (0, 0), (-1, -1), WARN_FILL),
                ("LINEBEFORE", (0, 0), (0, -1), 3, WARN_EDGE),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        ),
    )


def _provisional_notice(data: ReportData) -> Flowable:
    language = data.language
    body = text(
        language,
        "provisional_body",
        provenance=data.norms.provenance.strip().rstrip("."),
        sample_size=format_int(data.norms.sample_size, language),
        version=data.norms.version,
    )
    return _notice(text(language, "provisional_title"), body)


def _other_design_notice(data: ReportData) -> Flowable:
    language = data.language
    body = text(
        language,
        "other_design_body",
        games=", ".join(data.norms.other_design),
        norm_design=data.norms.design or text(language, "norms_design_none"),
    )
    return _notice(text(language, "other_design_title"), body)


def _profile(data: ReportData, number: int, ability: bool) -> list[Flowable]:
    """A section of scores of one kind: heading, intro, chart and flag notes."""
    language = data.language
    rows = [t for t in data.traits if (t.kind == "ability") == ability]
    title, intro = (
        ("section_abilities", "abilities_intro")
        if ability
        else (
            "section_traits",
            "traits_intro",
        )
    )
    story = _section(number, text(language, title))
    story.append(with_next(para(escape(text(language, intro)), "help")))
    story.append(Spacer(0, 4))
    story.append(TraitProfileChart(rows, language))
    story.append(Spacer(0, 6))
    notes = trait_notes(data, rows, ability)
    if notes:
        story.append(para(markup(" ".join(notes)), "warn_note"))
    return story


#: Flags naming a metric behind a trait (``"low_data:arrows.flanker_effect_ms"``), by
#: kind, in the order a trait that is not reported takes its reason from.
_COMPONENT_KINDS = ("low_data", "undefined", "missing", "no_norm", "clipped", "no_error_estimate")
_LEFT_OUT = _COMPONENT_KINDS[:4]
#: Flags that mean a trait is not reported; the notes say why in other words.
_NOT_REPORTED = ("no_metrics", "insufficient_coverage")


def metric_words(language: str, metric: MetricRow) -> tuple[str, str, str]:
    """The name, meaning and unit a games table prints for ``metric`` in ``language``.

    The report's own wording for the metric's key where it has one, else the row's.
    """
    name = metric_name(language, metric.key) if metric.key else None
    meaning = metric_meaning(language, metric.key) if metric.key else None
    return name or metric.name, meaning or metric.meaning, unit_name(language, metric.unit)


def _owns(game: GameSection, game_id: str) -> bool:
    """Whether ``game`` is the game ``game_id`` (by its id, else by a title spelling it)."""
    if game.game_id:
        return game.game_id == game_id
    return re.sub(r"\W+", "_", game.title.lower()).strip("_") == game_id


def metric_label(data: ReportData, key: str) -> tuple[str, str]:
    """The game title and metric name the games tables show for ``"<game>.<metric>"``.

    The metric is the row with that key (or, in a row without one, the name the key
    spells, ``"flanker effect ms"``, preferring the game the key names); a key no
    table shows is written in the report's wording, in the game the key names.
    """
    game_id, _, metric = key.partition(".")
    readable = metric.replace("_", " ").casefold()
    found = [
        (game, row)
        for game in data.games
        for row in game.metrics
        if row.key == key or (not row.key and row.name.casefold() == readable)
    ]
    found = [(g, r) for g, r in found if _owns(g, game_id)] or found
    if found:
        game, row = found[0]
        return game.title, metric_words(data.language, row)[0]
    titles = [g.title for g in data.games if _owns(g, game_id)]
    title = titles[0] if titles else game_id.replace("_", " ").capitalize()
    return title, metric_name(data.language, key) or metric.replace("_", " ")


def _metric_list(data: ReportData, keys: Iterable[str], language: str) -> str:
    """``"Digits (longest span forward, longest span backward); Towers (total score)"``."""
    by_game: dict[str, list[str]] = {}
    for key in keys:
        title, name = metric_label(data, key)
        names = by_game.setdefault(title, [])
        if name not in names:
            names.append(name)
    separator = text(language, "flag_separator")
    return "; ".join(f"{title} ({separator.join(names)})" for title, names in by_game.items())


def _not_reported(trait: TraitRow) -> bool:
    return any(flag in _NOT_REPORTED for flag in trait.flags)


def _main_reason(trait: TraitRow) -> str:
    """Why a trait is not reported: the first kind of metric flag it has, else ``"none"``."""
    kinds = {flag.partition(":")[0] for flag in trait.flags if ":" in flag}
    return next((kind for kind in _LEFT_OUT if kind in kinds), "none")


def trait_notes(data: ReportData, rows: Sequence[TraitRow], ability: bool) -> list[str]:
    """The notes under a chart in sentences, grouped by reason (not repeated per trait).

    First the traits that are not reported, by reason – one sentence when every trait
    of the section is missing for the same reason; then the metrics left out or
    limited, by reason, named as the games tables name them; then the other flags,
    each with the traits it concerns.
    """
    language = data.language
    separator = text(language, "flag_separator")
    notes: list[str] = []
    unreported = [t for t in rows if _not_reported(t)]
    reasons: dict[str, list[str]] = {}
    for trait in unreported:
        reasons.setdefault(_main_reason(trait), []).append(trait.name)
    stated = ""
    if unreported and len(unreported) == len(rows) and len(reasons) == 1:
        stated = next(iter(reasons))
        none = text(language, "traits_none_ability" if ability else "traits_none_style")
        notes.append(text(language, "traits_none", none=none, reason=_all_reason(language, stated)))
    else:
        for reason, names in reasons.items():
            notes.append(
                text(
                    language,
                    "traits_not_estimated",
                    reason=text(language, f"trait_reason_{reason}"),
                    traits=separator.join(names),
                )
            )
    metrics: dict[str, list[str]] = {kind: [] for kind in _COMPONENT_KINDS}
    others: dict[str, list[str]] = {}
    for trait in rows:
        for flag in trait.flags:
            kind, sep, key = flag.partition(":")
            if sep and kind in metrics:
                metrics[kind].append(key)
            elif flag not in _NOT_REPORTED:
                names = others.setdefault(flag_name(language, flag), [])
                if trait.name not in names:
                    names.append(trait.name)
    for kind, keys in metrics.items():
        if keys and kind != stated:
            listed = _metric_list(data, keys, language)
            notes.append(text(language, f"trait_metrics_{kind}", metrics=listed))
    for flag, names in others.items():
        notes.append(text(language, "trait_flag_traits", flag=flag, traits=separator.join(names)))
    return notes


def _all_reason(language: str, reason: str) -> str:
    try:
        return text(language, f"trait_all_{reason}")
    except KeyError:
        return text(language, f"trait_reason_{reason}")


def ability_section(data: ReportData, number: int) -> list[Flowable]:
    """The abilities: higher is better."""
    return _profile(data, number, ability=True)


def trait_section(data: ReportData, number: int) -> list[Flowable]:
    """The styles: two ends, neither better; with the help on percentiles and CIs."""
    story = _profile(data, number, ability=False)
    for key in ("traits_percentile_help", "traits_ci_help"):
        # These labels carry <b> markup of their own and no data.
        story.append(para(text(data.language, key), "help"))
    return story


#: Metric, value, CI, percentile and n; the flags take the rest, wide enough for a
#: flag's words (which never break inside a word).
_METRIC_COLS = (160.0, 68.0, 80.0, 56.0, 24.0)


def _game_table(game: GameSection, language: str) -> Table:
    header = [
        para(escape(text(language, "col_metric")), "th"),
        para(escape(text(language, "col_value")), "th_right"),
        para(escape(text(language, "col_ci")), "th_right"),
        para(escape(text(language, "col_percentile")), "th_right"),
        para(escape(text(language, "col_n")), "th_right"),
        para(escape(text(language, "col_flags")), "th"),
    ]
    rows: list[list[Any]] = [header]
    for metric in game.metrics:
        decimals = metric_decimals(metric)
        value = escape(format_number(metric.value, language, decimals))
        name, meaning, unit = metric_words(language, metric)
        if unit and math.isfinite(metric.value):
            # The unit in small muted type; a long unit wraps under the number as a whole.
            value += f" <font size='7.5' color='#5F6B7A'>{markup(unit)}</font>"
        flags = "<br/>".join(markup(shown) for shown in flag_names(language, metric.flags))
        rows.append(
            [
                [
                    para(markup(name), "cell_bold"),
                    para(markup(meaning), "cell_meaning"),
                ],
                para(value, "cell_right"),
                para(
                    markup(format_ci(metric.ci_low, metric.ci_high, language, decimals)),
                    "cell_right",
                ),
                _percentile_cell(metric, language),
                para(format_int(metric.n, language), "cell_right"),
                para(flags, "cell_flag"),
            ]
        )
    widths = [*_METRIC_COLS, FRAME_W - sum(_METRIC_COLS)]
    return Table(
        rows,
        colWidths=widths,
        repeatRows=1,
        hAlign="LEFT",
        style=ruled_table_style(
            (5, 5, 3.5, 4.5),
            header=True,
            extra=[
                ("RIGHTPADDING", (-1, 0), (-1, -1), 2),
                ("LEFTPADDING", (-1, 0), (-1, -1), 10),
            ],
        ),
    )


def _percentile_cell(metric: MetricRow, language: str) -> Paragraph:
    """The percentile, or a dash with the reason there is none."""
    if metric.percentile is not None and math.isfinite(metric.percentile):
        return para(format_percentile(metric.percentile), "cell_right")
    note = metric.percentile_note
    if not note:
        return para(format_percentile(None), "cell_right")
    try:
        reason = text(language, f"pct_{note}")
    except KeyError:
        reason = note
    return para(
        f"{DASH}<br/><font size='6.5' color='#5F6B7A'>{escape(reason)}</font>", "cell_right"
    )


def _game_block(game: GameSection, language: str) -> list[Flowable]:
    status_colour = {"completed": "#5F6B7A", "interrupted": "#7A4D00", "omitted": "#7A4D00"}
    status = text(language, f"game_status_{game.status}")
    title = (
        f"{markup(game.title)}\u2003<font name='{FONT_REGULAR}' size='8' "
        f"color='{status_colour.get(game.status, '#5F6B7A')}'>{escape(status)}</font>"
    )
    parts: list[Flowable] = [para(title, "h2")]
    if game.status == "interrupted":
        parts.append(para(escape(text(language, "game_interrupted_note")), "warn_note"))
    elif game.status == "omitted":
        parts.append(para(escape(text(language, "game_omitted_note")), "note"))
    if game.flags:
        shown = "; ".join(flag_names(language, game.flags))
        parts.append(para(markup(text(language, "game_flags", flags=shown)), "warn_note"))
    if game.metrics:
        parts.append(_game_table(game, language))
    elif game.status != "omitted":
        parts.append(para(escape(text(language, "game_no_metrics")), "note"))
    return parts


def games_section(data: ReportData, number: int) -> list[Flowable]:
    language = data.language
    head = _section(number, text(language, "section_games"))
    head.append(para(escape(text(language, "games_intro")), "help"))
    blocks = [_game_block(game, language) for game in data.games]
    if not blocks:
        return head
    # Each game stays whole; the section heading stays with the first game.  (reportlab's
    # keepWithNext does not chain into a KeepTogether, hence one container here.)
    return [KeepTogether(head + blocks[0])] + [KeepTogether(block) for block in blocks[1:]]


def _all_flags(data: ReportData) -> list[str]:
    """Every distinct flag kind in the report, in order of first appearance."""
    seen: dict[str, None] = {}

    def add(flags: Iterable[str]) -> None:
        for flag in flags:
            kind, sep, _ = flag.partition(":")
            seen.setdefault(kind + sep, None)

    for trait in data.traits:
        add(trait.flags)
    for game in data.games:
        add(game.flags)
        for metric in game.metrics:
            add(metric.flags)
    return list(seen)


def _kv_table(
    rows: Sequence[tuple[str, Flowable | list[Flowable] | str]], label_w: float = 175.0
) -> Table:
    cells = [
        [
            para(escape(label), "kv_label"),
            para(markup(value), "kv_value") if isinstance(value, str) else value,
        ]
        for label, value in rows
    ]
    return Table(
        cells,
        colWidths=[label_w, FRAME_W - label_w],
        hAlign="LEFT",
        style=ruled_table_style((0, 6, 3, 4)),
    )


def _facts(
    number: int,
    title: str,
    rows: Sequence[tuple[str, Flowable | list[Flowable] | str]],
    explain: str,
) -> list[Flowable]:
    """A section of label-value rows with a sentence or two explaining them below."""
    return [
        *_section(number, title),
        _kv_table(rows),
        Spacer(0, 5),
        para(escape(explain), "help"),
    ]


_FLAG_SHAPE = re.compile(r"[a-z][a-z0-9_]*(:\S+)?")


def _quality_item(language: str, item: str) -> str:
    """A quality note; one that is a bare scoring flag (``"provisional_norms"``) in words."""
    explanation = flag_explanation(language, item) if _FLAG_SHAPE.fullmatch(item) else None
    if explanation is None:
        return item
    name = flag_name(language, item)
    return f"{name[:1].upper()}{name[1:]}: {explanation}"


def quality_section(data: ReportData, number: int) -> list[Flowable]:
    language = data.language
    story = _section(number, text(language, "section_quality"))
    story.append(with_next(para(escape(text(language, "quality_intro")), "help")))
    if data.quality:
        bullets = [para(markup(_quality_item(language, item)), "bullet") for item in data.quality]
        for paragraph in bullets:
            paragraph.bulletText = "\u2022"
        story += [with_next(bullet) for bullet in bullets[:-1]] + bullets[-1:]
    else:
        story.append(para(escape(text(language, "quality_none")), "body"))
    story += engagement_block(data.engagement, language)
    flags = _all_flags(data)
    if flags:
        rows = []
        for flag in flags:
            explanation = flag_explanation(language, flag)
            rows.append(
                [
                    para(markup(flag_name(language, flag)), "glossary_term"),
                    para(markup(explanation or text(language, "flag_unknown")), "glossary_text"),
                ]
            )
        story.append(Spacer(0, 6))
        story.append(para(escape(text(language, "quality_glossary")), "h2"))
        story.append(
            Table(
                rows,
                colWidths=[130.0, FRAME_W - 130.0],
                hAlign="LEFT",
                style=ruled_table_style((0, 6, 2.5, 3)),
            )
        )
    return story


def timing_section(data: ReportData, number: int) -> list[Flowable]:
    language = data.language
    timing = data.timing
    unknown = text(language, "timing_unknown")
    refresh = (
        text(language, "timing_refresh_value", hz=format_number(timing.refresh_hz, language, 1))
        if timing.refresh_hz is not None and math.isfinite(timing.refresh_hz)
        else unknown
    )
    share = timing.dropped_frames / timing.frames if timing.frames > 0 else float("nan")
    dropped = (
        text(
            language,
            "timing_dropped_value",
            n=format_int(timing.dropped_frames, language),
            share=format_percent(share, language),
        )
        if math.isfinite(share)
        else format_int(timing.dropped_frames, language)
    )
    if timing.latency is None:
        latency = text(language, "timing_latency_none")
    else:
        latency = text(
            language,
            "timing_latency_value",
            p50=format_number(timing.latency.p50_us, language, 0),
            p99=format_number(timing.latency.p99_us, language, 0),
            date=format_date(timing.latency.measured_at, language),
        )
    rows: list[tuple[str, Flowable | str]] = [
        (text(language, "timing_methods"), ", ".join(timing.stamping_methods) or unknown),
        (text(language, "timing_refresh"), refresh),
        (text(language, "timing_frames"), format_int(timing.frames, language)),
        (text(language, "timing_dropped"), dropped),
        (text(language, "timing_latency"), latency),
    ]
    return _facts(number, text(language, "section_timing"), rows, text(language, "timing_explain"))


def incident_section(data: ReportData, number: int) -> list[Flowable]:
    language = data.language
    story = _section(number, text(language, "section_incidents"))
    if not data.incidents:
        story.append(para(escape(text(language, "incidents_none")), "body"))
        return story
    rows: list[list[Any]] = [
        [
            para(escape(text(language, "col_time")), "th"),
            para(escape(text(language, "col_author")), "th"),
            para(escape(text(language, "col_note")), "th"),
        ]
    ]
    for incident in sorted(data.incidents, key=lambda item: item.at):
        same_day = incident.at.date() == data.session_date.date()
        when = (
            f"{incident.at.hour:02d}:{incident.at.minute:02d}"
            if same_day
            else format_datetime(incident.at, language, zone=False)
        )
        rows.append(
            [
                para(markup(when), "cell"),
                para(markup(incident.author), "cell"),
                para(note_markup(incident.text, language), "cell"),
            ]
        )
    story.append(
        Table(
            rows,
            colWidths=[70.0, 100.0, FRAME_W - 170.0],
            repeatRows=1,
            splitInRow=1,  # a long note may continue on the next page
            hAlign="LEFT",
            style=ruled_table_style((5, 5, 3.5, 4.5), header=True),
        )
    )
    return story


def norms_section(data: ReportData, number: int) -> list[Flowable]:
    language = data.language
    norms = data.norms
    status: Flowable | str
    if norms.provisional:
        status = para(f"<b>{escape(text(language, 'norms_status_provisional'))}</b>", "warn_note")
    else:
        status = text(language, "norms_status_final")
    rows: list[tuple[str, Flowable | str]] = [
        (text(language, "norms_version"), norms.version),
        (text(language, "norms_status"), status),
        (
            text(language, "norms_sample"),
            text(language, "norms_sample_value", n=format_int(norms.sample_size, language)),
        ),
        (text(language, "norms_design"), norms.design or text(language, "norms_design_none")),
        (text(language, "norms_provenance"), norms.provenance),
        (text(language, "norms_scoring"), data.scoring_version),
    ]
    return _facts(number, text(language, "section_norms"), rows, text(language, "norms_explain"))


def integrity_section(data: ReportData, number: int) -> list[Flowable]:
    language = data.language
    head = plain(data.chain_head.strip())
    groups = [head[i : i + 8] for i in range(0, len(head), 8)]
    # Four groups of eight per line: a 64-digit head reads as two even lines.
    grouped = "<br/>".join(escape(" ".join(groups[i : i + 4])) for i in range(0, len(groups), 4))
    rows: list[tuple[str, Flowable | str]] = [
        (text(language, "integrity_events"), format_int(data.event_count, language)),
        (text(language, "integrity_head"), para(grouped, "hash")),
    ]
    explain = text(language, "integrity_explain", n=format_int(data.event_count, language))
    return _facts(number, text(language, "section_integrity"), rows, explain)


_SIGNATURE_HEAD = 20
_SIGNATURE_TAIL = 12


def evidence_section(data: ReportData, number: int) -> list[Flowable]:
    language = data.language
    evidence = data.evidence
    assert evidence is not None

    def entry(seq: int, digest: str) -> list[Flowable]:
        return [
            para(escape(text(language, "evidence_entry", seq=seq)), "evidence_value"),
            para(hex_groups(digest), "mono"),
        ]

    signature = evidence.checkpoint_signature
    shortened = len(signature) > _SIGNATURE_HEAD + _SIGNATURE_TAIL + 1
    shown = (
        f"{mono(signature[:_SIGNATURE_HEAD])}\u2026{mono(signature[-_SIGNATURE_TAIL:])}"
        if shortened
        else mono(signature)
    )
    signature_cell: list[Flowable] = [para(shown, "mono")]
    if shortened:
        signature_cell.append(para(escape(text(language, "evidence_shortened")), "evidence_note"))
    unsigned = para(escape(text(language, "evidence_unsigned")), "evidence_value")
    about = text(
        language,
        "evidence_about",
        pseudonym=evidence.candidate_pseudonym,
        station=evidence.station_name,
    )
    rows: list[tuple[str, Flowable | list[Flowable]]] = [
        (text(language, "evidence_report_id"), para(mono(evidence.report_id), "mono")),
        (
            text(language, "evidence_session"),
            [para(mono(evidence.session_id), "mono"), para(markup(about), "evidence_value")],
        ),
        (
            text(language, "evidence_chain_head"),
            entry(evidence.chain_head_seq, evidence.chain_head_hash),
        ),
        (
            text(language, "evidence_checkpoint"),
            entry(evidence.checkpoint_seq, evidence.checkpoint_hash),
        ),
        (text(language, "evidence_signature"), signature_cell if signature else unsigned),
        (
            text(language, "evidence_key"),
            para(hex_groups(evidence.key_id), "mono") if evidence.key_id else unsigned,
        ),
    ]
    intro = text(language, "evidence_intro")
    return _facts(number, text(language, "section_evidence"), rows, intro)
