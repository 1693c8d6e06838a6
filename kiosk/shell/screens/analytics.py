"""Analytics for admins: the station's candidates against the norms, trends, rates,
timing health and the active role-fit model's adverse-impact audit.

Widgets only: the figures come from :func:`kiosk.analytics.load_analytics` on the
background runner, the exports from :func:`kiosk.analytics.export_audit` (signed
PDF and CSV). The audit tab draws any :class:`kiosk.analytics.AuditView`
(:meth:`AnalyticsScreen.show_audits`), so it does not care where audits come from;
without an active model it says so.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk import analytics
from kiosk.shell.screens import Screen, ShellContext, screen
from kiosk.shell.screens.forms import button, field, label

__all__ = ["AnalyticsScreen"]

_BAR = (29, 78, 137, 150)
_NORM = pg.mkPen((192, 86, 33), width=2)
_COLUMNS = 3


def _plot_widget() -> pg.GraphicsLayoutWidget:
    widget = pg.GraphicsLayoutWidget()
    widget.setBackground("w")
    return widget


def _histogram(plot: pg.PlotItem, row: analytics.Distribution) -> None:
    """The values as a histogram, with the norm's normal curve scaled to the same area."""
    values = np.asarray(row.values, dtype=float)
    plot.setTitle(row.name.replace("_", " "), size="9pt")
    plot.hideButtons()
    if values.size == 0:
        return
    bins = min(12, max(4, int(math.sqrt(values.size)) + 2))
    low, high = float(values.min()), float(values.max())
    if math.isfinite(row.norm_mean) and math.isfinite(row.norm_sd) and row.norm_sd > 0:
        low = min(low, row.norm_mean - 3 * row.norm_sd)
        high = max(high, row.norm_mean + 3 * row.norm_sd)
    if high <= low:
        high = low + 1.0
    counts, edges = np.histogram(values, bins=bins, range=(low, high))
    plot.addItem(
        pg.BarGraphItem(x0=edges[:-1], x1=edges[1:], height=counts, brush=pg.mkBrush(*_BAR))
    )
    if math.isfinite(row.norm_mean) and math.isfinite(row.norm_sd) and row.norm_sd > 0:
        xs = np.linspace(low, high, 120)
        density = np.exp(-0.5 * ((xs - row.norm_mean) / row.norm_sd) ** 2) / (
            row.norm_sd * math.sqrt(2 * math.pi)
        )
        plot.plot(xs, density * values.size * (edges[1] - edges[0]), pen=_NORM)


