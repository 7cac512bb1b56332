"""Import contacts from a CSV file: choose, preview, choose how to merge, upload, report.

The file is read and parsed in a thread, so a 50,000-row file does not stop the screen.
The dialog shows the first rows and, under them, where each column goes: a contact field,
a custom attribute or nowhere. The guess reads the headers Sakari knows (firstName, lastName,
email, mobile or phone, country, tags) ignoring case, spaces and underscores, and takes
every other column as a custom attribute; each column's target can then be changed
(``sakari_tui.core.csv_mapping``), and what stops an upload (two columns to one field, no
mobile column…) is said under the columns, next to what was chosen.

The upload is ``contacts.create`` with a ``text/csv`` body and the chosen
``mergeStrategy`` (append, core or remove: what happens to a contact that already has the
row's mobile number). The body is the file re-written under the mapping: the fields' own
names as the header, the ignored columns left out. It goes in chunks of ``CHUNK_ROWS`` rows,
each with the header:
the answer lists every imported contact, and parsing one answer for 50,000 rows would hold
the screen for seconds (1.4 s measured), where a chunk's takes a few hundredths; between
chunks the screen gets a frame, the progress bar moves, and an interrupted import says which
rows went in. (The sandbox takes up to 50 MiB
of CSV, MAX_CSV_BODY in sakari_tui/sandbox/routes/contacts.py, so size alone would not
force a split: a chunk is also kept under ``CHUNK_BYTES``.) Importing the same rows again
is safe: rows merge by mobile number, so a chunk that failed on throttling, a server error
or a dropped connection is tried again.

The report: submitted, inserted, updated, and each failing row (its number in the file)
with the server's reason.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.widgets import (
    Button,
    Input,
    Label,
    ProgressBar,
    RadioButton,
    RadioSet,
    Select,
    Static,
)

from sakari_tui.api import ContactUpload, NetworkError, SakariError
from sakari_tui.core import heap
from sakari_tui.core.csv_mapping import (
    CHUNK_BYTES,
    CHUNK_ROWS,
    IGNORE,
    LABELS,
    Chunk,
    ColumnPlan,
    CsvTextError,
    Problem,
    Targets,
    chunk_retry_delay,
    column_of,
    guess_mapping,
    make_chunks,
    mapping_problems,
    read_rows,
    targets_for,
)
from sakari_tui.core.text import human_size, one_line
from sakari_tui.screens.base import SakariModal
from sakari_tui.screens.contact_form import short_error
from sakari_tui.widgets.path_input import PathInput

THAW_DELAY = 0.5  # seconds after the dialog closes before its frozen objects are let go
FRAME = 1 / 60  # seconds the upload yields between chunks, so the screen keeps painting
PREVIEW_ROWS = 5
SHOWN_FAILURES = 500  # failing rows listed on screen; the count says how many in all

MERGE_STRATEGIES = {
    "append": "fill in and add: given fields replace, tags and attributes are added",
    "core": "names and email only: tags and attributes stay as they are",
    "remove": "replace: the contact becomes exactly the row",
}


@dataclass
class CsvFile:
    path: Path
    size: int
    header: list[str]
    # Out of the repr: a worker's description is the repr of its arguments, and that of
    # 50,000 rows held the screen for 50 ms when the upload started.
    rows: list[tuple[str, ...]] = field(repr=False)  # every row but blank ones...
    numbers: list[int] = field(repr=False)  # ...and the line of the file it starts on
    mapping: Targets = ()  # the guess: where each column goes
    chunks: list[Chunk] = field(default_factory=list, repr=False)
    chunks_for: Targets = ()  # the mapping the chunks were written under
    chunk_rows: int = CHUNK_ROWS
    chunk_bytes: int = CHUNK_BYTES

    def chunks_under(self, mapping: Targets) -> list[Chunk]:
        """Cut (again) for ``mapping``, when it is not the one the chunks were cut for."""
        if mapping != self.chunks_for:
            self.chunks = make_chunks(
                ColumnPlan(self.header, mapping), self.rows, self.numbers, self.chunk_rows, self.chunk_bytes
            )
            self.chunks_for = mapping
        return self.chunks


class CsvProblem(Exception):
    pass


def read_csv(path: Path, chunk_rows: int = CHUNK_ROWS, chunk_bytes: int = CHUNK_BYTES) -> CsvFile:
    """Read and parse the file, and cut it in chunks ready to upload. Runs in a thread."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CsvProblem(f"There is no file {path}") from None
    except IsADirectoryError:
        raise CsvProblem(f"{path} is a folder: choose a file in it") from None
    except OSError as exc:
        raise CsvProblem(f"Could not read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvProblem(f"{path.name} is not UTF-8 text (byte {exc.start}): save it as CSV UTF-8") from None
    try:
        parsed = read_rows(text)
    except CsvTextError as exc:
        raise CsvProblem(f"{path.name}: {exc}") from None
    # Rows are named by the line of the file they start on, as the command line names them.
    header, rows, numbers = parsed.header, parsed.rows, parsed.lines
    found = CsvFile(path=path, size=len(raw), header=header, rows=rows, numbers=numbers,
                    mapping=guess_mapping(header), chunk_rows=chunk_rows, chunk_bytes=chunk_bytes)  # fmt: skip
    found.chunks_under(found.mapping)
    return found


@dataclass
class Failure:
    row: int | None  # row number in the file, when it could be matched
    name: str
    mobile: str
    reason: str


@dataclass
class Report:
    submitted: int = 0
    inserted: int = 0
    updated: int = 0
    failures: list[Failure] = field(default_factory=list)
    imported_rows: int = 0  # rows in chunks the server answered
    stopped: str | None = None  # why the import stopped early


def match_failures(
    upload: ContactUpload, chunk: Chunk, data: CsvFile, index_of: dict[int, int], mapping: Targets
) -> list[Failure]:
    """The chunk's failing rows, by line: the answer lists them in row order without
    numbers, so each is matched to the next row of the chunk with its mobile cell."""
    mobile_column = column_of(mapping, "mobile")
    first_column = column_of(mapping, "firstName")
    failures: list[Failure] = []
    position = 0
    for error in upload.errors:
        number = (error.mobile.number if error.mobile else None) or ""
        first = error.first_name or ""
        row_no = None
        for j in range(position, len(chunk.rows)):
            row = data.rows[index_of[chunk.rows[j]]]
            cell = row[mobile_column].strip() if mobile_column is not None and mobile_column < len(row) else ""
            name = row[first_column].strip() if first_column is not None and first_column < len(row) else ""
            if cell == number and (not first or name == first):
                row_no, position = chunk.rows[j], j + 1
                break
        reason = str(error.error) if error.error is not None else "refused"
        full = " ".join(p for p in (error.first_name, error.last_name) if p)
        failures.append(Failure(row_no, one_line(full), one_line(number), one_line(reason)))
    return failures


def report_view(report: Report) -> Group:
    head = Text()
    head.append(f"Submitted {report.submitted:,}", style="bold")
    head.append(f" · inserted {report.inserted:,}", style="green")
    head.append(f" · updated {report.updated:,}")
    head.append(f" · failed {len(report.failures):,}", style="bold red" if report.failures else "")
    parts: list[Any] = [head]
    if report.stopped:
        parts.append(Text(report.stopped, style="bold red"))
    if report.failures:
        table = Table(box=None, show_header=True, header_style="bold", expand=True, pad_edge=False)
        table.add_column("Line", justify="right", no_wrap=True)
        table.add_column("Name", ratio=2, no_wrap=True, overflow="ellipsis")
        table.add_column("Mobile", ratio=2, no_wrap=True, overflow="ellipsis")
        table.add_column("Reason", ratio=4)
        for failure in report.failures[:SHOWN_FAILURES]:
            table.add_row(str(failure.row) if failure.row else "?", Text(failure.name), Text(failure.mobile),
                          Text(failure.reason, style="red"))  # fmt: skip
        parts.append(table)
        more = len(report.failures) - SHOWN_FAILURES
        if more > 0:
            parts.append(Text(f"… and {more:,} more failing rows", style="dim"))
    return Group(*parts)


class ColumnTarget(Horizontal):
    """One column of the file: its header, and a choice of where it goes."""

    def __init__(self, data: CsvFile, index: int, header: str, target: str) -> None:
        super().__init__(classes="csv-column")
        self.data = data  # the file read, so a change from a file since replaced is told apart
        self.index = index
        self.header = header
        self.target = target

    def compose(self) -> ComposeResult:
        yield Label(Text(one_line(self.header, 40) or "(blank)"), classes="csv-column-name")
        options = [(LABELS[t], t) for t in targets_for(self.header)]
        select: Select[str] = Select(options, value=self.target, allow_blank=False, compact=True)
        select.tooltip = Text(f"Where the column “{one_line(self.header, 40)}” goes")
        yield select


class CsvImportScreen(SakariModal[bool]):
    """Dismissed with True when anything was imported (the list reloads)."""

    BINDINGS = [
        Binding("f2", "upload", "Import", id="contacts.import.upload"),
        Binding("escape", "close", "Close", id="contacts.import.close"),
    ]

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.initial_path = path
        self.data: CsvFile | None = None
        self.state = "choose"  # then "ready", "uploading", "done"
        self.imported_any = False
        self._froze = False  # the upload froze the heap (see upload)
        self.report: Report | None = None
        self.mapping: list[str] = []  # where each column of the file goes, as chosen

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="csv-box") as box:
            box.border_title = "Import contacts from a CSV file"
            box.border_subtitle = "Enter reads · F2 imports · Esc closes"
            with Horizontal(classes="row"):
                yield Label("File")
                yield PathInput(
                    self.initial_path, placeholder="path to a .csv file (Tab completes)", id="csv-path", compact=True
                )
            yield Static("", id="csv-error")
            yield Static("", id="csv-summary")
            yield Static("", id="csv-preview")
            yield Static(self.mapping_title(), id="csv-mapping-title")
            yield Grid(id="csv-mapping")
            yield Static("", id="csv-mapping-error")
            with Horizontal(id="csv-merge-line"):
                yield Label("Merge: ")
                with RadioSet(id="csv-merge", compact=True):
                    for index, name in enumerate(MERGE_STRATEGIES):
                        yield RadioButton(name, value=index == 0, id=f"merge-{name}", compact=True)
            yield Static(Text(MERGE_STRATEGIES["append"]), id="csv-merge-help")
            with Horizontal(id="csv-progress-line"):
                yield ProgressBar(id="csv-progress", show_eta=False)
            yield Static("", id="csv-status")
            yield Static("", id="csv-report")
            with Horizontal(classes="buttons"):
                yield Button("Close (Esc)", id="close", compact=True)
                yield Button("Import (F2)", id="upload", variant="primary", compact=True)

    def on_unmount(self) -> None:
        if self._froze:
            # After the screen is gone, so that it is not frozen again with what is alive.
            app = self.app
            app.set_timer(THAW_DELAY, partial(app.settle_heap, thaw=True))

    def on_mount(self) -> None:
        self.set_state("choose")
        self.query_one("#csv-path", Input).focus()

    def set_state(self, state: str) -> None:
        self.state = state
        ready = state in ("ready", "uploading", "done")
        for name in ("#csv-merge-line", "#csv-merge-help", "#csv-mapping-title", "#csv-mapping"):
            self.query_one(name).display = ready
        self.query_one("#csv-mapping-error").display = ready and bool(self.problems)
        for select in self.query("#csv-mapping Select"):
            select.disabled = state != "ready"
        self.query_one("#csv-progress-line").display = state in ("uploading", "done")
        self.query_one("#csv-status").display = state in ("uploading", "done")
        self.query_one("#csv-report").display = state == "done"
        self.query_one("#upload", Button).display = state == "ready"
        self.query_one("#csv-path", Input).disabled = state == "uploading"
        self.query_one("#csv-merge", RadioSet).disabled = state != "ready"

    def show_error(self, message: str | None) -> None:
        error = self.query_one("#csv-error", Static)
        error.update(Text(message or ""))
        error.display = bool(message)

    # -- choose and preview ----------------------------------------------------

    @on(Input.Submitted, "#csv-path")
    def path_entered(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            self.show_error("Type the path of a CSV file.")
            return
        self.show_error(None)
        self.query_one("#csv-summary", Static).update(Text("Reading…", style="dim"))
        self.read_file(Path(os.path.expanduser(value)))

    @on(Input.Changed, "#csv-path")
    async def path_changed(self) -> None:
        if self.state == "ready" or self.state == "done":
            self.data = None
            self.mapping = []
            self.set_state("choose")
            self.query_one("#csv-summary", Static).update("")
            self.query_one("#csv-preview", Static).update("")
            await self.query_one("#csv-mapping", Grid).remove_children()

    @work(thread=True, exclusive=True, group="csv-read", exit_on_error=False)
    def read_file(self, path: Path) -> None:
        try:
            data = read_csv(path)
        except CsvProblem as exc:
            self.app.call_from_thread(self.read_failed, str(exc))
            return
        self.app.call_from_thread(self.show_file, data)  # type: ignore[arg-type]  # Textual's hint wants a result

    def read_failed(self, message: str) -> None:
        self.query_one("#csv-summary", Static).update("")
        self.show_error(message)
        self.query_one("#csv-path", Input).focus()

    async def show_file(self, data: CsvFile) -> None:
        self.data = data
        self.mapping = list(data.mapping)
        summary = Text()
        summary.append(one_line(data.path.name), style="bold")
        summary.append(f" · {len(data.rows):,} row{'' if len(data.rows) == 1 else 's'} · {human_size(data.size)}")
        if len(data.chunks) > 1:
            summary.append(f" · sent in {len(data.chunks)} parts of up to {CHUNK_ROWS:,} rows", style="dim")
        self.query_one("#csv-summary", Static).update(summary)
        self.query_one("#csv-preview", Static).update(self.preview(data))
        grid = self.query_one("#csv-mapping", Grid)
        await grid.remove_children()
        if not data.rows:
            self.show_error("The file has a header but no rows.")
            self.set_state("choose")
            return
        await grid.mount_all(ColumnTarget(data, i, h, t) for i, (h, t) in enumerate(zip(data.header, data.mapping)))
        self.set_state("ready")
        self.show_problems()
        if self.problems:
            self.focus_column(self.problems[0])
        else:
            self.query_one("#upload", Button).focus()

    def preview(self, data: CsvFile) -> Group:
        """The first rows; the columns that go nowhere dimmed."""
        table = Table(show_header=True, header_style="bold", expand=True, pad_edge=False, box=None)
        shown = list(zip(data.rows, data.numbers))[:PREVIEW_ROWS]
        table.add_column("line", justify="right", style="dim", no_wrap=True,
                         min_width=max([len("line"), *(len(str(n)) for _, n in shown)]))  # fmt: skip
        ignored = [t == IGNORE for t in self.mapping] if len(self.mapping) == len(data.header) else []
        for index, header in enumerate(data.header):
            dim = bool(ignored) and ignored[index]
            table.add_column(Text(one_line(header, 20), style="dim strike" if dim else ""), no_wrap=True,
                             overflow="ellipsis", style="dim" if dim else "")  # fmt: skip
        for row, number in shown:
            cells = [Text(one_line(cell, 40)) for cell in row[: len(data.header)]]
            cells += [Text("")] * (len(data.header) - len(cells))
            table.add_row(str(number), *cells)
        more = len(data.rows) - PREVIEW_ROWS
        parts: list[Any] = [table]
        if more > 0:
            parts.append(Text(f"… and {more:,} more rows", style="dim"))
        return Group(*parts)

    # -- the mapping -------------------------------------------------------------

    @staticmethod
    def mapping_title() -> Text:
        title = Text("Where each column goes", style="bold")
        title.append("  (Tab to a column, Enter to change where it goes)", style="dim")
        return title

    @property
    def problems(self) -> list[Problem]:
        if self.data is None or len(self.mapping) != len(self.data.header):
            return []
        return mapping_problems(self.data.header, self.mapping)

    @on(Select.Changed, "#csv-mapping Select")
    def target_changed(self, event: Select.Changed) -> None:
        column = event.select.parent
        if not isinstance(column, ColumnTarget) or column.data is not self.data or not isinstance(event.value, str):
            return
        if self.mapping[column.index] == event.value:
            return  # the value a Select starts with
        self.mapping[column.index] = event.value
        column.target = event.value
        if self.data is not None:
            self.query_one("#csv-preview", Static).update(self.preview(self.data))
        self.show_problems()

    def show_problems(self) -> list[Problem]:
        """Say under the columns what stops an upload, and mark the columns at fault."""
        problems = self.problems
        faulty = {i for problem in problems for i in problem.columns}
        for column in self.query(ColumnTarget):
            column.set_class(column.index in faulty, "-invalid")
        error = self.query_one("#csv-mapping-error", Static)
        error.update(Text("\n".join(f"• {p.message}" for p in problems)))
        error.display = bool(problems) and self.state in ("ready", "uploading", "done")
        return problems

    def focus_column(self, problem: Problem) -> None:
        index = problem.columns[0] if problem.columns else 0
        for column in self.query(ColumnTarget):
            if column.index == index:
                column.query_one(Select).focus()
                return

    @property
    def strategy(self) -> str:
        pressed = self.query_one("#csv-merge", RadioSet).pressed_button
        return (pressed.id or "merge-append").removeprefix("merge-") if pressed else "append"

    @on(RadioSet.Changed, "#csv-merge")
    def merge_changed(self) -> None:
        self.query_one("#csv-merge-help", Static).update(Text(MERGE_STRATEGIES[self.strategy]))

    # -- upload ----------------------------------------------------------------

    @on(Button.Pressed, "#upload")
    def action_upload(self) -> None:
        if self.state != "ready" or self.data is None:
            if self.state == "choose":
                self.show_error("Choose a file first: type its path and press Enter.")
            return
        for select in self.query("#csv-mapping Select").results(Select):
            select.expanded = False  # F2 with a column's list open: the list closes
        problems = self.show_problems()
        if problems:
            self.focus_column(problems[0])
            self.query_one("#csv-mapping-error", Static).scroll_visible()
            return
        self.upload(self.data, tuple(self.mapping), self.strategy)

    @work(exclusive=True, group="csv-upload")
    async def upload(self, data: CsvFile, mapping: Targets, strategy: str) -> None:
        bar = self.query_one("#csv-progress", ProgressBar)
        status = self.query_one("#csv-status", Static)
        self.set_state("uploading")
        total = len(data.rows)
        bar.update(total=total, progress=0)
        if mapping != data.chunks_for:  # the columns were changed: the file is written again
            status.update(Text("Preparing the rows…", style="dim"))
            await asyncio.to_thread(data.chunks_under, mapping)
        report = Report()
        index_of = {number: i for i, number in enumerate(data.numbers)}
        # The parsed file is tens of thousands of long-lived objects: kept out of the
        # collector's full passes while the import runs, those stay short (frames keep coming).
        # This dialog is frozen with them; it is thawed and collected once it has closed.
        heap.hold()
        self._froze = True
        await self._upload_chunks(data, mapping, strategy, report, index_of, bar, status)
        self._show_report(report)

    async def _upload_chunks(self, data: CsvFile, mapping: Targets, strategy: str, report: Report,
                             index_of: dict[int, int], bar: ProgressBar, status: Static) -> None:  # fmt: skip
        total = len(data.rows)
        for index, chunk in enumerate(data.chunks):
            status.update(Text(f"Importing rows: {report.imported_rows:,} of {total:,} done", style="dim"))
            attempt = 0
            while True:
                attempt += 1
                try:
                    client = await self.app.connected_client()
                    answer = await client.contacts.create(csv=chunk.body, merge_strategy=strategy)
                except SakariError as exc:
                    delay = chunk_retry_delay(exc, attempt)
                    if delay is None:
                        report.stopped = self.stopped_text(exc, chunk, report, total, index)
                        answer = None
                        break
                    status.update(Text(f"{short_error(exc)}: trying again in {delay:g} s", style="yellow"))
                    await asyncio.sleep(delay)
                    continue
                break
            if answer is None:
                break
            self.imported_any = True
            if isinstance(answer, ContactUpload):
                report.submitted += answer.submitted if answer.submitted is not None else len(chunk.rows)
                report.inserted += answer.inserted or 0
                report.updated += answer.updated or 0
                report.failures.extend(match_failures(answer, chunk, data, index_of, mapping))
            else:  # a server that answers with the contacts alone
                report.submitted += len(chunk.rows)
                report.inserted += len(answer)
            report.imported_rows += len(chunk.rows)
            bar.update(progress=report.imported_rows)
            await asyncio.sleep(FRAME)  # a frame for the screen between chunks

    def _show_report(self, report: Report) -> None:
        total = len(self.data.rows) if self.data else report.imported_rows
        self.query_one("#csv-status", Static).update(
            Text(f"Sent {report.imported_rows:,} of {total:,} rows; the server's answer:", style="dim")
        )
        self.set_state("done")
        view = self.query_one("#csv-report", Static)
        view.update(report_view(report))
        self.report = report
        self.query_one("#close", Button).focus()
        view.scroll_visible()

    def stopped_text(self, error: SakariError, chunk: Chunk, report: Report, total: int, index: int) -> str:
        first = chunk.rows[0]
        done = report.imported_rows
        text = f"Stopped at line {first:,}: {short_error(error)}. "
        if done:
            text += f"Rows before it ({done:,}) are imported; "
        else:
            text += "Nothing was imported; "
        text += "importing the same file again is safe: rows merge by mobile number."
        if isinstance(error, NetworkError) and error.may_have_been_sent:
            text += f" Lines {first:,}–{chunk.rows[-1]:,} may or may not have gone in."
        return text

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        if self.state == "uploading":
            self.notify("Importing: wait for it to finish.", severity="warning", timeout=2)
            return
        self.dismiss(self.imported_any)
