"""The admin screen's centre server panel: whether the station is enrolled, and enrolling.

A widget only: it calls :mod:`kiosk.sync` on the background runner (which checks the
role and audits) and shows what came back. Syncing itself starts with the station
window once it is enrolled, so a new enrolment takes effect at the next start.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QGroupBox, QHBoxLayout, QVBoxLayout

from kiosk.shell.context import ShellContext
from kiosk.shell.screens.forms import button, field, label
from kiosk.sync.enrolment import EnrolmentError, SyncSettings, enrol
from kiosk.sync.service import SyncOverview, sync_overview

__all__ = ["SyncSettingsPanel"]


class SyncSettingsPanel(QGroupBox):
    def __init__(self, context: ShellContext) -> None:
        super().__init__("Centre server")
        self.context = context
        layout = QVBoxLayout(self)
        self.state = label("", "note")
        layout.addWidget(self.state)
        row = QHBoxLayout()
        self.url = field("Server address, e.g. https://kiosk.example.org")
        self.code = field("One-time enrolment code")
        self.enrol = button("Enrol", "primary")
        row.addWidget(self.url, 2)
        row.addWidget(self.code, 1)
        row.addWidget(self.enrol)
        layout.addLayout(row)
        self.replace = QCheckBox("Replace the current enrolment (the new server gets everything)")
        layout.addWidget(self.replace)
        self.result = label("", "note")
        layout.addWidget(self.result)
        self.enrol.clicked.connect(self._enrol)

    def refresh(self) -> None:
        store = self.context.store
        self.context.run(lambda: sync_overview(store), self._show, self._error)

    def _show(self, overview: SyncOverview) -> None:
        settings, outbox = overview.settings, overview.outbox
        if settings is None:
            self.state.setText("Not enrolled: this station keeps everything to itself.")
            self.replace.setVisible(False)
            return
        text = (
            f"Enrolled with {settings.url} (centre {settings.centre_name}). "
            f"Acknowledged through batch {outbox.acked_through}; "
            f"{outbox.pending} batch(es) waiting."
        )
        if outbox.halted:
            text += f" SYNCING STOPPED ({outbox.halted}): {outbox.halt_message}"
        elif outbox.last_error:
            text += f" Last error: {outbox.last_error}"
        self.state.setText(text)
        self.replace.setVisible(True)

    def _enrol(self) -> None:
        actor, store = self.context.state.actor, self.context.store
        assert actor is not None
        url, code, replace = self.url.text(), self.code.text(), self.replace.isChecked()
        self.enrol.setEnabled(False)
        self.result.setText(f"Enrolling with {url.strip()}…")
        self.context.run(
            lambda: enrol(store, actor, url, code, replace=replace), self._enrolled, self._error
        )

    def _enrolled(self, settings: SyncSettings) -> None:
        self.enrol.setEnabled(True)
        self.code.clear()
        self.result.setText(
            f"Enrolled with centre {settings.centre_name}. Syncing starts when the station "
            "window is next started."
        )
        self.refresh()

    def _error(self, exc: BaseException) -> None:
        self.enrol.setEnabled(True)
        if not isinstance(exc, (ValueError, PermissionError, EnrolmentError)):
            self.context.fail(exc)
            return
        self.result.setText(f"Not enrolled: {exc}")
