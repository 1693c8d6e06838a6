"""The engagement part of the report's data-quality section.

:func:`engagement_block` turns the session's :class:`~reports.model.QualityNote`
values (signs of invalid responding, found by ``scoring.engagement`` and passed
in as plain values) into flowables: a sub-heading, one sentence saying what the
notes mean, and one bullet per note ("Arrows: 92% of 120 responses came faster
than 150 ms ..."). A session without notes gets nothing: the section already says
when nothing is wrong. Nothing here judges the candidate; the notes say that the
responses may not reflect the candidate's ability or style, so that a reader
weighs the scores accordingly.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.platypus import Flowable

from reports.formatting import markup
from reports.model import QualityNote
from reports.theme import para

__all__ = ["ENGAGEMENT_TEXT", "engagement_block"]

#: The block's own wording, per report language.
ENGAGEMENT_TEXT = {
    "en": {
        "heading": "Engagement",
        "intro": (
            "Some responses do not look like an attempt at the task (for example, "
            "faster than anyone can see the screen, or the same key on every trial). "
            "The scores of these games may not describe the candidate; consider the "
            "proctor's notes and, if needed, a new session."
        ),
    },
    "de": {
        "heading": "Bearbeitung",
        "intro": (
            "Einige Antworten sehen nicht nach einer Bearbeitung der Aufgabe aus (etwa "
            "schneller, als man den Bildschirm sehen kann, oder in jedem Durchgang "
            "dieselbe Taste). Die Werte dieser Spiele beschreiben die Person "
            "vielleicht nicht; beachten Sie die Notizen der Aufsicht und erwägen Sie "
            "eine neue Sitzung."
        ),
    },
}


def engagement_block(notes: Sequence[QualityNote], language: str) -> list[Flowable]:
    """The sub-heading, explanation and one bullet per note; empty without notes."""
    if not notes:
        return []
    words = ENGAGEMENT_TEXT.get(language, ENGAGEMENT_TEXT["en"])
    story: list[Flowable] = [
        para(escape(words["heading"]), "h2"),
        para(escape(words["intro"]), "help"),
    ]
    for note in notes:
        bullet = para(markup(note.message), "bullet")
        bullet.bulletText = "\u2022"
        story.append(bullet)
    return story
