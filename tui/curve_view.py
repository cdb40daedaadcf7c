"""The alliance's gain/pain curve, with today's forecast outturn marked."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot

from ledger.services.pool_view import PoolView
from tui.format import money


class CurveView(Vertical):
    def compose(self) -> ComposeResult:
        yield Static(id="curve-today")
        yield PlotextPlot(id="curve-plot")

    def show(self, view: PoolView) -> None:
        today = next(((o, p, c) for o, p, c in view.curve if o == view.outturn), None)
        text = Text(f"Today's forecast outturn {money(view.outturn).plain}", style="bold")
        if today:
            text.append(f": providers {_signed(today[1])}, commissioners {_signed(today[2])}"
                        " (positive: gain shared; negative: pain borne)")
        self.query_one("#curve-today", Static).update(text)
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        # the chart draws floats; the figures themselves stay exact Decimals
        xs = [float(o) / 1000 for o, _, _ in view.curve]
        plt.plot(xs, [float(p) / 1000 for _, p, _ in view.curve], label="providers", marker="braille")
        plt.plot(xs, [float(c) / 1000 for _, _, c in view.curve], label="commissioners", marker="braille")
        plt.vline(float(view.outturn) / 1000, "red")
        plt.hline(0.0, "gray")
        plt.title("Gain (+) and pain (-) by outturn, £000 (red line: today's forecast)")
        plt.xlabel("outturn £000")
        plot.refresh()


def _signed(x: Decimal) -> str:
    return ("+" if x > 0 else "") + money(x).plain
