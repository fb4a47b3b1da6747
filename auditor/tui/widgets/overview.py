"""Overview tab: the period's figures, where the money went, tracking health, top leaks."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Sparkline, Static

from auditor import format as fmt
from auditor.review import decisions as dec
from auditor.review.frames import all_spend, tracking_skipped
from auditor.review.rows import finding_subject, negative_syntax
from auditor.review.state import ReviewState

BAR_WIDTH = 30
SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}


def bar(value: float, total: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of block characters, `value / total` of `width` long."""
    if total <= 0 or value <= 0:
        return ""
    eighths = round(value / total * width * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[rest]


class OverviewPane(VerticalScroll):
    """Everything a manager wants to see before opening a table."""

    def __init__(self, state: ReviewState, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.state = state

    def compose(self) -> ComposeResult:
        yield Static(id="ov-figures")
        yield Static(id="ov-since")
        yield Static(id="ov-tracking")
        yield Static(id="ov-chart")
        daily = self.state.daily
        if len(daily) > 1:
            yield Static(
                f"Spend by day, {daily.index.min():%d %b} to {daily.index.max():%d %b}",
                classes="ov-caption",
            )
            yield Sparkline(daily.tolist(), id="ov-daily")
        yield Static(id="ov-leaks")

    def on_mount(self) -> None:
        self.refresh_figures()
        self.query_one("#ov-chart", Static).update(self._chart())
        self.query_one("#ov-since", Static).update(self._since())
        self.query_one("#ov-tracking", Static).update(self._tracking())
        self.query_one("#ov-leaks", Static).update(self._leaks())

    def refresh_figures(self) -> None:
        """Recount (called after every decision: the savings change)."""
        self.query_one("#ov-figures", Static).update(self._figures())

    def _figures(self) -> Table:
        s = self.state
        r = s.result
        cur = r.currency
        t = r.totals
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()

        def row(label: str, value: str) -> None:
            grid.add_row(label, Text(value))  # report text (account, currency): never markup

        period = r.period
        row("Account", s.account.label)
        if period is not None:
            row("Period", f"{period.start} to {period.end} ({period.days} days)")
        cost, conv, value = t.get("cost"), t.get("conversions"), t.get("conversion_value")
        cpa, roas = fmt.ratio(cost, conv), fmt.ratio(value, cost)
        hidden, everything = r.hidden_cost_amount, all_spend(r)
        listed = " on listed terms" if hidden is not None else ""
        row("Spend", f"{fmt.money(cost, cur)}{listed}   clicks {fmt.number(t.get('clicks'))}")
        roas_text = f"{roas:.2f}" if roas is not None else fmt.DASH
        row("Conversions", f"{fmt.number(conv)}   CPA {fmt.money(cpa, cur)}   ROAS {roas_text}")
        wasted = self.state.non_converting
        if wasted is None:
            row("No conversion", "unknown (the report has no Conversions column)")
        else:
            shares = f"{fmt.share(fmt.ratio(wasted, cost))} of{' listed' * bool(listed)} spend"
            if hidden is not None:
                shares += f", {fmt.share(fmt.ratio(wasted, everything))} of all spend"
            row("No conversion", f"{fmt.money(wasted, cur)} ({shares})")
        if hidden is not None:
            row(
                "Hidden terms",
                f"{fmt.money(hidden, cur)} on terms the platform hides"
                f" ({fmt.share(fmt.ratio(hidden, everything))} of all spend)",
            )
        else:
            row("Hidden terms", "unknown (the report has no 'Other search terms' total)")
        c = s.counts()
        accepted = s.savings((dec.STATUS_ACCEPTED,))
        proposed = s.savings((dec.STATUS_PENDING, dec.STATUS_ACCEPTED))
        row(
            "Negatives",
            f"{len(s.rows)} proposed ({c['new']} new), {c['accepted']} accepted,"
            f" {c['rejected']} rejected, {c['exported']} exported",
        )
        row(
            "Would save",
            f"{fmt.money(accepted, cur)} accepted · {fmt.money(proposed, cur)} with all open ones",
        )
        return grid

    def _since(self) -> Text:
        """Since the last review: what is new, and the earlier exports that still spent."""
        since = self.state.since
        if since.previous is None:
            return Text(
                "First review of this account: next week's review will say what changed.",
                style="dim",
            )
        cur = self.state.result.currency
        text = Text(
            f"Since the last review ({since.previous.replace('..', ' to ')}): ", style="bold"
        )
        text.append(
            f"{since.new_proposals} new proposal(s), {since.new_findings} new finding(s)"
            " (marked new)"
        )
        if not since.exported:
            return text
        still = since.still_spending
        text.append(f"\n{len(since.exported)} negative(s) exported before: ")
        if not still:
            text.append(
                "none of their terms spent this week (added in the platform).", style="green"
            )
            return text
        spent = sum(p.blocked_cost for p, _ in still)
        text.append(
            f"{len(still)} still spent {fmt.money(spent, cur)} this week (not added in the"
            " platform yet?): ",
            style="yellow",
        )
        text.append(", ".join(negative_syntax(p) for p, _ in still[:3]))
        if len(still) > 3:
            text.append(f" +{len(still) - 3} more")
        return text

    def _chart(self) -> Table:
        """Where the money went: converting terms, non-converting terms, hidden terms."""
        r = self.state.result
        cost = r.totals.get("cost") or 0.0
        wasted = self.state.non_converting
        hidden = r.hidden_cost_amount
        parts = [] if hidden is None else [("Hidden terms", hidden, "grey50")]
        if wasted is not None:
            parts = [
                ("Converting", cost - wasted, "green"),
                ("No conversion", wasted, "red"),
                *parts,
            ]
        else:
            parts = [("Listed terms", cost, "blue"), *parts]
        total = all_spend(r)
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=14)
        grid.add_column(width=BAR_WIDTH + 1)
        grid.add_column(justify="right")
        for name, value, style in parts:
            grid.add_row(
                name,
                Text(bar(value, total), style=style),
                f"{fmt.money(value)} {fmt.share(fmt.ratio(value, total))}",
            )
        grid.add_row("All spend", "", f"{fmt.money(total)} 100%", style="bold")
        return grid

    def _tracking(self) -> Text:
        tracking = self.state.tracking()
        if not tracking:
            skipped = tracking_skipped(self.state.result)
            if skipped:
                return Text(
                    f"Tracking: {len(skipped)} check(s) could not run on these inputs (tab 5);"
                    " no problem in the rest",
                    style="yellow",
                )
            return Text("Tracking: no problem found", style="green")
        text = Text("Tracking: ", style="bold")
        for sev in ("high", "medium", "low", "info"):
            checks = sorted({f.check or f.rule for f in tracking if f.severity == sev})
            if checks:
                text.append(f"{sev} ", style=SEVERITY_STYLE[sev])
                text.append(", ".join(checks) + "   ")
        if any(f.severity in ("high", "medium") for f in tracking):
            text.append("\nFix tracking before trusting any 'zero conversions'.", style="red")
        return text

    def _leaks(self) -> Table:
        """The five costliest waste findings."""
        s = self.state
        waste = s.findings[s.findings["category"] == "waste"].nlargest(5, "cost")
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column(justify="right")
        grid.add_column()
        grid.add_row("Top leaks", "", "")
        for pos in waste["pos"].tolist():
            f = s.result.findings[pos]
            grid.add_row(
                Text(f.severity, style=SEVERITY_STYLE.get(f.severity, "")),
                fmt.money(f.cost),
                Text(fmt.cut(finding_subject(f), 44)),
            )
        if waste.empty:
            grid.add_row("", "", "no waste finding")
        return grid
