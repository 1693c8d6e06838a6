"""The report's own wording, in English and German.

Contract
--------
* :func:`text` returns one piece of wording by key: ``text("de", "section_traits")``.
  Keyword arguments fill ``{placeholders}``.  An unknown language or key raises
  ``KeyError`` (a missing translation is a bug, not something to paper over);
  :data:`LANGUAGES` lists the languages, and both have the same keys.
* :func:`flag_name` and :func:`flag_explanation` put a scoring flag into words.
  Flags of the form ``"<kind>:<detail>"`` (``"clipped:stop.ssrt_ms"``) are looked
  up by kind and keep their detail; unknown flags come back verbatim, so a new flag
  in ``scoring`` still shows up in the report, just not explained.
* :data:`TRAIT_WORDS` gives the nine traits' display names and their two ends in
  both languages, keyed by the trait's name in ``scoring.traits`` – for the kiosk
  to fill :class:`reports.model.TraitRow`.
* :func:`month_name` for dates written out in full.

Wording rules: a style's two ends are never "good" or "bad"; an ability is said
plainly to be better when higher (working memory, stopping speed, planning, emotion
recognition are performances, not styles); a percentile compares with the reference
sample and is described that way; uncertainty and missing data are stated, not
hidden (a metric without a percentile says why).  The text uses only
characters that the embedded Bitstream Vera fonts contain (no "↔": the chart draws
the two ends apart instead).
"""

from __future__ import annotations

from collections.abc import Mapping

from reports.model import Language

__all__ = [
    "LANGUAGES",
    "TRAIT_WORDS",
    "flag_explanation",
    "flag_name",
    "month_name",
    "text",
]

LANGUAGES: tuple[Language, ...] = ("en", "de")

