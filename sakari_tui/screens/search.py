"""Search everything: every message the app has seen, and every conversation by name or
number, from the profile's full-text index (core/search.py).

Results come as you type, newest first; Enter opens the thread at that message. The
index grows with what polls and scrollback bring; ctrl+r here reads the account's
whole history into it (resumable: it carries on where it stopped), with a progress bar.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from sakari_tui.api.phone import format_number
from sakari_tui.core import clock
from sakari_tui.core.search import FillProgress, HistoryFill, Hit, Query, Results, match_spans
from sakari_tui.core.text import one_line
from sakari_tui.screens.base import SakariModal

RESULTS = 100  # messages listed; the caption says when more match


def when_label(when: datetime | None) -> str:
    if when is None:
        return ""
    local = when.astimezone()
    now = clock.now().astimezone()
    if local.date() == now.date():
        return local.strftime("%H:%M")
    if local.year == now.year:
        return local.strftime("%d %b")
    return local.strftime("%d %b %Y")


def snippet(text: str, query: Query, width: int) -> Text:
    """One line of ``text`` around its first match, the matches highlighted. Untrusted text:
    controls stripped, never markup."""
    line = one_line(text)
    spans = match_spans(line, query)
    start = 0
    if spans and spans[0][1] > width - 1 and len(line) > width:
        # The first match would be cut off: start the line before it, a third of the way in.
        start = min(spans[0][0] - width // 3, len(line) - width + 1)
    shown = line[start : start + width]
    out = Text("…" + shown[1:] if start else shown)
    for a, b in spans:
        a, b = a - start, b - start
        if b > 0 and a < len(shown):
            out.stylize("bold reverse", max(a, 0), min(b, len(shown)))
    if len(line) - start > width:
        out = out[: width - 1] + Text("…")
    return out


def hit_prompt(hit: Hit, query: Query, region: str, width: int) -> Text:
    who = one_line(hit.name, 30) or (format_number(hit.number, region) if hit.number else hit.conversation_id)
    head = Text()
    head.append(who, style="bold")
    if hit.name and hit.number:
        head.append(f"  {format_number(hit.number, region)}", style="dim")
    when = when_label(hit.when)
    if when:
        head.append(f"  {when}", style="dim")
    if hit.message_id is None:
        head.append("  conversation", style="italic dim")
        return head
    body = Text("you: ", style="dim") if hit.outgoing else Text()
    body.append_text(snippet(hit.text, query, max(width - body.cell_len, 10)))
    return head + Text("\n") + body


class SearchScreen(SakariModal[Hit | None]):
    """Type to search; up/down choose; Enter opens; Esc closes."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="search.close"),
        Binding("down", "move(1)", "Next result", id="search.next", show=False),
        Binding("up", "move(-1)", "Previous result", id="search.previous", show=False),
        Binding("pagedown", "move(10)", "Page down", id="search.page_down", show=False),
        Binding("pageup", "move(-10)", "Page up", id="search.page_up", show=False),
        Binding("ctrl+r", "fill", "Index all history", id="search.fill"),
    ]

    def __init__(self, typed: str = "") -> None:
        super().__init__()
        self.typed = typed
        self.hits: list[Hit] = []
        self.results: Results | None = None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Search all messages"
            box.border_subtitle = "Enter opens · ctrl+r indexes all history · Esc closes"
            yield Input(self.typed, placeholder="names, numbers, words of messages", id="search-input")
            yield Static("", id="search-caption")
            yield OptionList(id="search-results")
            yield ProgressBar(id="search-fill", show_eta=False)

    @property
    def index(self):
        return self.app.store.search

    def on_mount(self) -> None:
        self.query_one("#search-results", OptionList).can_focus = False
        self.watch(self.app, "fill_progress", self._show_fill)
        self.run_search(self.typed)
        self.query_one("#search-input", Input).focus()

    # -- searching -----------------------------------------------------------

    @on(Input.Changed, "#search-input")
    def typed_changed(self, event: Input.Changed) -> None:
        self.typed = event.value
        self.run_search(event.value)

    def run_search(self, typed: str) -> None:
        options = self.query_one("#search-results", OptionList)
        options.clear_options()
        query = Query.parse(typed)
        if not query:
            self.hits, self.results = [], None
            self._caption()
            return
        results = self.index.search(typed, limit=RESULTS)
        self.results = results
        self.hits = [*results.conversations, *results.messages]
        region = self.app.profile.default_region
        width = max(self.query_one("#search-results").size.width - 2, 30)
        options.add_options(Option(hit_prompt(hit, query, region, width), id=str(i)) for i, hit in enumerate(self.hits))
        if self.hits:
            options.highlighted = 0
        self._caption()

    def _caption(self) -> None:
        caption = Text()
        indexed = self.index.message_count()
        if self.results is None:
            caption.append(f"{indexed:,} messages indexed", style="dim")
        else:
            found = len(self.results.messages)
            caption.append(f"{found}{'+' if self.results.more else ''} message{'s' if found != 1 else ''}")
            if self.results.conversations:
                caption.append(f", {len(self.results.conversations)} conversation(s)")
            caption.append(f" · {indexed:,} indexed", style="dim")
        self.query_one("#search-caption", Static).update(caption)

    def action_move(self, step: int) -> None:
        options = self.query_one("#search-results", OptionList)
        if not options.option_count:
            return
        current = options.highlighted if options.highlighted is not None else -1
        options.highlighted = min(max(current + step, 0), options.option_count - 1)

    @on(Input.Submitted, "#search-input")
    def submitted(self) -> None:
        options = self.query_one("#search-results", OptionList)
        if options.highlighted is not None:
            self.dismiss(self.hits[options.highlighted])

    @on(OptionList.OptionSelected, "#search-results")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.hits[int(event.option.id or 0)])

    def action_close(self) -> None:
        self.dismiss(None)

    # -- filling the index ---------------------------------------------------

    def action_fill(self) -> None:
        start_history_fill(self.app)

    def _show_fill(self, state: FillProgress | None) -> None:
        bar = self.query_one("#search-fill", ProgressBar)
        bar.display = state is not None
        if state is None:
            return
        bar.update(total=state.total, progress=state.done)
        caption = Text()
        if state.finished:
            caption.append(f"History indexed: {state.indexed:,} new message(s)", style="green")
        elif state.waiting:
            caption.append(f"Rate limited: waiting {state.waiting:.0f} s · {state.done:,}", style="yellow")
            caption.append(f" of {state.total:,}" if state.total else "")
        else:
            caption.append(f"Indexing history: {state.done:,}" + (f" of {state.total:,}" if state.total else ""))
        self.query_one("#search-caption", Static).update(caption)
        if state.finished:
            self.run_search(self.typed)


def start_history_fill(app) -> None:
    """Read the whole history into the index, in a worker of the app (it goes on when the
    search is closed); ``app.fill_progress`` follows it. A second start while one runs is
    ignored."""
    if any(w.group == "history-fill" and w.is_running for w in app.workers):
        app.notify("The history is being indexed already.", timeout=3)
        return

    async def fill() -> None:
        await app.connected.wait()

        def progress(state: FillProgress) -> None:
            app.fill_progress = state

        state = await HistoryFill(app.client, app.store.search).run(progress)
        app.notify(f"Search index complete: {state.indexed:,} message(s) added.", timeout=4)

    app.fill_progress = FillProgress(int(app.store.search.meta("fill_offset") or 0), None, 0)
    app.run_worker(fill(), group="history-fill", exclusive=True, exit_on_error=False)
