"""One message to many contacts: compose once, see who and what it costs, confirm, send in bulk.

Who gets it, and how the send names them (``messages.send`` takes contacts, conversations
or filters, and its only contact filters are tags and attributes):

- contacts picked one by one: their ids, ``contacts: [{"id": ...}, ...]``;
- every contact matching a tag filter, nobody left out: ``filters: {"tags": [...]}``, one
  request, the server picks them. The list's tag filter matches part of a tag and the
  send's matches whole tags, so this form is used only when every listed row carries one
  of the typed tags whole (see ``send_tags``); otherwise, as for
- every contact matching any other filter: the ids, read page by page from
  ``contacts.fetchAll`` (the only way the API offers), then sent by id.

Opted-out contacts known here are left out before sending and reported; the server
refuses any others (CONT-010) and its answer lists them with the reason.

``messages.send`` is not idempotent: a request whose outcome is unknown (the connection
dropped after it went out) is never sent again from here; the report says so.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Label, ProgressBar, Static, TextArea

from sakari_tui.api import (
    Contact,
    NetworkError,
    RecipientFailure,
    SakariError,
    SendSummary,
)
from sakari_tui.api.phone import format_number
from sakari_tui.core.sms import count_segments
from sakari_tui.core.text import one_line
from sakari_tui.screens.base import SakariModal
from sakari_tui.screens.contact_form import short_error
from sakari_tui.screens.dialogs import preview_text, who_and_why
from sakari_tui.widgets.segment_meter import meter_text

if TYPE_CHECKING:
    from sakari_tui.api import SakariClient

# Recipients per messages.send. Sakari publishes no limit. The sandbox sets none on the number
# of recipients, only on the body: JSON over 5 MiB is refused (413 REQ-004, MAX_JSON_BODY in
# sakari_tui/sandbox/http.py); a recipient {"id": "<24 hex digits>"} takes 34 bytes, so the body
# allows about 150,000. The answer carries one message per recipient (about 500 bytes each):
# as Message models, 10,000 held the screen for 0.4 s. messages.send_bulk reads it in a worker
# thread, keeping only the refused ones, and the longest frame gap is then about 25 ms
# (BENCHMARKS.md); between requests the screen gets a frame and a progress step. So: one
# request up to 10,000 recipients, batches above.
SEND_BATCH = 10_000
# And whatever the ids look like, a request's body stays under this (80% of the 5 MiB limit).
SEND_BODY_LIMIT = 4 * 1024 * 1024
PREVIEWS = 3  # recipients whose rendered message is shown before sending
# Reading 100,000 recipients is 1,000 requests; against a local server they hardly wait on the
# network, so the reading loop hands the screen a frame every BREATHE seconds of work.
BREATHE = 0.05
FRAME = 1 / 60


@dataclass(frozen=True)
class Recipients:
    """Who is selected on the Contacts screen, as it knows it."""

    count: int  # as the list counts them (the server's total for "all matching")
    all_matching: bool
    picked: list[Contact] = field(default_factory=list)  # chosen one by one
    excluded: frozenset[str] = frozenset()  # left out of "all matching"
    filters: dict[str, Any] = field(default_factory=dict)  # contacts.fetch_all keywords
    sample: list[Contact] = field(default_factory=list)  # the first few, for the preview
    loaded: list[Contact] = field(default_factory=list)  # the rows the list has in memory


def send_tags(recipients: Recipients) -> list[str] | None:
    """The tags to send as ``filters.tags`` when the selection is "everyone with one of these
    tags"; None when the ids must be sent instead.

    The list's tag filter matches part of a tag ("vip" finds "vip-gold"), the send's matches
    whole tags. The filter form is used when every row the list holds has one of the typed
    tags whole; when the list holds them all that is exact, and otherwise it is the evidence
    there is without reading every page.
    """
    if not recipients.all_matching or recipients.excluded or set(recipients.filters) != {"tags"}:
        return None
    tags = [str(t) for t in recipients.filters["tags"]]
    wanted = {t.lower() for t in tags}
    if not wanted or not recipients.loaded:
        return None
    for contact in recipients.loaded:
        if not any((tag.name or "").lower() in wanted for tag in contact.tags):
            return None
    return tags


@dataclass
class Plan:
    ids: list[str] | None = None  # send by id
    tags: list[str] | None = None  # or send by tag
    skipped: list[Contact] = field(default_factory=list)  # opted out: left out

    @property
    def batches(self) -> list[list[str]]:
        if self.ids is None:
            return []
        batches: list[list[str]] = []
        current: list[str] = []
        size = 0
        for contact_id in self.ids:
            cost = len(json.dumps({"id": contact_id})) + 1
            if current and (len(current) >= SEND_BATCH or size + cost > SEND_BODY_LIMIT):
                batches.append(current)
                current, size = [], 0
            current.append(contact_id)
            size += cost
        if current:
            batches.append(current)
        return batches


async def plan_send(client: SakariClient, recipients: Recipients, progress: Callable[[int], None]) -> Plan:
    """Work out the request(s): by tag when that is exact, else the ids (reading pages if need be)."""
    if not recipients.all_matching:
        ids: list[str] = []
        plan = Plan(ids=ids)
        for contact in recipients.picked:
            if contact.blocked:
                plan.skipped.append(contact)
            elif contact.id:
                ids.append(contact.id)
        return plan
    tags = send_tags(recipients)
    if tags is not None:
        return Plan(tags=tags)
    ids = []
    plan = Plan(ids=ids)
    seen = 0
    worked_since = time.monotonic()
    async for contact in client.contacts.iterate(**recipients.filters):
        seen += 1
        if seen % 100 == 0:
            progress(seen)
            if time.monotonic() - worked_since > BREATHE:
                await asyncio.sleep(FRAME)
                worked_since = time.monotonic()
        if not contact.id or contact.id in recipients.excluded:
            continue
        if contact.blocked:
            plan.skipped.append(contact)
        else:
            ids.append(contact.id)
    progress(seen)
    return plan


@dataclass
class Outcome:
    queued: int = 0
    requested: int | None = None
    valid: int | None = None
    price: float | None = None
    failures: list[RecipientFailure] = field(default_factory=list)
    skipped: list[Contact] = field(default_factory=list)
    sent_batches: int = 0
    error: str | None = None  # why it stopped early
    not_sent: int = 0  # recipients whose request was refused or never went
    unknown: int = 0  # recipients whose request may or may not have gone

    def add(self, result: SendSummary) -> None:
        self.sent_batches += 1
        queued = result.queued if result.queued is not None else (result.valid or 0)
        self.queued += queued
        if result.requested is not None:
            self.requested = (self.requested or 0) + result.requested
        if result.valid is not None:
            self.valid = (self.valid or 0) + result.valid
        if result.estimated_price is not None:
            self.price = (self.price or 0.0) + result.estimated_price
        self.failures.extend(result.failures)


def segment_rate(messages: list[Any]) -> float | None:
    """The account's price per segment, from its recent outgoing messages; None if unknown."""
    rates = [m.price / m.segments for m in messages
             if m.outgoing and m.price and m.segments and m.price > 0 and m.segments > 0]  # fmt: skip
    return statistics.median(rates) if rates else None