_EN: dict[str, str] = {
    "doc_title": "Behavioural assessment report",
    "cover_kicker": "Behavioural assessment report",
    "cover_pseudonym": "Candidate pseudonym",
    "cover_session": "Session",
    "cover_date": "Date",
    "cover_centre": "Test centre",
    "cover_station": "Station",
    "cover_battery": "Battery",
    "cover_battery_value": "{name}, version {version}",
    "cover_norms": "Norms",
    "cover_norms_value": "version {version} ({status})",
    "status_provisional": "provisional",
    "status_final": "final",
    "cover_purpose": (
        "This report describes how the candidate behaved in a battery of short games "
        "played under supervision. It reports two kinds of score apart: four abilities "
        "(how well a task was done; higher is better) and eight behavioural styles "
        "(where neither end is better). It is one source of information among several: "
        "interpret it together with other evidence and never as a sole basis for a "
        "decision."
    ),
    "other_design_title": "Some norms come from a different design; compare with care.",
    "other_design_body": (
        "The norms for {games} were built from sessions that played another version of "
        "these games ({norm_design}). Their percentiles compare this session with people "
        "who played more or fewer trials, so they are less exact than usual."
    ),
    "provisional_title": "Norms are provisional; compare with care.",
    "provisional_body": (
        "Percentiles in this report compare the session with a provisional reference "
        "sample (norms version {version}, n\u00a0=\u00a0{sample_size}; {provenance}). They may "
        "move when a final norm table replaces it."
    ),
    "section_abilities": "Abilities",
    "abilities_intro": (
        "These four scores measure how well a task was done: holding digits in mind, "
        "stopping a started response, planning moves ahead, and naming facial "
        "expressions. For them higher is better: a percentile of 70 means the candidate "
        "did better than about 70 of 100 people in the reference sample. They describe "
        "performance in these games on this occasion, not a fixed capacity."
    ),
    "section_traits": "Behavioural styles",
    "traits_intro": (
        "Each row places the candidate between the two named ends of a style. For these "
        "styles neither end is better than the other: they describe different ways of "
        "going about a task, and which one suits depends on the role."
    ),
    "traits_percentile_help": (
        "<b>Percentile.</b> The bar starts at the middle of the reference sample (50th "
        "percentile) and points towards the end the candidate leans to. A percentile of "
        "70 means the candidate is nearer the right-hand end than 70 of 100 people in "
        "the reference sample; 30 means nearer the left-hand end than 70 of 100."
    ),
    "traits_ci_help": (
        "<b>95% confidence interval</b> (whisker). The range in which the candidate's "
        "position plausibly lies, given how many trials were played and how consistent "
        "the responses were. A wide whisker means the data say less; do not read a "
        "difference into positions whose whiskers overlap. The shaded band marks the "
        "middle 68% of the reference sample (16th to 84th percentile)."
    ),
    "chart_axis": "Percentile",
    "chart_caption": "percentile {p}",
    "chart_caption_ci": "percentile {p}  \u00b7  95% CI {lo}\u2013{hi}",
    "chart_not_estimated": "not estimated",
    "chart_not_reported": "not reported: too little data",
    "pct_pinned": "none: set by the design",
    "pct_low_data": "none: too few trials",
    "pct_undefined": "not available",
    "pct_no_norm": "none: no norm",
    "pct_small_norm_sample": "none: small norm sample",
    "chart_n_metrics": "{n} metrics",
    "chart_n_metrics_one": "1 metric",
    "trait_flags_note": "Trait notes: {notes}.",
    "section_games": "Results by game",
    "games_intro": (
        "Each table lists a game's metrics with the 95% confidence interval "
        "(bootstrap over the game's trials), the percentile against the norms where "
        "one exists, the number of trials n the metric rests on, and quality flags. "
        "The line under each metric says in plain words what it measures. A dash "
        "means the value could not be estimated from this session's data. A metric "
        "from fewer trials than the design needs, or one the design itself holds near "
        "a target, has no percentile; the table says why."
    ),
    "col_metric": "Metric",
    "col_value": "Value",
    "col_ci": "95% CI",
    "col_percentile": "Percentile",
    "col_n": "n",
    "col_flags": "Flags",
    "game_status_completed": "Completed",
    "game_status_interrupted": "Interrupted",
    "game_status_omitted": "Omitted",
    "game_interrupted_note": (
        "Interrupted: the values rest only on the trials played before the "
        "interruption; read them with extra care."
    ),
    "game_omitted_note": "Not played in this session; there are no values.",
    "game_no_metrics": "No metrics are available for this game.",
    "game_flags": "Game flags: {flags}.",
    "section_quality": "Data quality",
    "quality_intro": (
        "The scoring rules raise flags automatically. A flag does not invalidate a "
        "result; it says the result deserves a second look."
    ),
    "quality_none": "No data-quality concerns were recorded for this session.",
    "quality_glossary": "Flags used in this report",
    "flag_unknown": "Raised by the scoring rules; see the scoring documentation.",
    "section_timing": "Timing",
    "timing_methods": "Onset stamping",
    "timing_refresh": "Display refresh rate",
    "timing_refresh_value": "{hz} Hz",
    "timing_unknown": "unknown",
    "timing_frames": "Frames recorded",
    "timing_dropped": "Dropped frames",
    "timing_dropped_value": "{n} ({share} of frames)",
    "timing_latency": "Input-to-timestamp latency (software)",
    "timing_latency_value": "median {p50} \u00b5s, 99th percentile {p99} \u00b5s (measured {date})",
    "timing_latency_none": "not measured on this station",
    "timing_explain": (
        "Stimulus onsets are stamped when the frame that shows them is presented; "
        "responses are stamped when the application first sees the input. A frame "
        "counts as dropped when it took longer than 1.5 times the refresh period. The "
        "latency is what this station's software adds between an input and its "
        "timestamp. Keyboards and displays add their own delay (typically 4\u201325 ms "
        "for keyboards), which is not included here and cannot be removed by software."
    ),
    "section_incidents": "Proctor incidents",
    "incidents_none": "None recorded.",
    "col_time": "Time",
    "col_author": "Proctor",
    "col_note": "Note",
    "section_norms": "Norms and scoring",
    "norms_version": "Norm table version",
    "norms_status": "Status",
    "norms_status_provisional": "provisional \u2013 compare with care",
    "norms_status_final": "final",
    "norms_sample": "Reference sample",
    "norms_sample_value": "n\u00a0=\u00a0{n}",
    "norms_design": "Design of the norm sample",
    "norms_design_none": "not recorded",
    "norms_other_design": "other design for: {games}",
    "norms_provenance": "Provenance",
    "norms_scoring": "Scoring rules version",
    "norms_explain": (
        "Metrics are standardised against the norm table (z-scores), combined into the "
        "traits with documented weights, and expressed as percentiles of the reference "
        "sample. Scores from different norm or scoring versions are not comparable "
        "without rescoring."
    ),
    "section_integrity": "Record integrity",
    "integrity_events": "Events recorded",
    "integrity_head": "Event chain head (SHA-256)",
    "integrity_explain": (
        "Every recorded stimulus and response is chained to the event before it with "
        "SHA-256. The chain head fingerprints all {n} events of this session: "
        "recomputing it from the stored events must give the value above, so any later "
        "change to the stored data is detectable."
    ),
    "section_evidence": "Evidence",
    "evidence_intro": (
        "These values tie the report to its session and to the station's audit log. The "
        "same values are embedded in this PDF as the file kiosk-evidence.json, inside the "
        "signature: kiosk verify reads them from there and can compare them with the store."
    ),
    "evidence_report_id": "Report id",
    "evidence_session": "Session",
    "evidence_about": "candidate {pseudonym}, {station}",
    "evidence_chain_head": "Event chain head",
    "evidence_checkpoint": "Audit-log checkpoint (seals the session)",
    "evidence_entry": "entry {seq}",
    "evidence_signature": "Checkpoint signature",
    "evidence_shortened": "shortened; the full value is in kiosk-evidence.json",
    "evidence_key": "Station key (certificate SHA-256)",
    "evidence_unsigned": "none: the checkpoint was written while the station key was locked",
    "demo_banner": "DEMO \u2014 simulated candidate, not an assessment",
    "demo_notice": (
        "This report was made from a simulated candidate to show how the kiosk works. It "
        "describes no person and must not be used for any decision."
    ),
    "note_shortened": "\u2026 (shortened)",
    "section_signature": "Electronic signature",
    "signature_explain": (
        "The box on the right holds the station's electronic signature. It seals this "
        "document: any change after signing invalidates the signature. Check it with a "
        "PDF reader that validates signatures."
    ),
    "footer_session": "Session {session_id}",
    "footer_page": "Page {page} of {pages}",
    "yes": "yes",
    "no": "no",
    "date_format": "{day} {month} {year}, {hh}:{mm}",
    "date_short_format": "{day} {month} {year}",
    "ci_format": "{lo} to {hi}",
    "flag_separator": ", ",
}

