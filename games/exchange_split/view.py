"""Money Exchange 2 on screen: split a pot by choosing an amount, or answer an offer.

Before each role's block a screen says what the candidate does in it. As proposer or
dictator the candidate sees the question, the amount for the partner with − and +
buttons, a scale from 0 to the pot (a click or tap on it picks that amount), a line
saying what the split means for both, and Confirm. Keys: Left/Down and Right/Up change
the amount by one, Enter confirms; the amount starts at 0 in every round. As responder
the candidate sees the partner's offer, what accepting and rejecting would pay, and
two buttons: Accept (key A) and Reject (key R).

Every change of the amount is recorded as an ``amount_changed`` event (``amount``,
``via``: ``"key"``, ``"key_repeat"``, ``"button"`` or ``"scale"``) with the input's
stamp; the decision itself is the task's ``response``. After a decision the round's
outcome shows (accepted or not, what each player gets) until the next round starts.

Auto-repeat: holding an amount key moves the amount on (``via`` ``"key_repeat"``);
repeats of any other key are ignored (``ignored_input``, reason ``auto_repeat``).
A double click counts as two clicks.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter

from games.api import EventSink, GameConfig
from games.engine import palette
from games.engine.qt.amount import AmountView
from games.engine.qt.timing import StampedInput
from games.engine.qt.view import BotAction, BotMove, kind_and_value
from games.exchange_split.task import SplitTask

ACCEPT_KEYS = {int(Qt.Key.Key_A)}
REJECT_KEYS = {int(Qt.Key.Key_R)}


class SplitView(AmountView[SplitTask]):
    game_id = "exchange_split"

    def make_task(self, config: GameConfig, sink: EventSink) -> SplitTask:
        return SplitTask(config.params, config.seed, sink)

    def role_message(self, role: str) -> str:
        return self.texts.get(self.game_id, f"{role}_part", pot=self.task.pot)

    # -- geometry shared by painting and clicking --------------------------------------

    def _layout(self, rect: QRectF) -> dict[str, QRectF]:
        u = self.unit(rect)
        top = rect.top() + max(0.0, (rect.height() - 40 * u) / 2)
        cx = rect.center().x()
        button_w = 11.0 * u
        return {
            **super()._layout(rect),
            # Responder rounds: the offer's consequences, then the two answers.
            "respond_prompt": QRectF(cx - 18 * u, top + 7.0 * u, 36 * u, 7.0 * u),
            "respond_preview": QRectF(cx - 18 * u, top + 15.5 * u, 36 * u, 5.0 * u),
            "accept": QRectF(cx - button_w - u, top + 22.5 * u, button_w, 3.4 * u),
            "reject": QRectF(cx + u, top + 22.5 * u, button_w, 3.4 * u),
        }

    def input_for(self, action: BotMove) -> BotAction:
        kind, value = kind_and_value(action)
        boxes = self._layout(QRectF(self.canvas.rect()))
        if kind == "respond":
            return ("click", boxes["accept" if value else "reject"].center())
        if kind not in ("offer", "give"):
            raise ValueError(f"exchange_split: no input for action {action!r}")
        return self.amount_input_for(value)

    # -- input -------------------------------------------------------------------------

    def trial_input(self, event: StampedInput) -> bool:
        if self.task.role == "responder":
            return self._respond_input(event)
        return super().trial_input(event)

    def _respond_input(self, event: StampedInput) -> bool:
        task = self.task
        if event.device == "key":
            if event.key in ACCEPT_KEYS:
                return bool(task.respond(True, event.t_ns))
            if event.key in REJECT_KEYS:
                return bool(task.respond(False, event.t_ns))
            return False
        if event.x is None or event.y is None:
            return False
        boxes = self._layout(QRectF(self.canvas.rect()))
        point = QPointF(event.x, event.y)
        if boxes["accept"].contains(point):
            return bool(task.respond(True, event.t_ns))
        if boxes["reject"].contains(point):
            return bool(task.respond(False, event.t_ns))
        return False

    def submit_amount(self, t_ns: int) -> bool:
        task = self.task
        if task.role == "proposer":
            return bool(task.offer(self.amount, t_ns))
        return bool(task.give(self.amount, t_ns))

    # -- drawing -----------------------------------------------------------------------

    def paint_decision(self, painter: QPainter, area: QRectF) -> None:
        if self.task.role == "responder":
            self._paint_response(painter, area)
        else:
            self._paint_split(painter, area)

    def _paint_split(self, painter: QPainter, area: QRectF) -> None:
        task = self.task
        t, g = self.texts, self.game_id
        boxes = self._layout(area)
        keep = task.pot - self.amount
        if task.role == "proposer":
            prompt = t.get(g, "offer_prompt", pot=task.pot)
            preview = t.get(g, "preview_offer", keep=keep, amount=self.amount)
        else:
            prompt = t.get(g, "give_prompt", pot=task.pot)
            preview = t.get(g, "preview_give", keep=keep, amount=self.amount)
        self._paint_prompt(painter, area, boxes["prompt"], prompt)
        self._paint_selector(painter, area, boxes)
        self._paint_note(painter, area, boxes["preview"], preview)
        self._paint_button(painter, area, boxes["confirm"], t.get(g, "confirm"), palette.ACCENT)

    def _paint_response(self, painter: QPainter, area: QRectF) -> None:
        task = self.task
        t, g = self.texts, self.game_id
        boxes = self._layout(area)
        offer = task.offer_to_candidate
        self._paint_prompt(
            painter,
            area,
            boxes["respond_prompt"],
            t.get(g, "respond_prompt", offer=offer, pot=task.pot),
        )
        self._paint_note(
            painter,
            area,
            boxes["respond_preview"],
            t.get(g, "preview_respond", offer=offer, rest=task.pot - offer),
        )
        self._paint_button(painter, area, boxes["accept"], t.get(g, "accept"), palette.ACCENT)
        self._paint_button(painter, area, boxes["reject"], t.get(g, "reject"), palette.ORANGE)

    def paint_outcome(self, painter: QPainter, area: QRectF) -> None:
        task = self.task
        outcome = task.last_outcome
        assert outcome is not None
        t, g = self.texts, self.game_id
        pot = task.pot
        if outcome.role == "dictator":
            detail = ""
            headline = t.get(g, "you_gave", amount=outcome.offer, pot=pot)
        else:
            key = "you_offered" if outcome.role == "proposer" else "partner_offered"
            detail = t.get(g, key, offer=outcome.offer, pot=pot)
            headline = t.get(g, "accepted" if outcome.accepted else "rejected")
        rows = [(detail, 1.1, palette.MUTED, False)] if detail else []
        rows.append((headline, 1.6, palette.INK, True))
        rows.append(
            (
                t.get(g, "round_payoffs", mine=outcome.payoff_self, theirs=outcome.payoff_partner),
                1.3,
                palette.ACCENT,
                True,
            )
        )
        self._paint_rows(painter, area, rows)