def who(contact: Contact | None, region: str) -> Text:
    if contact is None:
        return Text("(unknown)", style="dim")
    name = one_line(contact.display_name)
    number = contact.mobile.number if contact.mobile and contact.mobile.number else ""
    text = Text(name or "(no name)")
    if number and name != number:
        text.append(f"  {format_number(number, region)}", style="dim")
    return text


def outcome_view(outcome: Outcome, region: str) -> Group:
    failures = outcome.failures
    invalid = len(failures)
    valid = outcome.valid if outcome.valid is not None else outcome.queued
    head = Text()
    head.append(f"Queued {outcome.queued:,}", style="bold green")
    head.append(f" · valid {valid:,}")
    head.append(f" · invalid {invalid:,}", style="bold red" if invalid else "")
    if outcome.skipped:
        head.append(f" · left out {len(outcome.skipped):,} (opted out)", style="yellow")
    if outcome.price is not None:
        head.append(f" · estimated price {outcome.price:.2f}", style="dim")
    parts: list[Any] = [head]
    if outcome.error:
        parts.append(Text(outcome.error, style="bold red"))
    if failures or outcome.skipped:
        opted_out = Text("opted out (replied STOP): left out, not sent", style="yellow")
        rows = [(who(contact, region), opted_out) for contact in outcome.skipped]
        rows += [(who(failure.contact, region), Text(one_line(str(failure)), style="red")) for failure in failures]
        parts += who_and_why("Not sent:", rows)
    return Group(*parts)


