"""The candidate's idle screen: enter a check-in code; choose language and display."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout

from kiosk import services
from kiosk.screens import Screen, ShellContext, screen
from kiosk.screens.forms import Card, button, field, label
from kiosk.texts import LANGUAGES, shell_text


@screen
class CheckInScreen(Screen):
    name = "checkin"
    title = "Check-in"

    def __init__(self, context: ShellContext) -> None:
        super().__init__(context)
        self.card = Card(self, "", "")
        self.subtitle = label("", "subtitle")
        self.code = field("", name="codefield")
        self.code.setMaxLength(12)
        self.go = button("", "primary")
        options = QHBoxLayout()
        self.language_label = label("", "note", wrap=False)
        self.language = QComboBox()
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.larger = QCheckBox()
        self.contrast = QCheckBox()
        options.addWidget(self.language_label)
        options.addWidget(self.language)
        options.addStretch(1)
        options.addWidget(self.larger)
        options.addWidget(self.contrast)
        self.card.body.addWidget(self.subtitle)
        self.card.body.addWidget(self.code)
        self.card.body.addWidget(self.go)
        self.card.body.addSpacing(8)
        self.card.body.addLayout(options)
        self.card.finish()
        self.go.clicked.connect(self.submit)
        self.code.returnPressed.connect(self.submit)
        self.language.currentIndexChanged.connect(self._language_changed)
        self.larger.toggled.connect(self._display_changed)
        self.contrast.toggled.connect(self._display_changed)
        self._retranslate()

    def on_show(self) -> None:
        self.code.clear()
        self.card.show_message("")
        self.code.setFocus()

    def _language_changed(self) -> None:
        self.context.state.language = str(self.language.currentData())
        self._retranslate()

    def _display_changed(self) -> None:
        state = self.context.state
        state.large_text = self.larger.isChecked()
        state.high_contrast = self.contrast.isChecked()
        window = self.window()
        apply = getattr(window, "apply_display", None)
        if callable(apply):
            apply()

    def _retranslate(self) -> None:
        lang = self.context.state.language
        self.card.title.setText(shell_text(lang, "checkin_title"))
        self.subtitle.setText(shell_text(lang, "checkin_subtitle"))
        self.code.setPlaceholderText(shell_text(lang, "code_placeholder"))
        self.go.setText(shell_text(lang, "continue"))
        self.language_label.setText(shell_text(lang, "language"))
        self.larger.setText(shell_text(lang, "larger_text"))
        self.contrast.setText(shell_text(lang, "high_contrast"))

    def submit(self) -> None:
        store, code = self.context.store, self.code.text()
        self.go.setEnabled(False)
        self.context.run(lambda: services.check_in(store, code), self._checked_in, self._refused)

    def _checked_in(self, session_id: str) -> None:
        self.go.setEnabled(True)
        self.context.state.session_id = session_id
        self.context.state.resume_position = 0
        self.context.open_screen("consent")

    def _refused(self, exc: BaseException) -> None:
        self.go.setEnabled(True)
        if not isinstance(exc, ValueError):
            raise exc
        self.card.show_message(shell_text(self.context.state.language, "bad_code"))