_DE: dict[str, str] = {
    "doc_title": "Bericht zur Verhaltensdiagnostik",
    "cover_kicker": "Bericht zur Verhaltensdiagnostik",
    "cover_pseudonym": "Pseudonym der teilnehmenden Person",
    "cover_session": "Sitzung",
    "cover_date": "Datum",
    "cover_centre": "Testzentrum",
    "cover_station": "Station",
    "cover_battery": "Testbatterie",
    "cover_battery_value": "{name}, Version {version}",
    "cover_norms": "Normen",
    "cover_norms_value": "Version {version} ({status})",
    "status_provisional": "vorläufig",
    "status_final": "endgültig",
    "cover_purpose": (
        "Dieser Bericht beschreibt das Verhalten der Person in einer Reihe kurzer, "
        "beaufsichtigter Spiele. Er weist zwei Arten von Werten getrennt aus: vier "
        "Fähigkeiten (wie gut eine Aufgabe gelöst wurde; höher ist besser) und acht "
        "Verhaltensstile (bei denen keiner der Pole besser ist). Er ist eine "
        "Informationsquelle unter mehreren: Bitte zusammen mit anderen Informationen "
        "auswerten und nie als alleinige Entscheidungsgrundlage verwenden."
    ),
    "other_design_title": (
        "Einige Normen stammen aus einer anderen Testversion; Vergleiche mit Vorsicht ziehen."
    ),
    "other_design_body": (
        "Die Normen für {games} stammen aus Sitzungen, in denen eine andere Version "
        "dieser Spiele gespielt wurde ({norm_design}). Ihre Perzentile vergleichen diese "
        "Sitzung mit Personen, die mehr oder weniger Durchgänge gespielt haben, und sind "
        "daher ungenauer als sonst."
    ),
    "provisional_title": "Die Normen sind vorläufig; Vergleiche mit Vorsicht ziehen.",
    "provisional_body": (
        "Die Perzentile in diesem Bericht vergleichen die Sitzung mit einer vorläufigen "
        "Referenzstichprobe (Normversion {version}, n\u00a0=\u00a0{sample_size}; {provenance}). "
        "Sie können sich ändern, wenn eine endgültige Normtabelle sie ersetzt."
    ),
    "section_abilities": "Fähigkeiten",
    "abilities_intro": (
        "Diese vier Werte messen, wie gut eine Aufgabe gelöst wurde: Ziffern im "
        "Gedächtnis halten, eine begonnene Reaktion stoppen, Züge vorausplanen und "
        "Gesichtsausdrücke benennen. Hier ist höher besser: Ein Perzentil von 70 "
        "bedeutet, dass die Person besser abschnitt als etwa 70 von 100 Personen der "
        "Referenzstichprobe. Die Werte beschreiben die Leistung in diesen Spielen bei "
        "dieser Gelegenheit, keine feste Begabung."
    ),
    "section_traits": "Verhaltensstile",
    "traits_intro": (
        "Jede Zeile ordnet die Person zwischen den beiden benannten Polen eines Stils "
        "ein. Bei diesen Stilen ist keiner der Pole besser als der andere: Sie "
        "beschreiben unterschiedliche Arten, eine Aufgabe anzugehen; welche passt, hängt "
        "von der Rolle ab."
    ),
    "traits_percentile_help": (
        "<b>Perzentil.</b> Der Balken beginnt in der Mitte der Referenzstichprobe "
        "(50. Perzentil) und zeigt zu dem Pol, zu dem das Verhalten neigt. Ein Perzentil "
        "von 70 bedeutet: Die Person liegt näher am rechten Pol als 70 von 100 Personen "
        "der Referenzstichprobe; 30 bedeutet: näher am linken Pol als 70 von 100."
    ),
    "traits_ci_help": (
        "<b>95-%-Konfidenzintervall</b> (Fehlerlinie). Der Bereich, in dem die Position "
        "der Person plausibel liegt – abhängig davon, wie viele Durchgänge gespielt "
        "wurden und wie beständig die Antworten waren. Eine breite Fehlerlinie bedeutet "
        "weniger Aussagekraft; überlappende Intervalle nicht als Unterschied lesen. Das "
        "schattierte Band markiert die mittleren 68 % der Referenzstichprobe (16. bis "
        "84. Perzentil)."
    ),
    "chart_axis": "Perzentil",
    "chart_caption": "Perzentil {p}",
    "chart_caption_ci": "Perzentil {p}  \u00b7  95-%-KI {lo}\u2013{hi}",
    "chart_not_estimated": "nicht geschätzt",
    "chart_not_reported": "nicht ausgewiesen: zu wenige Daten",
    "pct_pinned": "keins: durch das Design festgelegt",
    "pct_low_data": "keins: zu wenige Durchgänge",
    "pct_undefined": "nicht verfügbar",
    "pct_no_norm": "keins: keine Norm",
    "pct_small_norm_sample": "keins: kleine Normstichprobe",
    "chart_n_metrics": "{n} Kennwerte",
    "chart_n_metrics_one": "1 Kennwert",
    "trait_flags_note": "Hinweise zu den Eigenschaften: {notes}.",
    "section_games": "Ergebnisse nach Spiel",
    "games_intro": (
        "Jede Tabelle zeigt die Kennwerte eines Spiels mit dem 95-%-Konfidenzintervall "
        "(Bootstrap über die Durchgänge des Spiels), dem Perzentil gegenüber den Normen, "
        "soweit vorhanden, der Zahl der Durchgänge n, auf der der Kennwert beruht, und "
        "Qualitätshinweisen. Die Zeile unter jedem Kennwert erklärt in einfachen Worten, "
        "was er misst. Ein Strich bedeutet: aus den Daten dieser Sitzung nicht "
        "schätzbar. Ein Kennwert aus weniger Durchgängen, als das Design verlangt, oder "
        "einer, den das Design selbst nahe einem Zielwert hält, hat kein Perzentil; die "
        "Tabelle nennt den Grund."
    ),
    "col_metric": "Kennwert",
    "col_value": "Wert",
    "col_ci": "95-%-KI",
    "col_percentile": "Perzentil",
    "col_n": "n",
    "col_flags": "Hinweise",
    "game_status_completed": "Abgeschlossen",
    "game_status_interrupted": "Unterbrochen",
    "game_status_omitted": "Ausgelassen",
    "game_interrupted_note": (
        "Unterbrochen: Die Werte beruhen nur auf den Durchgängen vor der Unterbrechung; "
        "bitte besonders vorsichtig lesen."
    ),
    "game_omitted_note": "In dieser Sitzung nicht gespielt; es gibt keine Werte.",
    "game_no_metrics": "Für dieses Spiel liegen keine Kennwerte vor.",
    "game_flags": "Hinweise zum Spiel: {flags}.",
    "section_quality": "Datenqualität",
    "quality_intro": (
        "Die Auswertungsregeln setzen Hinweise automatisch. Ein Hinweis macht ein "
        "Ergebnis nicht ungültig; er sagt, dass es einen zweiten Blick verdient."
    ),
    "quality_none": "Für diese Sitzung wurden keine Probleme der Datenqualität festgestellt.",
    "quality_glossary": "Verwendete Hinweise",
    "flag_unknown": "Von den Auswertungsregeln gesetzt; siehe Dokumentation der Auswertung.",
    "section_timing": "Zeitmessung",
    "timing_methods": "Zeitstempel der Reize",
    "timing_refresh": "Bildwiederholrate",
    "timing_refresh_value": "{hz} Hz",
    "timing_unknown": "unbekannt",
    "timing_frames": "Aufgezeichnete Bilder",
    "timing_dropped": "Ausgefallene Bilder",
    "timing_dropped_value": "{n} ({share} der Bilder)",
    "timing_latency": "Latenz Eingabe bis Zeitstempel (Software)",
    "timing_latency_value": (
        "Median {p50} \u00b5s, 99. Perzentil {p99} \u00b5s (gemessen am {date})"
    ),
    "timing_latency_none": "an dieser Station nicht gemessen",
    "timing_explain": (
        "Reize erhalten ihren Zeitstempel, wenn das Bild, das sie zeigt, dargestellt "
        "wird; Antworten, sobald die Anwendung die Eingabe zum ersten Mal sieht. Ein Bild "
        "gilt als ausgefallen, wenn es länger als das 1,5-Fache der Bildperiode dauerte. "
        "Die Latenz ist der Anteil, den die Software dieser Station zwischen Eingabe und "
        "Zeitstempel hinzufügt. Tastaturen und Bildschirme haben eigene Verzögerungen "
        "(bei Tastaturen typischerweise 4\u201325 ms); diese sind hier nicht enthalten "
        "und lassen sich durch Software nicht entfernen."
    ),
    "section_incidents": "Vorkommnisse (Aufsicht)",
    "incidents_none": "Keine protokolliert.",
    "col_time": "Zeit",
    "col_author": "Aufsicht",
    "col_note": "Notiz",
    "section_norms": "Normen und Auswertung",
    "norms_version": "Version der Normtabelle",
    "norms_status": "Status",
    "norms_status_provisional": "vorläufig \u2013 Vergleiche mit Vorsicht ziehen",
    "norms_status_final": "endgültig",
    "norms_sample": "Referenzstichprobe",
    "norms_sample_value": "n\u00a0=\u00a0{n}",
    "norms_design": "Design der Normstichprobe",
    "norms_design_none": "nicht festgehalten",
    "norms_other_design": "anderes Design für: {games}",
    "norms_provenance": "Herkunft",
    "norms_scoring": "Version der Auswertungsregeln",
    "norms_explain": (
        "Die Kennwerte werden an der Normtabelle standardisiert (z-Werte), mit "
        "dokumentierten Gewichten zu den Eigenschaften zusammengefasst und als Perzentile "
        "der Referenzstichprobe angegeben. Werte aus verschiedenen Norm- oder "
        "Auswertungsversionen sind ohne Neuauswertung nicht vergleichbar."
    ),
    "section_integrity": "Integrität der Aufzeichnung",
    "integrity_events": "Aufgezeichnete Ereignisse",
    "integrity_head": "Kopf der Ereigniskette (SHA-256)",
    "integrity_explain": (
        "Jeder aufgezeichnete Reiz und jede Antwort ist mit SHA-256 an das vorherige "
        "Ereignis gekettet. Der Kettenkopf ist der Fingerabdruck aller {n} Ereignisse "
        "dieser Sitzung: Aus den gespeicherten Ereignissen neu berechnet, muss er den "
        "obigen Wert ergeben; jede spätere Änderung der Daten fällt so auf."
    ),
    "section_evidence": "Nachweis",
    "evidence_intro": (
        "Diese Werte verbinden den Bericht mit seiner Sitzung und dem Audit-Protokoll der "
        "Station. Dieselben Werte sind in dieses PDF als Datei kiosk-evidence.json "
        "eingebettet, innerhalb der Signatur: kiosk verify liest sie von dort und kann sie "
        "mit dem Datenspeicher vergleichen."
    ),
    "evidence_report_id": "Bericht-ID",
    "evidence_session": "Sitzung",
    "evidence_about": "Person {pseudonym}, {station}",
    "evidence_chain_head": "Kopf der Ereigniskette",
    "evidence_checkpoint": "Prüfpunkt im Audit-Protokoll (versiegelt die Sitzung)",
    "evidence_entry": "Eintrag {seq}",
    "evidence_signature": "Signatur des Prüfpunkts",
    "evidence_shortened": "gekürzt; der vollständige Wert steht in kiosk-evidence.json",
    "evidence_key": "Stationsschlüssel (SHA-256 des Zertifikats)",
    "evidence_unsigned": (
        "keine: der Prüfpunkt wurde geschrieben, während der Stationsschlüssel gesperrt war"
    ),
    "demo_banner": "DEMO \u2014 simulierte Person, keine Beurteilung",
    "demo_notice": (
        "Dieser Bericht beruht auf einer simulierten Person und zeigt, wie der Kiosk "
        "arbeitet. Er beschreibt keinen Menschen und darf für keine Entscheidung verwendet "
        "werden."
    ),
    "note_shortened": "\u2026 (gekürzt)",
    "section_signature": "Elektronische Signatur",
    "signature_explain": (
        "Das Feld rechts enthält die elektronische Signatur der Station. Sie versiegelt "
        "dieses Dokument: Jede Änderung nach dem Signieren macht die Signatur ungültig. "
        "Prüfen lässt sie sich mit einem PDF-Programm, das Signaturen validiert."
    ),
    "footer_session": "Sitzung {session_id}",
    "footer_page": "Seite {page} von {pages}",
    "yes": "ja",
    "no": "nein",
    "date_format": "{day}. {month} {year}, {hh}:{mm} Uhr",
    "date_short_format": "{day}. {month} {year}",
    "ci_format": "{lo} bis {hi}",
    "flag_separator": ", ",
}

