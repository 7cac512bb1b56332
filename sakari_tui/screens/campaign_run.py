"""Run a manual campaign now: who it reaches, a confirmation, one bulk send, what happened.

The recipients are worked out here first (see ``sakari_tui.core.campaigns``) so the
operator sees how many, the first of them and who has opted out before anything goes.
The send is one ``messages.send`` with the campaign's filters; the server's answer says
how many were queued and who was refused, with the reason.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Static

from sakari_tui.api import Campaign, Contact, NetworkError, SakariError, SendSummary
from sakari_tui.api.phone import format_number
from sakari_tui.core.campaigns import (
    Audience,
    CampaignFilters,
    campaign_audience,
    run_now,
)
from sakari_tui.core.text import one_line
from sakari_tui.screens.base import SakariModal
from sakari_tui.screens.dialogs import preview_text, who_and_why
from sakari_tui.widgets.segment_meter import meter_text

FIRST_ROWS = 8


def contact_row_label(contact: Contact | None, region: str) -> tuple[Text, Text]:
    if contact is None:
        return Text("(unknown)", style="dim"), Text("")
    number = contact.mobile.number if contact.mobile and contact.mobile.number else ""
    return Text(one_line(contact.display_name or "(no name)")), Text(format_number(number, region) if number else "")


def audience_table(audience: Audience, region: str, rows: int = FIRST_ROWS) -> Table:
    table = Table(box=None, show_header=False, expand=True, pad_edge=False)
    table.add_column(ratio=3, no_wrap=True, overflow="ellipsis")
    table.add_column(ratio=2, no_wrap=True)
    table.add_column(ratio=2, no_wrap=True)
    for contact in audience.recipients[:rows]:
        name, number = contact_row_label(contact, region)
        note = Text("opted out", style="bold red") if contact.blocked else Text("")
        table.add_row(name, number, note)
    more = len(audience.recipients) - rows
    if more > 0:
        table.add_row(Text(f"… and {more} more", style="dim"), Text(""), Text(""))
    return table


def result_text(result: SendSummary, audience: Audience | None, region: str) -> Group:
    queued = result.queued if result.queued is not None else result.valid
    lines = Text()
    lines.append(f"Queued {queued if queued is not None else '?'}", style="bold green")
    if result.requested is not None:
        lines.append(f" of {result.requested} requested")
    elif audience is not None:
        lines.append(f" of {len(audience.sendable) + len(audience.blocked)}")
    if result.valid is not None and result.valid != queued:
        lines.append(f" · valid {result.valid}")
    failures = result.failures
    lines.append(f" · refused {len(failures)}", style="bold red" if failures else "")
    if result.estimated_price is not None:
        lines.append(f" · estimated price {result.estimated_price:g}", style="dim")
    if result.job_id:
        lines.append(f"\nJob {result.job_id}", style="dim")
    known = {c.id: c for c in audience.recipients} if audience else {}
    parts: list = [lines]
    rows = []
    for failure in failures:
        contact = failure.contact
        if contact is not None and contact.id in known:
            contact = known[contact.id]
        name, number = contact_row_label(contact, region)
        who = name if name.plain.strip() and name.plain != "(no name)" else number
        rows.append((who, Text(one_line(str(failure)), style="red")))
    if rows:
        parts += who_and_why("Refused:", rows)
    return Group(*parts)


class CampaignRunScreen(SakariModal[SendSummary | None]):
    BINDINGS = [
        Binding("y", "send", "Send now", id="campaigns.run.send"),
        Binding("r", "preview", "Count again", id="campaigns.run.recount", show=False),
        Binding("escape,n,q", "close", "Close", id="campaigns.run.close"),
        Binding("f1", "app.help", "Keys", id="campaigns.run.help"),
    ]

    def __init__(self, campaign: Campaign) -> None:
        super().__init__()
        self.campaign = campaign
        self.filters = CampaignFilters.from_json(campaign.filters)
        self.audience: Audience | None = None
        self.result: SendSummary | None = None
        self.sending = False
        self.outcome_unknown = False

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = Text(f"Run “{one_line(self.campaign.name or '(unnamed)', 40)}” now")
            box.border_subtitle = "y sends · Esc closes"
            yield Static("", id="run-summary")
            yield Static("", id="run-recipients")
            yield Static("", id="run-message")
            yield Static("", id="run-result")
            with Horizontal(classes="buttons"):
                yield Button("Close (Esc)", id="close", compact=True, action="screen.close")
                yield Button(
                    "Send now (y)", id="send", variant="error", compact=True, disabled=True, action="screen.send"
                )

    def on_mount(self) -> None:
        self.action_preview()

    @property
    def default_region(self) -> str:
        return self.app.profile.default_region

    def action_preview(self) -> None:
        if self.sending or self.result is not None:
            return
        self.query_one("#run-summary", Static).update(Text("Counting recipients…", style="dim"))
        self.query_one("#run-summary").loading = True
        self.preview()

    @work(exclusive=True, group="audience", exit_on_error=False)
    async def preview(self) -> None:
        summary = self.query_one("#run-summary", Static)
        try:
            audience = await campaign_audience(self.app.client, self.filters)
        except SakariError as exc:
            summary.update(Text(f"Could not count the recipients: {exc}. Press r to try again.", style="red"))
            return
        finally:
            summary.loading = False
        self.audience = audience
        self.show_audience()

    def show_audience(self) -> None:
        audience = self.audience
        assert audience is not None
        summary = Text()
        sendable, blocked = len(audience.sendable), len(audience.blocked)
        total = sendable + blocked
        summary.append(f"{total} recipient{'s' if total != 1 else ''}", style="bold")
        if blocked:
            summary.append(f" · {sendable} will get it", style="bold")
            summary.append(f" · {blocked} opted out, who will be refused", style="bold red")
        if audience.missing:
            summary.append(f" · {len(audience.missing)} listed contact id(s) not found", style="yellow")
        summary.append("\n" + self.describe_filters(), style="dim")
        problem = self.cannot_send()
        if problem:
            summary.append("\n" + problem, style="bold yellow")
        self.query_one("#run-summary", Static).update(summary)
        rows = FIRST_ROWS if self.app.size.height >= 30 else 5
        self.query_one("#run-recipients", Static).update(audience_table(audience, self.default_region, rows))
        first = audience.sendable[0] if audience.sendable else None
        message = preview_text(self.campaign.template or "", first)
        who = Text(
            f"As {one_line(first.display_name or 'the first recipient')} gets it:" if first else "The message:",
            style="dim",
        )
        self.query_one("#run-message", Static).update(Group(who, message, meter_text(message.plain)))
        button = self.query_one("#send", Button)
        button.disabled = problem is not None
        if not button.disabled:
            button.focus()

    def describe_filters(self) -> str:
        selection = []
        if self.filters.tags:
            selection.append("tagged " + " or ".join(self.filters.tags))
        if self.filters.attributes:
            selection.append("with " + " and ".join(map(str, self.filters.attributes)))
        pieces = []
        if self.filters.contacts:
            pieces.append(f"{len(self.filters.contacts)} listed contact(s)")
        if selection:
            pieces.append("everyone " + ", ".join(selection))
        return "Reaches " + " and ".join(pieces) if pieces else "No filters"

    def cannot_send(self) -> str | None:
        if not (self.campaign.template or "").strip():
            return "The campaign has no message text: edit it first."
        if self.filters.is_empty:
            return "The campaign has no filters, so it reaches nobody: edit it first."
        if self.audience is not None and not self.audience.sendable:
            return "Nobody to send to."
        return None

    def action_send(self) -> None:
        if self.audience is None or self.sending or self.result is not None:
            return
        if self.outcome_unknown:
            self.notify("The last send may have gone out: check the inbox before running it again.", severity="warning")
            return
        if self.cannot_send():
            return
        self.send()

    @work(exclusive=True, group="send", exit_on_error=False)
    async def send(self) -> None:
        self.sending = True
        button = self.query_one("#send", Button)
        button.disabled = True
        out = self.query_one("#run-result", Static)
        out.update(Text("Sending…", style="dim"))
        try:
            template = self.campaign.template or ""
            self.app.store.record_bulk_send(template)  # its messages are this app's (core/inbox.py)
            result = await run_now(self.app.client, template, self.filters)
        except NetworkError as exc:
            if exc.may_have_been_sent:
                self.outcome_unknown = True
                out.update(
                    Text(
                        f"The connection was lost while sending ({exc}): the messages may have gone out. "
                        "Check the inbox before running the campaign again.",
                        style="bold yellow",
                    )
                )
            else:
                out.update(Text(f"Not sent: {exc}. Nothing went out; press y to try again.", style="bold red"))
                button.disabled = False
            return
        except SakariError as exc:
            out.update(Text(f"Not sent: {exc}. Nothing went out; press y to try again.", style="bold red"))
            button.disabled = False
            return
        finally:
            self.sending = False
        self.result = result
        button.display = False
        self.query_one("#run-recipients").display = False
        self.query_one("#run-message").display = False
        self.query_one("#close", Button).focus()
        self.query_one(VerticalScroll).border_subtitle = "Sent · Esc closes"
        out.update(result_text(result, self.audience, self.default_region))
        out.scroll_visible()

    def action_close(self) -> None:
        if self.sending:
            self.notify("Sending: wait for the answer.", timeout=2)
            return
        self.dismiss(self.result)