class BulkSendScreen(SakariModal[str | None]):
    """Dismissed with the message text (kept as a draft), or "" after a send."""

    BINDINGS = [
        Binding("f2", "send", "Send…", id="contacts.send.confirm"),
        Binding("ctrl+t", "template", "Template", id="contacts.send.template"),
        Binding("escape", "close", "Close", id="contacts.send.close"),
    ]

    def __init__(self, recipients: Recipients, *, draft: str = "", region: str = "US") -> None:
        super().__init__()
        self.recipients = recipients
        self.draft = draft
        self.phone_region = region
        self.rate: float | None = None
        self.state = "compose"  # then "working", then "done"
        self.outcome: Outcome | None = None

    def compose(self) -> ComposeResult:
        count = self.recipients.count
        with VerticalScroll(id="send-box") as box:
            box.border_title = f"Send to {count:,} contact{'' if count == 1 else 's'}"
            box.border_subtitle = "F2 sends · ctrl+t template · Esc closes"
            yield Static(self.audience_text(), id="send-to")
            yield Label("Message ({{firstName}}, {{lastName}} and attributes are filled per contact)")
            yield TextArea(self.draft, id="send-text", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="send-meter")
            yield Static("", id="send-preview")
            yield Static("", id="send-cost")
            yield Static("", id="send-error")
            with Horizontal(id="send-progress-line"):
                yield ProgressBar(id="send-progress", show_eta=False)
            yield Static("", id="send-status")
            yield Static("", id="send-result")
            with Horizontal(classes="buttons"):
                yield Button("Close (Esc)", id="close", compact=True)
                yield Button("Send… (F2)", id="send", variant="primary", compact=True)

    def on_mount(self) -> None:
        for name in ("#send-error", "#send-progress-line", "#send-status", "#send-result"):
            self.query_one(name).display = False
        area = self.query_one("#send-text", TextArea)
        area.focus()
        area.move_cursor(area.document.end)
        self.refresh_preview()
        self.load_rate()

    # -- compose -------------------------------------------------------------

    def audience_text(self) -> Text:
        recipients = self.recipients
        text = Text("To: ", style="bold")
        if not recipients.all_matching:
            text.append(f"{recipients.count:,} selected contact{'' if recipients.count == 1 else 's'}")
            blocked = self.opted_out
            if blocked:
                text.append(f"\n{len(blocked)} of them opted out and {'is' if len(blocked) == 1 else 'are'} left out:"
                            f" it goes to {self.to_send:,}", style="bold yellow")  # fmt: skip
            return text
        text.append(f"all {recipients.count:,} contacts")
        if recipients.filters:
            text.append(" matching ")
            text.append(", ".join(f"{k.replace('_', ' ')} “{one_line(', '.join(v) if isinstance(v, list) else str(v), 30)}”"
                                  for k, v in recipients.filters.items()))  # fmt: skip
        if recipients.excluded:
            text.append(f", less {len(recipients.excluded):,} left out")
        tags = send_tags(recipients)
        if tags is not None:
            text.append(f"\nSent by tag: the server sends to every contact tagged {', '.join(tags)}.", style="dim")
        else:
            text.append("\nTheir ids are read page by page first; opted-out ones are left out.", style="dim")
        return text

    @property
    def text(self) -> str:
        return self.query_one("#send-text", TextArea).text

    @on(TextArea.Changed, "#send-text")
    def refresh_preview(self) -> None:
        template = self.text
        self.query_one("#send-meter", Static).update(
            meter_text(template) if template else Text("Write the message above.", style="dim")
        )
        preview = Table(box=None, show_header=False, expand=True, pad_edge=False)
        preview.add_column(ratio=1, no_wrap=True, overflow="ellipsis", style="dim")
        preview.add_column(ratio=3)
        for contact in self.recipients.sample[:PREVIEWS]:
            preview.add_row(Text(one_line(contact.display_name) or "(no name)"),
                            preview_text(template, contact) if template else Text(""))  # fmt: skip
        parts: list[Any] = []
        if template and self.recipients.sample:
            parts = [Text(f"As the first {min(PREVIEWS, len(self.recipients.sample))} get it:", style="bold"), preview]
        self.query_one("#send-preview", Static).update(Group(*parts))
        self.query_one("#send-cost", Static).update(self.cost_text())

    def segments_each(self) -> int:
        template = self.text
        if not template:
            return 0
        rendered = [preview_text(template, c).plain for c in self.recipients.sample[:PREVIEWS]] or [template]
        return max(count_segments(body).segments for body in rendered)

    @property
    def opted_out(self) -> list[Contact]:
        """Picked contacts known to have opted out: left out of the send."""
        return [] if self.recipients.all_matching else [c for c in self.recipients.picked if c.blocked]

    @property
    def to_send(self) -> int:
        """How many contacts the message goes to: the selection less those who opted out. For
        "all matching" the opted-out ones are known only once the ids are read: at most this."""
        return max(self.recipients.count - len(self.opted_out), 0)

    def cost_text(self) -> Text:
        count = self.to_send
        each = self.segments_each()
        text = Text()
        if not each:
            return text
        total = count * each
        at_most = "at most " if self.recipients.all_matching and send_tags(self.recipients) is None else ""
        text.append(f"{at_most}{count:,} message{'' if count == 1 else 's'} × {each} segment{'' if each == 1 else 's'}"
                    f" = {total:,} segments", style="bold")  # fmt: skip
        if self.rate is not None:
            text.append(f" · about {total * self.rate:.2f}", style="bold")
            text.append(f" (at {self.rate:g} a segment, from your recent messages)", style="dim")
        else:
            text.append(" · the price comes back with the send", style="dim")
        return text

    @work(exclusive=True, group="send-rate", exit_on_error=False)
    async def load_rate(self) -> None:
        try:
            page = await (await self.app.connected_client()).messages.fetch_all(0, 50)
        except SakariError:
            return
        self.rate = segment_rate(list(page.items))
        self.query_one("#send-cost", Static).update(self.cost_text())

    def action_template(self) -> None:
        if self.state != "compose":
            return
        from sakari_tui.screens.dialogs import pick_template_into

        pick_template_into(self.query_one("#send-text", TextArea))

    # -- send ----------------------------------------------------------------

    def show_error(self, message: str | None) -> None:
        error = self.query_one("#send-error", Static)
        error.update(Text(message or ""))
        error.display = bool(message)

    @on(Button.Pressed, "#send")
    def action_send(self) -> None:
        if self.state != "compose":
            return
        template = self.text.strip()
        if not template:
            self.show_error("Write the message first.")
            self.query_one("#send-text", TextArea).focus()
            return
        if count_segments(template).too_long and self.segments_each() > 10:
            self.show_error("The message is over 10 segments: Sakari refuses it. Shorten it first.")
            return
        self.show_error(None)
        from sakari_tui.screens.dialogs import confirm_then

        count = self.to_send
        each = self.segments_each()
        question = f"Send this message to {count:,} contact{'' if count == 1 else 's'}"
        question += f" ({count * each:,} segments"
        question += f", about {count * each * self.rate:.2f})?" if self.rate is not None else ")?"
        blocked = self.opted_out
        if blocked:
            question += f" {len(blocked)} opted out: left out."
        question += " This cannot be undone."

        confirm_then(self.app, question, "Send", lambda: self.run_send(self.text))

    def set_state(self, state: str) -> None:
        self.state = state
        self.query_one("#send-text", TextArea).read_only = state != "compose"
        self.query_one("#send", Button).display = state == "compose"
        self.query_one("#send-progress-line").display = state == "working"
        self.query_one("#send-status").display = state == "working"
        self.query_one("#close", Button).label = "Close (Esc)"

    def status(self, message: str) -> None:
        self.query_one("#send-status", Static).update(Text(message, style="dim"))

    @work(exclusive=True, group="bulk-send")
    async def run_send(self, template: str) -> None:
        recipients = self.recipients
        bar = self.query_one("#send-progress", ProgressBar)
        self.set_state("working")
        bar.update(total=recipients.count if recipients.all_matching else None, progress=0)
        self.status("Working out the recipients…")

        def read(seen: int) -> None:
            bar.update(progress=seen)
            self.status(f"Reading the recipients: {seen:,} of {recipients.count:,}")

        try:
            client = await self.app.connected_client()
            plan = await plan_send(client, recipients, read)
        except SakariError as exc:
            self.set_state("compose")
            self.show_error(f"Could not read the recipients: {short_error(exc)}. Nothing was sent; F2 tries again.")
            return
        outcome = Outcome(skipped=list(plan.skipped))
        if plan.tags is not None:
            requests: list[dict[str, Any]] = [{"filters": {"tags": plan.tags}}]
            sizes = [recipients.count]
        else:
            batches = plan.batches
            requests = [{"contacts": [{"id": i} for i in batch]} for batch in batches]
            sizes = [len(b) for b in batches]
        if not requests:
            outcome.error = "Nobody to send to: every selected contact has opted out."
        bar.update(total=max(sum(sizes), 1), progress=0)
        if requests:  # its messages are this app's when they reach the inbox (core/inbox.py)
            self.app.store.record_bulk_send(template)
        for index, request in enumerate(requests):
            self.status(f"Sending {index + 1} of {len(requests)}…" if len(requests) > 1 else "Sending…")
            try:
                result = await client.messages.send_bulk(template, **request)
            except NetworkError as exc:
                if exc.may_have_been_sent:
                    outcome.unknown += sizes[index]
                    outcome.not_sent += sum(sizes[index + 1 :])
                    outcome.error = (f"The connection dropped while sending ({exc}): {sizes[index]:,} recipients may or "
                                     "may not have got the message, so it is not sent again from here. Check their "
                                     "conversations before sending again.")  # fmt: skip
                    break
                error: SakariError = exc
            except SakariError as exc:
                error = exc
            else:
                outcome.add(result)
                bar.advance(sizes[index])
                await asyncio.sleep(FRAME)  # a frame for the screen between requests
                continue
            remaining = sum(sizes[index:])
            if outcome.sent_batches == 0:
                self.set_state("compose")
                self.show_error(f"Nothing was sent: {short_error(error)}. The message is kept; F2 tries again.")
                return
            outcome.not_sent += remaining
            outcome.error = f"Stopped: {short_error(error)}. {remaining:,} recipients were not sent to."
            break
        self.outcome = outcome
        self.set_state("done")
        self.query_one("#send-text", TextArea).read_only = True
        result_view = self.query_one("#send-result", Static)
        result_view.update(outcome_view(outcome, self.phone_region))
        result_view.display = True
        self.query_one("#send-preview").display = False
        self.query_one("#send-cost").display = False
        self.query_one("#close", Button).focus()
        result_view.scroll_visible()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        if self.state == "working":
            self.notify("Sending: wait for it to finish.", severity="warning", timeout=2)
            return
        self.dismiss("" if self.state == "done" and self.outcome and self.outcome.sent_batches else self.text)