_TEXTS: dict[str, dict[str, str]] = {"en": _EN, "de": _DE}

_MONTHS: dict[str, tuple[str, ...]] = {
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    "de": (
        "Januar", "Februar", "März", "April", "Mai", "Juni",
        "Juli", "August", "September", "Oktober", "November", "Dezember",
    ),
}  # fmt: skip

#: Display name, low end, high end of each trait, by language; keyed like scoring.traits.
TRAIT_WORDS: Mapping[str, Mapping[str, tuple[str, str, str]]] = {
    "attention": {
        "en": ("Attention", "selective", "wide-ranging"),
        "de": ("Aufmerksamkeit", "selektiv", "breit gestreut"),
    },
    "decision making": {
        "en": ("Decision making", "deliberate", "instinctive"),
        "de": ("Entscheiden", "abwägend", "spontan"),
    },
    "effort": {
        "en": ("Effort", "effort-conserving", "effort-investing"),
        "de": ("Anstrengung", "kräftesparend", "einsatzfreudig"),
    },
    "fairness": {
        "en": ("Fairness", "accepting", "fairness-insisting"),
        "de": ("Fairness", "akzeptierend", "auf Fairness bestehend"),
    },
    "focus": {
        "en": ("Focus", "switching", "sustaining"),
        "de": ("Fokus", "wechselnd", "ausdauernd"),
    },
    "generosity": {
        "en": ("Generosity", "retaining", "sharing"),
        "de": ("Großzügigkeit", "behaltend", "teilend"),
    },
    "learning": {
        "en": ("Learning", "weighs long experience", "follows recent outcomes"),
        "de": ("Lernen", "stützt sich auf lange Erfahrung", "folgt jüngsten Ergebnissen"),
    },
    "risk tolerance": {
        "en": ("Risk tolerance", "cautious", "risk-seeking"),
        "de": ("Risikobereitschaft", "vorsichtig", "risikofreudig"),
    },
    "working memory": {
        "en": ("Working memory", "shorter span", "longer span"),
        "de": ("Arbeitsgedächtnis", "kürzere Spanne", "längere Spanne"),
    },
    "stopping speed": {
        "en": ("Stopping speed", "slower stopping", "faster stopping"),
        "de": ("Stopp-Geschwindigkeit", "langsameres Stoppen", "schnelleres Stoppen"),
    },
    "planning": {
        "en": ("Planning", "fewer puzzles solved", "more puzzles solved"),
        "de": ("Planen", "weniger Aufgaben gelöst", "mehr Aufgaben gelöst"),
    },
    "emotion recognition": {
        "en": ("Emotion recognition", "fewer expressions named", "more expressions named"),
        "de": ("Emotionserkennung", "weniger Ausdrücke erkannt", "mehr Ausdrücke erkannt"),
    },
}

