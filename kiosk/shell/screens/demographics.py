"""Optional, voluntary demographics, kept with personal data for fairness audits only."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout

from kiosk import services
from kiosk.shell.screens import Screen, ShellContext, screen
from kiosk.shell.screens.forms import Card, button, field, label
from kiosk.shell.texts import shell_text

AGE_GROUPS = ("", "16–24", "25–34", "35–44", "45–54", "55–64", "65+")
GENDERS = ("", "woman", "man", "non-binary", "another")


@screen
class DemographicsScreen(Screen):
    name = "demographics"
    title = "Optional questions"

    def __init__(self, context: ShellContext) -> None:
        super().__init__(context)
        self.card = Card(self, "", width=620)
        self.subtitle = label("", "note")
        self.age = QComboBox()
        self.gender = QComboBox()
        self.first_language = field("")
        self.age_label, self.gender_label, self.lang_label = label(""), label(""), label("")
        self.skip = button("")
        self.go = button("", "primary")
        self.card.body.addWidget(self.subtitle)
        for lab, widget in (
            (self.age_label, self.age),
            (self.gender_label, self.gender),
            (self.lang_label, self.first_language),
        ):
            self.card.body.addWidget(lab)
            self.card.body.addWidget(widget)
        row = QHBoxLayout()
        row.addWidget(self.skip)
        row.addStretch(1)
        row.addWidget(self.go)
        self.card.body.addLayout(row)
        self.card.finish()
        self.skip.clicked.connect(lambda: self.context.open_screen("play"))
        self.go.clicked.connect(self.submit)

    def on_show(self) -> None:
        lang = self.context.state.language
        prefer_not = shell_text(lang, "prefer_not")
        self.card.title.setText(shell_text(lang, "demographics_title"))
        self.subtitle.setText(shell_text(lang, "demographics_subtitle"))
        self.age_label.setText(shell_text(lang, "age"))
        self.gender_label.setText(shell_text(lang, "gender"))
        self.lang_label.setText(shell_text(lang, "first_language"))
        for combo, values in ((self.age, AGE_GROUPS), (self.gender, GENDERS)):
            combo.clear()
            for value in values:
                combo.addItem(value or prefer_not, value)
        self.first_language.clear()
        self.skip.setText(shell_text(lang, "skip"))
        self.go.setText(shell_text(lang, "continue"))
        self.skip.setFocus()

    def submit(self) -> None:
        store, sid = self.context.store, self.context.state.session_id
        assert sid is not None
        answers = {
            "age_group": str(self.age.currentData() or ""),
            "gender": str(self.gender.currentData() or ""),
            "first_language": self.first_language.text().strip(),
        }
        self.context.run(
            lambda: services.record_demographics(store, sid, answers),
            lambda _: self.context.open_screen("play"),
            self._failed,
        )

    def _failed(self, exc: BaseException) -> None:
        self.context.fail(exc)
