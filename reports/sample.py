"""A realistic, made-up report for tests, benchmarks and demos.

Contract: ``sample_report_data(language="en", provisional=True, demo=False)`` returns a
:class:`~reports.model.ReportData` for one invented session of the standard
battery: all twelve games of SCIENCE.md with plausible metrics (values, 95% CIs,
percentiles, trial counts), the eight styles with their neutral end names and the
four abilities (:data:`reports.labels.TRAIT_WORDS`), a few quality flags, one interrupted game
(Hard or Easy), one metric that could not be estimated, the digit span without a
bootstrap CI, two proctor incidents and timing figures.  ``language`` chooses
English or German text; ``provisional`` chooses between a provisional norm table
built from simulated players and a final one.  It carries made-up evidence
(:class:`~reports.model.ReportEvidence`, a fixed report id); ``demo`` marks it as a
demo report (a simulated candidate).  The result is the same on every
call (no randomness, fixed dates), so builds of it can be compared byte for byte.

None of these numbers describes a real person or a real norm sample.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import math
import statistics
from typing import Literal

from reports.labels import TRAIT_WORDS
from reports.model import (
    GameSection,
    GameStatus,
    Incident,
    LatencyMeasurement,
    MetricRow,
    NormInfo,
    ReportData,
    ReportEvidence,
    TimingInfo,
    TraitRow,
)

__all__ = ["sample_report_data"]

_NAN = float("nan")
_ZONE = datetime.timezone(datetime.timedelta(hours=1))
_SESSION_START = datetime.datetime(2025, 11, 28, 9, 32, tzinfo=_ZONE)

# fmt: off
# (en name, en meaning, de name, de meaning, value, unit en, unit de, ci low, ci high,
#  percentile, n, flags, decimals)
_Metric = tuple[
    str, str, str, str, float, str, str, float, float, float | None, int, tuple[str, ...],
    int | None,
]

_GAMES: tuple[tuple[str, str, GameStatus, tuple[str, ...], tuple[_Metric, ...]], ...] = (
    ("Balloons", "Ballons", "completed", (), (
        ("Adjusted average pumps", "Average number of pumps on the balloons that did not burst.",
         "Bereinigte mittlere Pumpstöße",
         "Mittlere Zahl der Pumpstöße bei Ballons, die nicht geplatzt sind.",
         38.4, "pumps", "Pumpstöße", 33.1, 43.9, 58.0, 19, (), None),
        ("Balloons burst", "How many of the 30 balloons burst before being collected.",
         "Geplatzte Ballons", "Wie viele der 30 Ballons geplatzt sind, bevor kassiert wurde.",
         11.0, "", "", 8.0, 14.0, 61.0, 30, (), 0),
        ("Earnings", "Money banked over all 30 balloons.",
         "Gewinn", "Insgesamt gesicherter Betrag über alle 30 Ballons.",
         27.35, "\u20ac", "\u20ac", 23.80, 30.95, 56.0, 30, (), 2),
    )),
    ("Money Exchange 1", "Geldtausch 1", "completed", (), (
        ("Share sent (trust)", "Share of the 10-unit endowment sent to the partner as investor.",
         "Gesendeter Anteil (Vertrauen)",
         "Anteil des Startbetrags von 10 Einheiten, der als Investor gesendet wurde.",
         0.60, "", "", 0.48, 0.72, 55.0, 10, (), None),
        ("Share returned (reciprocity)",
         "Share of the tripled amount returned to the partner as trustee.",
         "Zurückgegebener Anteil (Gegenseitigkeit)",
         "Anteil des verdreifachten Betrags, der als Treuhänder zurückgegeben wurde.",
         0.38, "", "", 0.31, 0.45, 62.0, 10, (), None),
    )),
    ("Money Exchange 2", "Geldtausch 2", "completed", (), (
        ("Mean offer share", "Average share of the pot offered to the partner when proposing.",
         "Mittlerer Angebotsanteil",
         "Durchschnittlicher Anteil, der dem Gegenüber als Vorschlag angeboten wurde.",
         0.42, "", "", 0.37, 0.47, 57.0, 10, (), None),
        ("Minimum acceptable offer",
         "Smallest share of the pot that was accepted reliably when responding.",
         "Kleinstes angenommenes Angebot",
         "Kleinster Anteil, der als Antwortende(r) verlässlich angenommen wurde.",
         0.30, "", "", 0.20, 0.40, 64.0, 25, (), None),
        ("Dictator share", "Share given away when the partner could not refuse.",
         "Anteil als Diktator", "Abgegebener Anteil, wenn das Gegenüber nicht ablehnen konnte.",
         0.25, "", "", 0.15, 0.35, 52.0, 5, (), None),
    )),
    ("Keypresses", "Tastendruck", "completed", (), (
        ("Taps per 10 s, dominant hand", "How many times the key was tapped in 10 seconds.",
         "Anschläge pro 10 s, dominante Hand", "Wie oft die Taste in 10 Sekunden gedrückt wurde.",
         62.4, "taps", "Anschläge", 60.1, 64.8, 47.0, 5, (), None),
        ("Taps per 10 s, other hand", "The same with the other hand.",
         "Anschläge pro 10 s, andere Hand", "Dasselbe mit der anderen Hand.",
         55.0, "taps", "Anschläge", 52.6, 57.3, 44.0, 5, (), None),
        ("Rhythm variability", "How much the intervals between taps varied (coefficient of "
         "variation).", "Rhythmusschwankung",
         "Wie stark die Abstände zwischen den Anschlägen schwankten (Variationskoeffizient).",
         0.112, "", "", 0.098, 0.127, 53.0, 10, (), 3),
    )),
    ("Arrows", "Pfeile", "completed", (), (
        ("Flanker effect, time", "Extra time needed when the surrounding arrows point the "
         "other way.", "Flanker-Effekt, Zeit",
         "Zusätzliche Zeit, wenn die umgebenden Pfeile in die Gegenrichtung zeigen.",
         48.0, "ms", "ms", 31.0, 66.0, 56.0, 96, (), 0),
        ("Flanker effect, errors", "Extra share of errors when the surrounding arrows point "
         "the other way.", "Flanker-Effekt, Fehler",
         "Zusätzlicher Fehleranteil, wenn die umgebenden Pfeile in die Gegenrichtung zeigen.",
         0.031, "", "", -0.004, 0.067, 51.0, 96, (), 3),
        ("Switch cost", "Extra time needed when the rule changes from one trial to the next.",
         "Wechselkosten", "Zusätzliche Zeit, wenn die Regel von einem Durchgang zum nächsten "
         "wechselt.", 112.0, "ms", "ms", 78.0, 149.0, 49.0, 88, (), 0),
        ("Boundary separation", "How much evidence is gathered before answering "
         "(EZ-diffusion model).", "Grenzabstand",
         "Wie viel Evidenz vor einer Antwort gesammelt wird (EZ-Diffusionsmodell).",
         0.121, "", "", 0.112, 0.131, 44.0, 128, (), 3),
    )),
    ("Lengths", "Längen", "completed", (), (
        ("Response bias (log b)", "Tendency to give the more often rewarded answer when unsure.",
         "Antworttendenz (log b)",
         "Neigung, im Zweifel die häufiger belohnte Antwort zu geben.",
         0.142, "", "", 0.061, 0.224, 63.0, 300, (), 3),
        ("Discriminability (log d)", "How well the short and the long mouth were told apart.",
         "Unterscheidbarkeit (log d)", "Wie gut kurzer und langer Mund unterschieden wurden.",
         0.512, "", "", 0.455, 0.571, 48.0, 300, (), 3),
    )),
    ("Faces", "Gesichter", "completed", (), (
        ("Accuracy, all emotions", "Share of faces whose emotion was named correctly.",
         "Trefferquote, alle Emotionen", "Anteil der Gesichter, deren Emotion richtig benannt "
         "wurde.", 0.78, "", "", 0.73, 0.83, 52.0, 84, (), 2),
        ("Unbiased hit rate, fear", "Accuracy for fearful faces, corrected for how often "
         "\u201cfear\u201d was chosen (Wagner 1993).", "Bereinigte Trefferrate, Angst",
         "Trefferquote für ängstliche Gesichter, bereinigt darum, wie oft \u201eAngst\u201c "
         "gewählt wurde (Wagner 1993).", 0.54, "", "", 0.38, 0.69, 46.0, 12, (), 2),
        ("Unbiased hit rate, happiness", "The same for happy faces.",
         "Bereinigte Trefferrate, Freude", "Dasselbe für fröhliche Gesichter.",
         0.96, "", "", 0.89, 1.00, 71.0, 12, ("ceiling",), 2),
    )),
    ("Hard or Easy", "Schwer oder leicht", "interrupted", ("incomplete",), (
        ("Hard-task choices", "Share of trials in which the harder, better-paid task was "
         "chosen.", "Wahl der schweren Aufgabe",
         "Anteil der Durchgänge, in denen die schwerere, besser bezahlte Aufgabe gewählt wurde.",
         0.46, "", "", 0.31, 0.62, 49.0, 22, ("tasks_not_completed",), 2),
        ("Reward sensitivity", "How strongly the choice follows reward size times win "
         "probability (logistic slope).", "Belohnungssensitivität",
         "Wie stark die Wahl der Belohnung mal Gewinnwahrscheinlichkeit folgt (logistische "
         "Steigung).", _NAN, "", "", _NAN, _NAN, None, 22, ("separation",), 2),
    )),
    ("Stop", "Stopp", "completed", (), (
        ("Stop-signal reaction time", "Time needed to stop an action that has already "
         "started (integration method).", "Stoppsignal-Reaktionszeit",
         "Zeit, die nötig ist, um eine bereits begonnene Handlung abzubrechen "
         "(Integrationsmethode).", 224.0, "ms", "ms", 201.0, 248.0, 48.0, 64, (), 0),
        ("Responses despite stop signal", "Share of stop trials in which a response was "
         "still made.", "Antworten trotz Stoppsignal",
         "Anteil der Stopp-Durchgänge, in denen trotzdem geantwortet wurde.",
         0.48, "", "", 0.41, 0.55, 51.0, 64, (), 2),
        ("Mean stop-signal delay", "Average delay of the stop signal, which adapts to the "
         "candidate.", "Mittlere Stoppsignal-Verzögerung",
         "Mittlere Verzögerung des Stoppsignals, die sich der Person anpasst.",
         262.0, "ms", "ms", 240.0, 284.0, 54.0, 64, (), 0),
        ("Go reaction time", "Average response time when no stop signal came.",
         "Go-Reaktionszeit", "Mittlere Antwortzeit, wenn kein Stoppsignal kam.",
         486.0, "ms", "ms", 472.0, 501.0, 52.0, 192, (), 0),
    )),
    ("Digits", "Ziffern", "completed", (), (
        ("Longest span, forward", "Longest sequence of digits repeated correctly in order.",
         "Längste Spanne, vorwärts", "Längste Ziffernfolge, die richtig wiederholt wurde.",
         7.0, "digits", "Ziffern", _NAN, _NAN, 60.0, 12, (), 0),
        ("Longest span, backward", "Longest sequence repeated correctly in reverse order.",
         "Längste Spanne, rückwärts", "Längste Folge, die richtig rückwärts wiederholt wurde.",
         5.0, "digits", "Ziffern", _NAN, _NAN, 52.0, 10, (), 0),
        ("Trials correct", "Number of sequences repeated correctly in both directions.",
         "Richtige Durchgänge", "Zahl der richtig wiederholten Folgen in beiden Richtungen.",
         17.0, "", "", _NAN, _NAN, 57.0, 22, (), 0),
    )),
    ("Cards", "Karten", "completed", (), (
        ("Net score", "Picks from decks C and D (net gain) minus picks from decks A and B "
         "(net loss).", "Nettowert",
         "Züge von den Stapeln C und D (Nettogewinn) minus Züge von A und B (Nettoverlust).",
         18.0, "", "", 2.0, 34.0, 57.0, 100, (), 0),
        ("Net score, last 20 picks", "The same for the last 20 picks, after the decks have "
         "been learned.", "Nettowert, letzte 20 Züge",
         "Dasselbe für die letzten 20 Züge, nachdem die Stapel gelernt wurden.",
         8.0, "", "", 2.0, 14.0, 62.0, 20, (), 0),
        ("Picks from deck B", "Share of picks from the deck with rare, large losses.",
         "Züge von Stapel B", "Anteil der Züge vom Stapel mit seltenen, großen Verlusten.",
         0.22, "", "", 0.14, 0.30, 46.0, 100, (), 2),
    )),
    ("Towers", "Türme", "completed", (), (
        ("Total score", "Points per puzzle: 3 if solved at the first attempt, 2 at the second, "
         "1 at the third.", "Gesamtpunktzahl",
         "Punkte je Aufgabe: 3 beim ersten Versuch gelöst, 2 beim zweiten, 1 beim dritten.",
         31.0, "points", "Punkte", 28.0, 34.0, 59.0, 12, (), 0),
        ("Excess moves", "Average number of moves beyond the shortest solution.",
         "Zusätzliche Züge", "Mittlere Zahl der Züge über die kürzeste Lösung hinaus.",
         0.83, "", "", 0.42, 1.33, 45.0, 12, (), 2),
        ("Planning time", "Time spent looking before the first move.",
         "Planungszeit", "Zeit bis zum ersten Zug.",
         4.6, "s", "s", 3.8, 5.5, 58.0, 12, (), 1),
    )),
)

# fmt: on

# trait key, z, standard error of z, metrics used, flags (styles, then abilities)
_TRAITS: tuple[tuple[str, float, float, int, tuple[str, ...]], ...] = (
    ("attention", 0.35, 0.42, 2, ()),
    ("decision making", -0.52, 0.30, 4, ()),
    ("effort", 0.10, 0.55, 2, ("undefined:hard_or_easy.reward_sensitivity",)),
    ("fairness", 0.88, 0.38, 2, ()),
    ("focus", -1.21, 0.33, 3, ()),
    ("generosity", 0.40, 0.40, 4, ()),
    ("learning", 0.28, 0.47, 3, ()),
    ("risk tolerance", 1.35, 0.36, 2, ()),
    ("working memory", 0.45, 0.40, 2, ()),
    ("stopping speed", -0.30, 0.50, 1, ()),
    ("planning", 0.62, 0.45, 2, ()),
    ("emotion recognition", 0.20, 0.42, 1, ()),
)
_ABILITIES = frozenset({"working memory", "stopping speed", "planning", "emotion recognition"})

_Z95 = 1.959963984540054


def _trait_rows(language: str) -> tuple[TraitRow, ...]:
    normal = statistics.NormalDist()
    rows = []
    for key, z, se, n_metrics, flags in _TRAITS:
        name, low_end, high_end = TRAIT_WORDS[key][language]
        rows.append(
            TraitRow(
                name=name,
                low_end=low_end,
                high_end=high_end,
                z=z,
                percentile=100.0 * normal.cdf(z),
                ci_low_pct=100.0 * normal.cdf(z - _Z95 * se),
                ci_high_pct=100.0 * normal.cdf(z + _Z95 * se),
                n_metrics=n_metrics,
                flags=flags,
                kind="ability" if key in _ABILITIES else "style",
            )
        )
    return tuple(rows)


#: The games' ids as scoring names them, by English title.
_GAME_IDS = {
    "Money Exchange 1": "exchange_trust",
    "Money Exchange 2": "exchange_split",
    **{
        title: title.lower().replace(" ", "_")
        for title in (
            "Balloons",
            "Keypresses",
            "Arrows",
            "Lengths",
            "Faces",
            "Hard or Easy",
            "Stop",
            "Digits",
            "Cards",
            "Towers",
        )
    },
}


def _games(language: str) -> tuple[GameSection, ...]:
    english = language == "en"
    sections = []
    for title_en, title_de, status, game_flags, metrics in _GAMES:
        rows = tuple(
            MetricRow(
                name=name_en if english else name_de,
                meaning=meaning_en if english else meaning_de,
                value=value,
                unit=unit_en if english else unit_de,
                ci_low=low,
                ci_high=high,
                percentile=None if pct is None or math.isnan(pct) else pct,
                n=n,
                flags=flags,
                decimals=decimals,
            )
            for (
                name_en,
                meaning_en,
                name_de,
                meaning_de,
                value,
                unit_en,
                unit_de,
                low,
                high,
                pct,
                n,
                flags,
                decimals,
            ) in metrics
        )
        sections.append(
            GameSection(
                title=title_en if english else title_de,
                status=status,
                metrics=rows,
                flags=game_flags,
                game_id=_GAME_IDS[title_en],
            )
        )
    return tuple(sections)


_QUALITY = {
    "en": (
        "Hard or Easy was interrupted after 22 of 40 planned trials (see the proctor "
        "incidents); its values rest on fewer trials, and the reward sensitivity could not "
        "be estimated.",
        "Faces: happy faces were recognised at ceiling; that metric cannot tell people "
        "apart at this level.",
        "Digits: the span procedure is adaptive, so no bootstrap interval is computed; the "
        "trait intervals use the norm sample's reliability instead.",
    ),
    "de": (
        "\u201eSchwer oder leicht\u201c wurde nach 22 von 40 geplanten Durchgängen "
        "unterbrochen (siehe Vorkommnisse); die Werte beruhen auf weniger Durchgängen, und "
        "die Belohnungssensitivität ließ sich nicht schätzen.",
        "Gesichter: Fröhliche Gesichter wurden auf Deckenniveau erkannt; dieser Kennwert "
        "unterscheidet auf diesem Niveau nicht zwischen Personen.",
        "Ziffern: Das Spannenverfahren ist adaptiv, daher wird kein Bootstrap-Intervall "
        "berechnet; die Intervalle der Eigenschaften nutzen stattdessen die Reliabilität "
        "der Normstichprobe.",
    ),
}

_INCIDENTS = {
    "en": (
        (
            9,
            51,
            "Candidate asked whether the sound could be turned down; headphone volume "
            "lowered, no pause.",
        ),
        (
            10,
            14,
            "Building fire-alarm test; session paused during Hard or Easy. The game was "
            "not resumed, the battery continued with Stop.",
        ),
    ),
    "de": (
        (
            9,
            51,
            "Die Person fragte, ob der Ton leiser gestellt werden kann; Kopfhörer leiser "
            "gestellt, keine Pause.",
        ),
        (
            10,
            14,
            "Probealarm der Brandmeldeanlage; Sitzung während \u201eSchwer oder "
            "leicht\u201c pausiert. Das Spiel wurde nicht fortgesetzt, die Batterie ging mit "
            "\u201eStopp\u201c weiter.",
        ),
    ),
}


def _evidence(demo: bool) -> ReportEvidence:
    def digest(label: str) -> str:
        return hashlib.sha256(label.encode()).hexdigest()

    signature = hashlib.sha512(b"sample checkpoint signature").digest()[:71]
    return ReportEvidence(
        session_id="S-2025-1128-0042",
        candidate_pseudonym="K7QX-4M2P",
        station_name="Station 3",
        chain_head_seq=18_431,
        chain_head_hash=hashlib.sha256(b"sample session S-2025-1128-0042").hexdigest(),
        checkpoint_seq=5_207,
        checkpoint_hash=digest("sample audit checkpoint 5207"),
        checkpoint_signature=base64.b64encode(b"\x30\x45" + signature).decode(),
        key_id=digest("sample station certificate"),
        demo=demo,
        report_id="5f1c2a9e7b3d4c60a8e1f2b3c4d5e6f7",
    )


def sample_report_data(
    language: Literal["en", "de"] = "en", provisional: bool = True, demo: bool = False
) -> ReportData:
    """A made-up but plausible report for one session; see the module docstring."""
    if language not in ("en", "de"):
        raise ValueError(f"unsupported language {language!r}")
    english = language == "en"
    if provisional:
        norms = NormInfo(
            version="0.1-sim",
            provisional=True,
            provenance=(
                "built from simulated players of the standard battery"
                if english
                else "aus simulierten Spielern der Standardbatterie erstellt"
            ),
            sample_size=2000,
            design="standard 1.2",
        )
    else:
        norms = NormInfo(
            version="1.0",
            provisional=False,
            provenance=(
                "1,214 completed sessions at three test centres, 2025"
                if english
                else "1.214 abgeschlossene Sitzungen in drei Testzentren, 2025"
            ),
            sample_size=1214,
            design="standard 1.2",
        )
    incidents = tuple(
        Incident(
            at=_SESSION_START.replace(hour=hour, minute=minute),
            author="M. Keller",
            text=note,
        )
        for hour, minute, note in _INCIDENTS[language]
    )
    return ReportData(
        language=language,
        candidate_pseudonym="K7QX-4M2P",
        session_id="S-2025-1128-0042",
        centre_name="Zurich West Test Centre" if english else "Testzentrum Zürich West",
        station_name="Station 3",
        session_date=_SESSION_START,
        battery_name="Standard battery" if english else "Standardbatterie",
        battery_version="1.2.0",
        traits=_trait_rows(language),
        games=_games(language),
        quality=_QUALITY[language],
        timing=TimingInfo(
            stamping_methods=("frameSwapped (OpenGL, vsync)",),
            refresh_hz=60.0,
            frames=104_212,
            dropped_frames=37,
            latency=LatencyMeasurement(
                p50_us=380.0,
                p99_us=1240.0,
                measured_at=datetime.datetime(2025, 11, 20, 8, 15, tzinfo=datetime.UTC),
            ),
        ),
        incidents=incidents,
        norms=norms,
        scoring_version="1.0.0",
        event_count=18_432,
        chain_head=hashlib.sha256(b"sample session S-2025-1128-0042").hexdigest(),
        signature_note=(
            "Signed by Station 3, Zurich West Test Centre"
            if english
            else "Signiert von Station 3, Testzentrum Zürich West"
        ),
        evidence=_evidence(demo),
    )
