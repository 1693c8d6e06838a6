"""The candidate's idle screen: enter a check-in code; choose language and display.

Each candidate starts from the defaults: whenever the screen is opened for a new
candidate (:meth:`CheckInScreen.on_show`, or :meth:`~CheckInScreen.reset_for_next_candidate`
directly), the language, larger text and high contrast the previous candidate chose
are set back. Only returning to the screen as it was (after a cancelled unlock, which
reveals it without opening it) keeps them.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QVBoxLayout

from kiosk import services
from kiosk.shell.screens import Screen, ShellContext, ShellState, screen
from kiosk.shell.screens.forms import Card, button, field, label
from kiosk.shell.texts import LANGUAGES, shell_text

_DEFAULTS = ShellState()


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
        self.language_label = label("", "note", wrap=False)
        self.language = QComboBox()
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.larger = QCheckBox()
        self.contrast = QCheckBox()
        # One choice per line: with larger text, German labels do not fit side by side.
        language_row = QHBoxLayout()
        language_row.addWidget(self.language_label)
        language_row.addWidget(self.language)
        language_row.addStretch(1)
        options = QVBoxLayout()
        options.setSpacing(6)
        options.addLayout(language_row)
        options.addWidget(self.larger)
        options.addWidget(self.contrast)
        self.card.body.addWidget(self.subtitle)
        self.card.body.addWidget(self.code)
        self.card.body.addWidget(self.go)
        self.card.body.addSpacing(8)
        self.card.body.addLayout(options)
        self.card.finish()
        # The key of the message on show, so a change of language can re-render it.
        self.message_key: str | None = None
        self.go.clicked.connect(self.submit)
        self.code.returnPressed.connect(self.submit)
        self.language.currentIndexChanged.connect(self._language_changed)
        self.larger.toggled.connect(self._display_changed)
        self.contrast.toggled.connect(self._display_changed)
        self._retranslate()

    def on_show(self) -> None:
        self.reset_for_next_candidate()
        self.code.setFocus()

    def reset_for_next_candidate(self) -> None:
        """Clear the code and message; language and display back to the defaults."""
        self.code.clear()
        self._show_message(None)
        self.go.setEnabled(True)
        state = self.context.state
        state.language = _DEFAULTS.language
        state.large_text = _DEFAULTS.large_text
        state.high_contrast = _DEFAULTS.high_contrast
        for widget in (self.language, self.larger, self.contrast):
            widget.blockSignals(True)
        self.language.setCurrentIndex(max(0, self.language.findData(state.language)))
        self.larger.setChecked(state.large_text)
        self.contrast.setChecked(state.high_contrast)
        for widget in (self.language, self.larger, self.contrast):
            widget.blockSignals(False)
        self._retranslate()
        self._apply_display()

    def _language_changed(self) -> None:
        self.context.state.language = str(self.language.currentData())
        self._retranslate()

    def _display_changed(self) -> None:
        state = self.context.state
        state.large_text = self.larger.isChecked()
        state.high_contrast = self.contrast.isChecked()
        self._apply_display()

    def _apply_display(self) -> None:
        apply = getattr(self.window(), "apply_display", None)
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
        self._show_message(self.message_key)

    def _show_message(self, key: str | None) -> None:
        self.message_key = key
        self.card.show_message(shell_text(self.context.state.language, key) if key else "")

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
            self.context.fail(exc)
            return
        self._show_message("bad_code")
