"""Administration: users and roles, battery files, this station's settings, exports;
the Analytics button opens the analytics view."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QProgressDialog,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk import station
from kiosk.access import Role, auth, users
from kiosk.access.permissions import Action, allowed
from kiosk.battery import BatteryError, builtin_names, load_battery
from kiosk.exports import export_data_as, export_reports_as
from kiosk.shell.screens import Screen, ShellContext, screen
from kiosk.shell.screens.forms import button, field, label
from kiosk.shell.screens.sync_settings import SyncSettingsPanel


class _ProgressRelay(QObject):
    """Carries progress from the background runner to the dialog (queued signal)."""

    step = Signal(int, int)


@screen
class AdminScreen(Screen):
    name = "admin"
    title = "Administration"

    def __init__(self, context: ShellContext) -> None:
        super().__init__(context)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 18)
        top = QHBoxLayout()
        top.addWidget(label("Administration", "title"), 1)
        self.analytics = button("Analytics")
        self.back = button("Back to the console")
        top.addWidget(self.analytics)
        top.addWidget(self.back)
        outer.addLayout(top)
        self.tabs = QTabWidget()
        outer.addWidget(self.tabs, 1)
        self.status = label("", "note")
        outer.addWidget(self.status)
        self.back.clicked.connect(lambda: self.context.open_screen("console"))
        self.analytics.clicked.connect(lambda: self.context.open_screen("analytics"))
        self._users_tab()
        self._batteries_tab()
        self._station_tab()
        self._exports_tab()

    # -- users ---------------------------------------------------------------------------

    def _users_tab(self) -> None:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.users = QListWidget()
        layout.addWidget(self.users, 1)
        access = QHBoxLayout()
        self.disable_user = button("Disable selected user")
        self.enable_user = button("Enable selected user")
        access.addWidget(label("A disabled user cannot sign in or unlock with a PIN.", "note"), 1)
        access.addWidget(self.disable_user)
        access.addWidget(self.enable_user)
        layout.addLayout(access)
        row = QHBoxLayout()
        self.new_username = field("Username")
        self.new_role = QComboBox()
        self.new_role.addItems([Role.PROCTOR.value, Role.ADMIN.value])
        self.new_password = field("Password (8+ characters)", secret=True)
        self.new_pin = field("PIN (4–8 digits)", secret=True)
        self.add_user = button("Add user", "primary")
        for widget in (
            self.new_username,
            self.new_role,
            self.new_password,
            self.new_pin,
            self.add_user,
        ):
            row.addWidget(widget)
        layout.addLayout(row)
        self.add_user.clicked.connect(self._add_user)
        self.disable_user.clicked.connect(lambda: self._set_active(False))
        self.enable_user.clicked.connect(lambda: self._set_active(True))
        self.users.itemSelectionChanged.connect(self._update_user_buttons)
        self._update_user_buttons()
        self.tabs.addTab(tab, "Users and roles")

    def _load_users(self) -> None:
        actor, store = self.context.state.actor, self.context.store
        assert actor is not None
        self.context.run(lambda: users.list_users(store, actor), self._show_users, self._error)

    def _show_users(self, rows: list[users.UserView]) -> None:
        selected = self._selected_user()
        self.users.clear()
        for user in rows:
            state = "" if user.active else " (disabled)"
            item = QListWidgetItem(f"{user.username} — {user.role}{state}")
            item.setData(Qt.ItemDataRole.UserRole, user)
            self.users.addItem(item)
            if selected is not None and user.username == selected.username:
                item.setSelected(True)
        self._update_user_buttons()

    def _selected_user(self) -> users.UserView | None:
        items = self.users.selectedItems()
        if not items:
            return None
        user = items[0].data(Qt.ItemDataRole.UserRole)
        return user if isinstance(user, users.UserView) else None

    def _update_user_buttons(self) -> None:
        user = self._selected_user()
        self.disable_user.setEnabled(user is not None and user.active)
        self.enable_user.setEnabled(user is not None and not user.active)
        if user is None:
            self.disable_user.setToolTip("Select a user in the list first.")
            self.enable_user.setToolTip("Select a user in the list first.")
        else:
            self.disable_user.setToolTip("" if user.active else f"{user.username} is disabled.")
            self.enable_user.setToolTip(f"{user.username} is enabled." if user.active else "")

    def _set_active(self, active: bool) -> None:
        actor, store, user = self.context.state.actor, self.context.store, self._selected_user()
        assert actor is not None
        if user is None:
            self.status.setText("Select a user in the list first.")
            return
        change = users.enable_user if active else users.disable_user
        username = user.username

        def done(_: object) -> None:
            self.status.setText(f"{'Enabled' if active else 'Disabled'} {username}.")
            self._load_users()

        self.context.run(lambda: change(store, actor, username), done, self._error)

    def _add_user(self) -> None:
        actor, store = self.context.state.actor, self.context.store
        assert actor is not None
        username, password = self.new_username.text(), self.new_password.text()
        role, pin = Role(self.new_role.currentText()), self.new_pin.text() or None

        def create() -> None:
            auth.create_user(store, actor, username, password, role, pin=pin)

        def done(_: object) -> None:
            for widget in (self.new_username, self.new_password, self.new_pin):
                widget.clear()
            self.status.setText(f"Added {username} as {role.value}.")
            self._load_users()

        self.context.run(create, done, self._error)

    # -- batteries -----------------------------------------------------------------------

    def _batteries_tab(self) -> None:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.batteries = QListWidget()
        layout.addWidget(self.batteries, 1)
        row = QHBoxLayout()
        self.battery_path = field("Path of a battery file (.toml) to check")
        self.check_battery = button("Check", "primary")
        row.addWidget(self.battery_path, 1)
        row.addWidget(self.check_battery)
        layout.addLayout(row)
        self.battery_result = label("", "note")
        layout.addWidget(self.battery_result)
        self.check_battery.clicked.connect(self._check_battery)
        self.tabs.addTab(tab, "Batteries")

    def _load_batteries(self) -> None:
        def read() -> list[str]:
            return [
                f"{b.name} {b.version} — {len(b.games)} games — {b.description}"
                for b in map(load_battery, builtin_names())
            ]

        def show(rows: list[str]) -> None:
            self.batteries.clear()
            self.batteries.addItems(rows)

        self.context.run(read, show, self._error)

    def _check_battery(self) -> None:
        """Read and check the file off the GUI thread; say whether it can be used."""
        path = self.battery_path.text().strip()

        def check() -> str:
            try:
                battery = load_battery(path)
            except BatteryError as exc:
                return f"Not usable: {exc}"
            games = ", ".join(g.display_name for g in battery.games)
            return f"Usable: {battery.name} {battery.version}: {games}"

        self.context.run(check, self.battery_result.setText, self._error)

    # -- station -------------------------------------------------------------------------

    def _station_tab(self) -> None:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.station_name = field("Station name")
        self.save_station = button("Save", "primary")
        layout.addWidget(label("Station name (shown on the home screen and in reports)"))
        layout.addWidget(self.station_name)
        layout.addWidget(self.save_station)
        self.sync_panel = SyncSettingsPanel(self.context)
        layout.addWidget(self.sync_panel)
        layout.addWidget(
            label("The signing identity is set up from the command line: see the README.", "note")
        )
        layout.addStretch(1)
        self.save_station.clicked.connect(self._save_station)
        self.tabs.addTab(tab, "Station")

    def _load_station(self) -> None:
        store = self.context.store
        self.context.run(
            lambda: station.station_name(store), self.station_name.setText, self._error
        )
        self.sync_panel.refresh()

    def _save_station(self) -> None:
        actor, store = self.context.state.actor, self.context.store
        assert actor is not None
        name = self.station_name.text()
        self.context.run(
            lambda: station.rename_station(store, actor, name),
            lambda _: self.status.setText("Station saved."),
            self._error,
        )

    # -- exports -------------------------------------------------------------------------

    def _exports_tab(self) -> None:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(
            label(
                "Signed reports of every completed session, or the research data (events, "
                "trial tables and scores as CSV with a data dictionary; no personal data).",
                "note",
            )
        )
        self.export_folder = field("Folder to write into, e.g. /media/usb/exports")
        row = QHBoxLayout()
        self.export_reports = button("Export signed reports", "primary")
        self.export_data = button("Export research data")
        row.addWidget(self.export_reports)
        row.addWidget(self.export_data)
        row.addStretch(1)
        layout.addWidget(self.export_folder)
        layout.addLayout(row)
        self.export_result = label("", "note")
        layout.addWidget(self.export_result)
        layout.addStretch(1)
        self.export_reports.clicked.connect(lambda: self._export("reports"))
        self.export_data.clicked.connect(lambda: self._export("data"))
        self.tabs.addTab(tab, "Exports")

    def _export(self, what: str) -> None:
        """Run an export on the background runner with a progress dialog."""
        actor, store = self.context.state.actor, self.context.store
        assert actor is not None
        folder = Path(self.export_folder.text().strip()).expanduser()
        if not self.export_folder.text().strip():
            self.export_result.setText("Choose a folder first.")
            return
        self.progress_dialog = QProgressDialog(f"Exporting {what}…", "", 0, 0, self)
        self.progress_dialog.setCancelButton(None)
        self.progress_dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress_dialog.setMinimumDuration(0)
        self.progress_dialog.show()
        relay = _ProgressRelay(self)
        relay.step.connect(self._progress_step)

        def run() -> str:
            if what == "data":
                counts = export_data_as(actor, store, folder, progress=relay.step.emit)
                return f"Wrote {len(counts)} files to {folder}."
            written, failed = export_reports_as(actor, store, folder, progress=relay.step.emit)
            text = f"Wrote {written} signed report(s) to {folder}."
            if failed:
                text += " Failed: " + "; ".join(f"{sid[:8]}: {err}" for sid, err in failed)
            return text

        def done(text: str) -> None:
            self.progress_dialog.close()
            self.export_result.setText(text)

        def failed(exc: BaseException) -> None:
            self.progress_dialog.close()
            self._error(exc)

        self.context.run(run, done, failed)

    def _progress_step(self, done: int, total: int) -> None:
        self.progress_dialog.setMaximum(total)
        self.progress_dialog.setValue(done)

    # -- common --------------------------------------------------------------------------

    def on_show(self) -> None:
        actor = self.context.state.actor
        if actor is None:
            self.context.open_screen("signin")
            return
        if not allowed(actor.role, Action.MANAGE_USERS):
            self.context.open_screen("console")  # administration is for admins
            return
        self.status.setText("")
        self._load_users()
        self._load_batteries()
        self._load_station()

    def _error(self, exc: BaseException) -> None:
        if not isinstance(exc, (ValueError, PermissionError)):
            self.context.fail(exc)
            return
        self.status.setText(f"Not done: {exc}")