@screen
class AnalyticsScreen(Screen):
    name = "analytics"
    title = "Analytics"

    def __init__(self, context: ShellContext) -> None:
        super().__init__(context)
        self.data: analytics.AnalyticsData | None = None
        self.audits: tuple[analytics.AuditView, ...] = ()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 18)
        top = QHBoxLayout()
        top.addWidget(label("Analytics", "title"), 1)
        self.reload = button("Refresh")
        self.back = button("Back to administration")
        top.addWidget(self.reload)
        top.addWidget(self.back)
        outer.addLayout(top)
        self.summary = label("Reading the station's sessions…", "note")
        self.summary.setWordWrap(True)
        outer.addWidget(self.summary)
        self.tabs = QTabWidget()
        outer.addWidget(self.tabs, 1)
        self.status = label("", "note")
        outer.addWidget(self.status)

        self.traits_plot = _plot_widget()
        self.metrics_plot = _plot_widget()
        self.trends_plot = _plot_widget()
        self.rates_plot = _plot_widget()
        self.timing_plot = _plot_widget()
        self.tabs.addTab(self.traits_plot, "Traits vs norms")
        self.tabs.addTab(self.metrics_plot, "Metrics vs norms")
        self.tabs.addTab(self.trends_plot, "Trends")
        self.tabs.addTab(self.rates_plot, "Completion and flags")
        self.tabs.addTab(self.timing_plot, "Timing health")
        self._audit_tab()

        self.back.clicked.connect(lambda: self.context.open_screen("admin"))
        self.reload.clicked.connect(self.refresh)

    # -- the audit tab -------------------------------------------------------------------

    def _audit_tab(self) -> None:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        row = QHBoxLayout()
        self.audit_choice = QComboBox()
        self.audit_heading = label("No active model.", "heading")
        row.addWidget(self.audit_heading, 1)
        row.addWidget(self.audit_choice)
        layout.addLayout(row)
        self.audit_table = QTableWidget(0, 6)
        self.audit_table.setHorizontalHeaderLabels(
            ["Attribute", "Group", "Candidates", "Passed", "Selection rate", "Impact ratio"]
        )
        self.audit_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.audit_table.verticalHeader().setVisible(False)
        layout.addWidget(self.audit_table, 1)
        self.sweep_plot = pg.PlotWidget()
        self.sweep_plot.setBackground("w")
        self.sweep_plot.setLabel("bottom", "cut (percentile of the score)")
        self.sweep_plot.setLabel("left", "impact ratio")
        self.sweep_plot.addLegend(offset=(10, 10))
        layout.addWidget(self.sweep_plot, 1)
        export = QHBoxLayout()
        self.audit_folder = field("Folder for the audit exports, e.g. /media/usb/audits")
        self.export_pdf = button("Export signed PDF + CSV", "primary")
        export.addWidget(self.audit_folder, 1)
        export.addWidget(self.export_pdf)
        layout.addLayout(export)
        self.audit_choice.currentIndexChanged.connect(self._draw_audit)
        self.export_pdf.clicked.connect(self._export_audit)
        self.tabs.addTab(tab, "Role-fit audit")

    def show_audits(self, audits: tuple[analytics.AuditView, ...], note: str = "") -> None:
        """Show these audits (any source); ``note`` says why there are none."""
        self.audits = audits
        self.audit_choice.blockSignals(True)
        self.audit_choice.clear()
        self.audit_choice.addItems([f"{a.role} ({a.version[:8]})" for a in audits])
        self.audit_choice.blockSignals(False)
        self.audit_choice.setVisible(bool(audits))
        self.export_pdf.setEnabled(bool(audits))
        if not audits:
            self.audit_heading.setText(note or "No active model.")
            self.audit_table.setRowCount(0)
            self.sweep_plot.clear()
            return
        self._draw_audit(0)

    def selected_audit(self) -> analytics.AuditView | None:
        index = self.audit_choice.currentIndex()
        return self.audits[index] if 0 <= index < len(self.audits) else None

    def _draw_audit(self, _index: int) -> None:
        audit = self.selected_audit()
        if audit is None:
            return
        verdicts = ", ".join(f"{k}: {v.replace('_', ' ')}" for k, v in audit.verdicts.items())
        self.audit_heading.setText(
            f"{audit.role}: threshold {audit.threshold:.3f}, {audit.n_candidates} candidates"
            + (f" · {verdicts}" if verdicts else "")
        )
        self.audit_table.setRowCount(len(audit.groups))
        for r, row in enumerate(audit.groups):
            cells = (
                row.attribute,
                row.group,
                str(row.n_total),
                str(row.n_pass),
                f"{row.selection_rate:.2f}" if math.isfinite(row.selection_rate) else "–",
                f"{row.impact_ratio:.2f}" if math.isfinite(row.impact_ratio) else "–",
            )
            for c, text in enumerate(cells):
                self.audit_table.setItem(r, c, QTableWidgetItem(text))
        self.sweep_plot.clear()
        self.sweep_plot.addLine(
            y=0.8, pen=pg.mkPen((180, 35, 24), style=pg.QtCore.Qt.PenStyle.DashLine)
        )
        colours = [(29, 78, 137), (192, 86, 33), (47, 133, 90), (107, 70, 193)]
        for i, (attribute, points) in enumerate(audit.sweeps.items()):
            xs = [p.percentile for p in points if math.isfinite(p.impact_ratio)]
            ys = [p.impact_ratio for p in points if math.isfinite(p.impact_ratio)]
            colour = colours[i % len(colours)]
            self.sweep_plot.plot(xs, ys, pen=pg.mkPen(colour, width=2), name=attribute)
            failed = [(p.percentile, p.impact_ratio) for p in points if p.failed]
            if failed:
                self.sweep_plot.plot(
                    [x for x, _ in failed],
                    [y for _, y in failed],
                    pen=None,
                    symbol="x",
                    symbolBrush=(180, 35, 24),
                    symbolPen=(180, 35, 24),
                )
        self.sweep_plot.setYRange(0, 1.05)

    def _export_audit(self) -> None:
        audit, actor, store = self.selected_audit(), self.context.state.actor, self.context.store
        text = self.audit_folder.text().strip()
        if audit is None or actor is None:
            return
        if not text:
            self.status.setText("Choose a folder first.")
            return
        folder = Path(text).expanduser()

        def done(paths: tuple[Path, Path]) -> None:
            self.status.setText(f"Wrote {paths[0].name} (signed) and {paths[1].name} to {folder}.")

        self.context.run(
            lambda: analytics.export_audit(store, actor, audit, folder), done, self._error
        )

    # -- showing -------------------------------------------------------------------------

    def on_show(self) -> None:
        if self.context.state.actor is None:
            self.context.open_screen("signin")
            return
        self.refresh()

    def refresh(self) -> None:
        actor, store = self.context.state.actor, self.context.store
        if actor is None:
            return
        self.status.setText("")
        self.context.run(
            lambda: analytics.load_analytics(store, actor), self.show_data, self._error
        )

    def show_data(self, data: analytics.AnalyticsData) -> None:
        self.data = data
        completed = data.status_counts.get("completed", 0)
        rate = f"{100 * data.completion_rate:.0f}%" if math.isfinite(data.completion_rate) else "–"
        flags = f"{100 * data.flag_rate:.0f}%" if math.isfinite(data.flag_rate) else "–"
        self.summary.setText(
            f"{sum(data.status_counts.values())} sessions, {completed} completed "
            f"({rate} of those started); {data.flagged_sessions} completed sessions "
            f"({flags}) with engagement flags. Bars: this station; orange curve: the norms."
        )
        self._grid(self.traits_plot, data.traits)
        self._grid(self.metrics_plot, data.metrics)
        self._trends(data)
        self._rates(data)
        self._timing(data)
        self.show_audits(data.audits, data.audit_note)

    def _grid(
        self, widget: pg.GraphicsLayoutWidget, rows: tuple[analytics.Distribution, ...]
    ) -> None:
        widget.clear()
        if not rows:
            widget.addLabel("No values yet: no completed session has this score.")
            return
        for index, row in enumerate(rows):
            _histogram(widget.addPlot(row=index // _COLUMNS, col=index % _COLUMNS), row)

    def _trends(self, data: analytics.AnalyticsData) -> None:
        widget = self.trends_plot
        widget.clear()
        axis = {"bottom": pg.DateAxisItem()}
        sessions = widget.addPlot(row=0, col=0, title="Completed sessions per day", axisItems=axis)
        xs, ys = analytics.sample_points([(d, float(n)) for d, n in data.sessions_per_day])
        if xs:
            sessions.addItem(
                pg.BarGraphItem(x=xs, height=ys, width=60_000, brush=pg.mkBrush(*_BAR))
            )
        traits = widget.addPlot(
            row=1, col=0, title="Trait means per day (z)", axisItems={"bottom": pg.DateAxisItem()}
        )
        traits.addLegend(offset=(10, 10))
        for i, (name, points) in enumerate(data.trait_trends.items()):
            xs, ys = analytics.sample_points(points)
            traits.plot(
                xs,
                ys,
                pen=pg.mkPen(pg.intColor(i, hues=9), width=2),
                symbol="o",
                symbolSize=5,
                name=name,
            )

    def _rates(self, data: analytics.AnalyticsData) -> None:
        widget = self.rates_plot
        widget.clear()
        statuses = sorted(data.status_counts)
        plot = widget.addPlot(row=0, col=0, title="Sessions by status")
        plot.addItem(
            pg.BarGraphItem(
                x=list(range(len(statuses))),
                height=[data.status_counts[s] for s in statuses],
                width=0.6,
                brush=pg.mkBrush(*_BAR),
            )
        )
        plot.getAxis("bottom").setTicks([list(enumerate(s.replace("_", " ") for s in statuses))])
        codes = sorted(data.flag_counts)
        flags = widget.addPlot(row=0, col=1, title="Completed sessions by engagement flag")
        if codes:
            flags.addItem(
                pg.BarGraphItem(
                    x=list(range(len(codes))),
                    height=[data.flag_counts[c] for c in codes],
                    width=0.6,
                    brush=pg.mkBrush(180, 35, 24, 160),
                )
            )
            flags.getAxis("bottom").setTicks([list(enumerate(c.replace("_", " ") for c in codes))])

    def _timing(self, data: analytics.AnalyticsData) -> None:
        widget = self.timing_plot
        widget.clear()
        plot = widget.addPlot(
            title="Input-to-stamp latency per timing test (µs)",
            axisItems={"bottom": pg.DateAxisItem()},
        )
        plot.addLegend(offset=(10, 10))
        if not data.timing:
            widget.addLabel(
                "No timing test yet: run `kiosk timing-test` on this station.", row=1, col=0
            )
            return
        xs = [p.at.timestamp() for p in data.timing]
        plot.plot(
            xs,
            [p.input_median_us for p in data.timing],
            pen=pg.mkPen(_BAR[:3], width=2),
            symbol="o",
            name="median",
        )
        plot.plot(
            xs,
            [p.input_p99_us for p in data.timing],
            pen=pg.mkPen((192, 86, 33), width=2),
            symbol="t",
            name="99th percentile",
        )

    def _error(self, exc: BaseException) -> None:
        if not isinstance(exc, (ValueError, PermissionError)):
            self.context.fail(exc)
            return
        self.status.setText(f"Not done: {exc}")
