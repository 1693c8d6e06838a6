"""Money Exchange 1 on screen: a question, an amount selector and a Confirm button.

Before each role's block a screen says what the candidate does in it. In a round the
question sits at the top (how much to send, or how much of the tripled amount to
return), below it the amount with − and + buttons, a scale from 0 to the most allowed
(a click or tap on it picks that amount), a line saying what the amount means for
both players, and Confirm. Keys: Left/Down and Right/Up change the amount by one,
Enter confirms. The amount starts at 0 in every round.

Every change of the amount is recorded as an ``amount_changed`` event (``amount``,
``via``: ``"key"``, ``"key_repeat"``, ``"button"`` or ``"scale"``) with the input's
stamp; the decision itself is the task's ``response``. After a decision the round's
outcome shows (what the partner returned, what the candidate earns) until the next
round starts.

Auto-repeat: holding an amount key moves the amount on (``via`` ``"key_repeat"``);
repeats of any other key are ignored (``ignored_input``, reason ``auto_repeat``).
A double click counts as two clicks.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter

from games.api import EventSink, GameConfig
from games.engine import palette
from games.engine.qt.amount import AmountView
from games.engine.qt.view import BotAction, BotMove, kind_and_value
from games.exchange_trust.task import TrustTask


class TrustView(AmountView[TrustTask]):
    game_id = "exchange_trust"

    def make_task(self, config: GameConfig, sink: EventSink) -> TrustTask:
        return TrustTask(config.params, config.seed, sink)

    # -- flow ---------------------------------------------------------------------------

    def role_message(self, role: str) -> str:
        task = self.task
        return self.texts.get(
            self.game_id,
            f"{role}_part",
            endowment=task.endowment,
            multiplier=int(task.params["multiplier"]),
        )

    # -- geometry shared by painting and clicking --------------------------------------

    def input_for(self, action: BotMove) -> BotAction:
        kind, amount = kind_and_value(action)
        if kind not in ("send", "return"):
            raise ValueError(f"exchange_trust: no input for action {action!r}")
        return self.amount_input_for(amount)

    # -- input -------------------------------------------------------------------------

    def submit_amount(self, t_ns: int) -> bool:
        task = self.task
        if task.role == "investor":
            return bool(task.send(self.amount, t_ns))
        return bool(task.return_amount(self.amount, t_ns))

    # -- drawing -----------------------------------------------------------------------

    def paint_decision(self, painter: QPainter, area: QRectF) -> None:
        task = self.task
        trial = task.current_trial
        assert trial is not None
        t, g = self.texts, self.game_id
        boxes = self._layout(area)
        if task.role == "investor":
            prompt = t.get(g, "send_prompt", endowment=task.endowment)
            received = self.amount * int(task.params["multiplier"])
            preview = t.get(g, "preview_send", keep=task.endowment - self.amount, received=received)
        else:
            sent = int(trial.partner_sent or 0)
            prompt = t.get(g, "return_prompt", sent=sent, received=task.received)
            preview = t.get(
                g, "preview_return", keep=task.received - self.amount, amount=self.amount
            )
        self._paint_prompt(painter, area, boxes["prompt"], prompt)
        self._paint_selector(painter, area, boxes)
        self._paint_note(painter, area, boxes["preview"], preview)
        self._paint_button(painter, area, boxes["confirm"], t.get(g, "confirm"), palette.ACCENT)

    def paint_outcome(self, painter: QPainter, area: QRectF) -> None:
        outcome = self.task.last_outcome
        assert outcome is not None
        t, g = self.texts, self.game_id
        if outcome.role == "investor":
            headline = t.get(g, "partner_returned", amount=outcome.returned)
            detail = t.get(g, "sent_received", sent=outcome.sent, received=outcome.received)
        else:
            headline = t.get(
                g, "you_returned", returned=outcome.returned, received=outcome.received
            )
            detail = t.get(g, "partner_sent", sent=outcome.sent, received=outcome.received)
        self._paint_rows(
            painter,
            area,
            [
                (detail, 1.1, palette.MUTED, False),
                (headline, 1.6, palette.INK, True),
                (t.get(g, "round_payoff", amount=outcome.payoff_self), 1.3, palette.ACCENT, True),
            ],
        )