# flag -> (short name, explanation) per language.  Keys ending in ":" match
# "<kind>:<detail>" flags; the detail is appended to the short name.
_FLAGS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "omissions": ("omissions", "More than 10% of the trials had no response."),
        "anticipations": (
            "anticipations",
            "More than 10% of the responses came too fast to be reactions to the "
            "stimulus (under 150 ms).",
        ),
        "constant_rts": (
            "constant RTs",
            "Response times were suspiciously constant (variation under 5%): possibly a "
            "stuck key or automated input.",
        ),
        "side_bias": (
            "side bias",
            "85% or more of the responses went to one side although the correct sides "
            "were balanced.",
        ),
        "ceiling": ("ceiling", "At the top of the scale: the metric cannot tell people apart."),
        "floor": ("floor", "At chance level or the bottom of the scale."),
        "race_model_violation": (
            "race-model violation",
            "Responses on stop trials were not faster than on go trials, so the "
            "stop-signal reaction time is not estimated (Verbruggen et al. 2019).",
        ),
        "incomplete": ("incomplete", "Fewer trials were scored than the battery planned."),
        "no_trials": ("no trials", "The game has no scored trials."),
        "ragged_table": (
            "ragged data",
            "Recorded data columns differed in length; the shortest length was used.",
        ),
        "tasks_not_completed": (
            "tasks not completed",
            "In some trials the chosen task was not completed in time.",
        ),
        "no_bootstrap_ci": ("no CI", "No confidence interval could be computed."),
        "undefined_resamples": (
            "approximate CI",
            "Some bootstrap resamples gave no value; the interval is approximate.",
        ),
        "no_data": ("no data", "No trials were available for this metric."),
        "separation": (
            "separation",
            "The choice model separated the choices perfectly; the slope is not reliable.",
        ),
        "no_choice_variation": (
            "no choice variation",
            "Every choice was the same, so sensitivity cannot be estimated.",
        ),
        "fit_failed": ("fit failed", "The model could not be fitted to the choices."),
        "no_metrics": ("no metrics", "No metric was available for this trait."),
        "low_data": (
            "low data",
            "Fewer trials than the design needs for a stable value: shown, but without "
            "a percentile.",
        ),
        "too_few_for_ci": ("too few for a CI", "Too few trials to estimate an interval."),
        "low_reliability": (
            "low reliability",
            "The metric ranks people inconsistently from one occasion to the next "
            "(retest reliability below .5, or known to be low); read it with care.",
        ),
        "degenerate_ci": (
            "no usable CI",
            "Every resample gave the same value, so the interval would look certain "
            "although the data are few; it is not shown.",
        ),
        "insufficient_coverage": (
            "not reported",
            "Less than half of the weight of the metrics behind this score had usable "
            "data, so the score is not reported.",
        ),
        "norms_other_design": (
            "norms of another design",
            "The norms were built from sessions that played another version of this game.",
        ),
        "norms_other_design:": (
            "norms of another design",
            "The norms were built from sessions that played another version of this game.",
        ),
        "norms_design_unknown": (
            "norm design unknown",
            "The norm table does not record which game versions it was built from.",
        ),
        "percentile_normal_approximation": (
            "approximate percentile",
            "The norm table stores no sample for this score; the percentile assumes a "
            "normal distribution.",
        ),
        "split_half_reliability": (
            "split-half reliability",
            "No retest reliability was available; the interval uses split-half "
            "reliability, which can overstate stability.",
        ),
        "no_component_covariance": (
            "no covariance",
            "The norm table has no covariance of the metrics; they were treated as uncorrelated.",
        ),
        "no_trait_norm": ("no norm", "The norm table has no usable entry for this score."),
        "ez_condition_unfit:": (
            "condition not fitted",
            "The diffusion model could not be fitted in one condition, so it is not estimated.",
        ),
        "low_data:": (
            "metric with low data",
            "A metric behind the score rests on too few trials and was left out.",
        ),
        "clipped:": (
            "clipped",
            "An extreme metric was limited to 4 standard deviations before entering the "
            "trait, so that one value cannot decide it.",
        ),
        "missing:": ("metric missing", "A metric behind the trait was not available."),
        "undefined:": ("metric undefined", "A metric behind the trait could not be estimated."),
        "no_norm:": ("no norm", "The norm table has no usable entry for a metric."),
        "no_error_estimate:": (
            "no error estimate",
            "A metric behind the trait has no error estimate, so the trait has no "
            "confidence interval.",
        ),
        "missing_column:": ("data missing", "Recorded data lacked a column the game needs."),
        "bad_column:": ("data unreadable", "A recorded data column could not be read."),
        "invalid_values:": ("invalid values", "Some recorded values could not be used."),
    },
    "de": {
        "omissions": ("Auslassungen", "Bei mehr als 10 % der Durchgänge kam keine Antwort."),
        "anticipations": (
            "Antizipationen",
            "Mehr als 10 % der Antworten kamen zu schnell, um Reaktionen auf den Reiz zu "
            "sein (unter 150 ms).",
        ),
        "constant_rts": (
            "konstante Reaktionszeiten",
            "Die Reaktionszeiten waren auffällig gleichförmig (Variation unter 5 %): "
            "möglicherweise eine klemmende Taste oder automatisierte Eingaben.",
        ),
        "side_bias": (
            "Seitenpräferenz",
            "85 % oder mehr der Antworten gingen auf eine Seite, obwohl die richtigen "
            "Seiten ausgeglichen waren.",
        ),
        "ceiling": (
            "Deckeneffekt",
            "Am oberen Ende der Skala: Der Kennwert unterscheidet hier nicht mehr.",
        ),
        "floor": ("Bodeneffekt", "Auf Zufallsniveau oder am unteren Ende der Skala."),
        "race_model_violation": (
            "Race-Modell verletzt",
            "Antworten in Stopp-Durchgängen waren nicht schneller als in Go-Durchgängen; "
            "die Stoppsignal-Reaktionszeit wird daher nicht geschätzt (Verbruggen et al. "
            "2019).",
        ),
        "incomplete": (
            "unvollständig",
            "Es wurden weniger Durchgänge ausgewertet, als die Testbatterie vorsah.",
        ),
        "no_trials": ("keine Durchgänge", "Das Spiel hat keine auswertbaren Durchgänge."),
        "ragged_table": (
            "ungleiche Daten",
            "Aufgezeichnete Datenspalten waren unterschiedlich lang; die kürzeste Länge "
            "wurde verwendet.",
        ),
        "tasks_not_completed": (
            "Aufgaben nicht geschafft",
            "In einigen Durchgängen wurde die gewählte Aufgabe nicht rechtzeitig erfüllt.",
        ),
        "no_bootstrap_ci": ("kein KI", "Es ließ sich kein Konfidenzintervall berechnen."),
        "undefined_resamples": (
            "KI angenähert",
            "Einige Bootstrap-Stichproben ergaben keinen Wert; das Intervall ist angenähert.",
        ),
        "no_data": ("keine Daten", "Für diesen Kennwert lagen keine Durchgänge vor."),
        "separation": (
            "Separation",
            "Das Wahlmodell trennte die Entscheidungen vollständig; die Steigung ist nicht "
            "verlässlich.",
        ),
        "no_choice_variation": (
            "keine Variation",
            "Alle Entscheidungen waren gleich; die Sensitivität ist nicht schätzbar.",
        ),
        "fit_failed": ("Anpassung gescheitert", "Das Modell ließ sich nicht anpassen."),
        "no_metrics": ("keine Kennwerte", "Für diese Eigenschaft lag kein Kennwert vor."),
        "low_data": (
            "wenige Daten",
            "Weniger Durchgänge, als das Design für einen stabilen Wert braucht: "
            "angezeigt, aber ohne Perzentil.",
        ),
        "low_reliability": (
            "geringe Reliabilität",
            "Der Kennwert ordnet Personen von einer Gelegenheit zur nächsten wenig "
            "beständig ein (Retest-Reliabilität unter 0,5 oder bekannt niedrig); mit "
            "Vorsicht lesen.",
        ),
        "too_few_for_ci": (
            "zu wenige für ein KI",
            "Zu wenige Durchgänge, um ein Intervall zu schätzen.",
        ),
        "degenerate_ci": (
            "kein brauchbares KI",
            "Alle Bootstrap-Stichproben ergaben denselben Wert; das Intervall sähe sicher "
            "aus, obwohl die Daten spärlich sind, und wird nicht gezeigt.",
        ),
        "insufficient_coverage": (
            "nicht ausgewiesen",
            "Für weniger als die Hälfte des Gewichts der zugrunde liegenden Kennwerte "
            "lagen brauchbare Daten vor; der Wert wird nicht ausgewiesen.",
        ),
        "norms_other_design": (
            "Normen eines anderen Designs",
            "Die Normen stammen aus Sitzungen mit einer anderen Version dieses Spiels.",
        ),
        "norms_other_design:": (
            "Normen eines anderen Designs",
            "Die Normen stammen aus Sitzungen mit einer anderen Version dieses Spiels.",
        ),
        "norms_design_unknown": (
            "Normdesign unbekannt",
            "Die Normtabelle hält nicht fest, aus welchen Spielversionen sie stammt.",
        ),
        "percentile_normal_approximation": (
            "angenähertes Perzentil",
            "Die Normtabelle enthält keine Stichprobe für diesen Wert; das Perzentil "
            "nimmt eine Normalverteilung an.",
        ),
        "split_half_reliability": (
            "Split-Half-Reliabilität",
            "Es lag keine Retest-Reliabilität vor; das Intervall nutzt die "
            "Split-Half-Reliabilität, die Stabilität überschätzen kann.",
        ),
        "no_component_covariance": (
            "keine Kovarianz",
            "Die Normtabelle enthält keine Kovarianz der Kennwerte; sie wurden als "
            "unkorreliert behandelt.",
        ),
        "no_trait_norm": ("keine Norm", "Die Normtabelle hat keinen brauchbaren Eintrag."),
        "ez_condition_unfit:": (
            "Bedingung nicht angepasst",
            "Das Diffusionsmodell ließ sich in einer Bedingung nicht anpassen; es wird "
            "nicht geschätzt.",
        ),
        "low_data:": (
            "Kennwert mit wenigen Daten",
            "Ein zugrunde liegender Kennwert beruht auf zu wenigen Durchgängen und blieb "
            "unberücksichtigt.",
        ),
        "clipped:": (
            "begrenzt",
            "Ein extremer Kennwert wurde auf 4 Standardabweichungen begrenzt, bevor er in "
            "die Eigenschaft einging, damit ein einzelner Wert sie nicht bestimmt.",
        ),
        "missing:": ("Kennwert fehlt", "Ein Kennwert der Eigenschaft lag nicht vor."),
        "undefined:": (
            "Kennwert nicht schätzbar",
            "Ein Kennwert der Eigenschaft ließ sich nicht schätzen.",
        ),
        "no_norm:": ("keine Norm", "Die Normtabelle hat keinen brauchbaren Eintrag."),
        "no_error_estimate:": (
            "keine Fehlerschätzung",
            "Ein Kennwert hat keine Fehlerschätzung; die Eigenschaft hat daher kein "
            "Konfidenzintervall.",
        ),
        "missing_column:": ("Daten fehlen", "Den Daten fehlte eine benötigte Spalte."),
        "bad_column:": ("Daten unlesbar", "Eine Datenspalte ließ sich nicht lesen."),
        "invalid_values:": ("ungültige Werte", "Einige Werte waren nicht verwendbar."),
    },
}


def text(language: str, key: str, **values: object) -> str:
    """The wording ``key`` in ``language``, with ``{placeholders}`` filled from ``values``."""
    template = _TEXTS[language][key]
    return template.format(**values) if values else template


def month_name(language: str, month: int) -> str:
    """The full name of ``month`` (1–12) in ``language``."""
    return _MONTHS[language][month - 1]


def _flag_entry(language: str, flag: str) -> tuple[tuple[str, str] | None, str]:
    table = _FLAGS[language]
    if flag in table:
        return table[flag], ""
    kind, sep, detail = flag.partition(":")
    if sep and kind + ":" in table:
        return table[kind + ":"], detail
    return None, ""


def flag_name(language: str, flag: str) -> str:
    """A flag's short name in words (``"clipped (stop.ssrt_ms)"``); unknown flags verbatim."""
    entry, detail = _flag_entry(language, flag)
    if entry is None:
        return flag
    return f"{entry[0]} ({detail})" if detail else entry[0]


def flag_explanation(language: str, flag: str) -> str | None:
    """One sentence explaining a flag, or ``None`` for a flag this module does not know."""
    entry, _ = _flag_entry(language, flag)
    return None if entry is None else entry[1]
