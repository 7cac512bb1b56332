"""``sakari-tui contacts``: search contacts; ``contacts import FILE.csv``: upload a CSV.

The import maps the file's columns as the app's import dialog does
(``sakari_tui.core.csv_mapping``): the guess from the headers, changed by ``--column
HEADER=TARGET`` and ``--ignore HEADER``; a mapping with problems is refused before anything
is sent; the file goes re-written under the mapping, in chunks.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sakari_tui.core.csv_mapping import CHUNK_ROWS, TARGETS
from sakari_tui.options import whole_number

from .common import (
    EXIT_API_ERROR,
    EXIT_USAGE,
    Failed,
    UsageError,
    clean,
    command,
    error,
    info,
    load_profile,
    open_client,
    print_json_line,
    print_table,
    run_async,
)

if TYPE_CHECKING:
    from sakari_tui.api import Contact, ContactUpload, SakariError
    from sakari_tui.config import Profile
    from sakari_tui.core.csv_mapping import Chunk, CsvRows, Targets

DEFAULT_LIMIT = 100
MERGE_STRATEGIES = ("append", "core", "remove")

IMPORT_DESCRIPTION = f"""\
Upload a CSV file of contacts. The first row names the columns; each column goes to a
contact field (mobile, firstName, lastName, email, country, tags), to a custom attribute
named after its header, or nowhere (ignore). The guess, as in the app's import dialog:
the headers Sakari knows (firstName, lastName, email, mobile or phone, country, tags;
ignoring case, spaces, _ and -) go to their field, every other named column is an
attribute. --column and --ignore change where a column goes. One column must go to
mobile; several may go to tags (their cells are joined).

A mapping with problems (no mobile column, two columns to one field, ...) is refused
with one line per problem, and nothing is sent. Otherwise the file is sent re-written
under the mapping, in parts of up to {CHUNK_ROWS:,} rows. Prints how many rows were submitted,
inserted and updated, and each refused row with its line and the reason. Exit 0 when
every row went in, 1 when any was refused (or the API failed), 2 for a usage error or
a mapping problem."""

IMPORT_EPILOG = """\
examples:
  sakari-tui contacts import people.csv --merge-strategy append
  sakari-tui contacts import export.csv --column "Cell=mobile" \\
      --column "Given name=firstName" --column "Team=tags" --ignore "Internal id"
  sakari-tui contacts import export.csv --column "Cell=mobile" --dry-run"""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = command(subparsers, "contacts", run_list, help="search contacts, or import a CSV file")
    parser.add_argument("--first-name", metavar="TEXT")
    parser.add_argument("--last-name", metavar="TEXT")
    parser.add_argument("--mobile", metavar="TEXT")
    parser.add_argument("--email", metavar="TEXT")
    parser.add_argument("--tags", metavar="TAG[,TAG]", help="contacts with these tags")
    parser.add_argument("--json", action="store_true", help="one JSON object per line (JSON lines)")
    parser.add_argument(
        "--limit",
        type=whole_number,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"at most N contacts (default {DEFAULT_LIMIT}; 0 for all)",
    )

    sub = parser.add_subparsers(dest="contacts_command", metavar="import")
    upload = command(
        sub,
        "import",
        run_import,
        help="import contacts from a CSV file",
        description=IMPORT_DESCRIPTION,
        epilog=IMPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    upload.add_argument("file", metavar="FILE.csv")
    upload.add_argument(
        "--column",
        action="append",
        default=[],
        dest="columns",
        metavar="HEADER=TARGET",
        help="send the column of that header (every column of it, if several), or of that "
        "number (1 for the first), to TARGET: "
        f"{', '.join(TARGETS[:-1])} or {TARGETS[-1]} (or the app's label, "
        "e.g. 'first name'); repeatable",
    )
    upload.add_argument(
        "--ignore",
        action="append",
        default=[],
        dest="ignored",
        metavar="HEADER",
        help="leave that column out (same as --column HEADER=ignore); repeatable",
    )
    upload.add_argument(
        "--merge-strategy",
        choices=MERGE_STRATEGIES,
        default=None,
        help="for a contact whose number exists: append to it, keep its core fields (core), "
        "or replace it (remove); the API's default when not given",
    )
    upload.add_argument(
        "--dry-run", action="store_true", help="print where each column goes, and any problem; send nothing"
    )
    upload.add_argument(
        "--json", action="store_true", help="print the API's answer as one JSON line (with --dry-run: the mapping)"
    )


def run_list(args: argparse.Namespace) -> int:
    """List contacts matching every filter given (each matches part of the field): a table, or
    with --json one JSON object per line (the API's contact object). 'sakari-tui contacts
    import FILE.csv' uploads contacts."""
    profile = load_profile(args)
    filters = {
        "first_name": args.first_name, "last_name": args.last_name, "mobile": args.mobile,
        "email": args.email, "tags": args.tags,
    }  # fmt: skip
    filters = {k: v for k, v in filters.items() if v}

    async def work() -> int:
        if args.json:
            return await stream_json(profile, args.limit, filters)
        contacts: list[Contact] = []
        async with open_client(profile) as client:
            size = 100 if args.limit == 0 else min(args.limit, 100)
            async for contact in client.contacts.iterate(page_size=size, **filters):
                contacts.append(contact)
                if args.limit and len(contacts) >= args.limit:
                    break
        show(contacts, profile.default_region)
        return 0

    return run_async(work)


async def stream_json(profile: Profile, limit: int, filters: dict[str, str]) -> int:
    """Print each page of contacts as JSON lines as soon as it arrives, so the first line
    comes after one request and memory holds one page whatever the total. A failure midway
    leaves what was printed, says on stderr how many lines that was, and exits 1."""
    import json
    import sys

    from sakari_tui.api import SakariError

    printed = 0
    page_size = 100 if limit == 0 else min(limit, 100)
    async with open_client(profile) as client:
        offset = 0
        while True:
            try:
                page = await client.contacts.fetch_all(offset=offset, limit=page_size, **filters)
            except SakariError as exc:
                error(f"{exc}; the output is incomplete: {printed} contact(s) printed before it stopped")
                return EXIT_API_ERROR
            items = page.items if not limit else page.items[: limit - printed]
            if items:
                sys.stdout.write("".join(
                    json.dumps(contact.to_json(), ensure_ascii=True, separators=(",", ":")) + "\n"
                    for contact in items
                ))  # fmt: skip
                sys.stdout.flush()
                printed += len(items)
            if (limit and printed >= limit) or not page.has_next or not page.items:
                return 0
            offset += len(page.items)


def show(contacts: list[Contact], region: str) -> None:
    from sakari_tui.api.phone import format_number

    if not contacts:
        print("no contacts")
        return
    rows = []
    for c in contacts:
        number = c.mobile.number if c.mobile and c.mobile.number else ""
        rows.append(
            [
                c.id or "",
                " ".join(p for p in (c.first_name, c.last_name) if p),
                format_number(number, region) if number else "",
                c.email or "",
                "opted out" if c.blocked else "",
                ", ".join(t.name for t in c.tags if t.name),
            ]
        )
    print_table(["ID", "NAME", "MOBILE", "EMAIL", "STATE", "TAGS"], rows)


def run_import(args: argparse.Namespace) -> int:
    from sakari_tui.core.csv_mapping import (
        ColumnPlan,
        CsvTextError,
        make_chunks,
        mapping_problems,
        read_rows,
    )

    path = Path(args.file).expanduser()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{args.file}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{args.file}: not UTF-8 text; save the CSV as UTF-8") from None
    if not text.strip():
        raise UsageError(f"{args.file}: the file is empty")
    try:
        data = read_rows(text)
    except CsvTextError as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    mapping = chosen_mapping(args, data.header)
    problems = [p.message for p in mapping_problems(data.header, mapping)]
    if args.dry_run:
        show_mapping(args, data, mapping, problems)
    if problems:
        for problem in problems:
            error(f"{args.file}: {problem}")
        raise Failed(EXIT_USAGE)
    if args.dry_run:
        return 0
    if not data.rows:
        raise UsageError(f"{args.file}: no rows under the header, nothing to import")
    # Rows are numbered by the line they start on, as refused rows are reported.
    chunks = make_chunks(ColumnPlan(data.header, mapping), data.rows, data.lines)
    profile = load_profile(args)
    return run_async(lambda: upload_chunks(args, profile, data, mapping, chunks))


def chosen_mapping(args: argparse.Namespace, header: Sequence[str]) -> Targets:
    """The guess, changed by ``--column`` and ``--ignore``: UsageError for an option that
    names no column or no target, or a column given two different targets."""
    from sakari_tui.core.csv_mapping import IGNORE, columns_named, guess_mapping, target_named

    choices: list[tuple[str, str, str]] = []  # (the option as given, header, target)
    for given in args.columns:
        name, equals, typed = given.rpartition("=")
        if not equals or not name.strip():
            raise UsageError(f'--column {given}: give HEADER=TARGET, e.g. --column "Cell=mobile"')
        target = target_named(typed)
        if target is None:
            raise UsageError(f"--column {given}: no target “{typed.strip()}”; choose {', '.join(TARGETS)}")
        choices.append((f"--column {given}", name, target))
    choices += [(f"--ignore {name}", name, IGNORE) for name in args.ignored]

    mapping = list(guess_mapping(header))
    given_by: dict[int, tuple[str, str]] = {}  # column -> (option, target)
    for option, name, target in choices:
        columns = columns_named(header, name)
        if not columns:
            names = ", ".join(f"“{h}”" if h else "(blank)" for h in header[:12])
            more = f" and {len(header) - 12} more" if len(header) > 12 else ""
            raise UsageError(f"{option}: {args.file} has no column “{name.strip()}”; its columns are {names}{more}")
        for column in columns:
            earlier = given_by.get(column)
            if earlier and earlier[1] != target:
                raise UsageError(f"{option}: column “{header[column]}” already goes to {earlier[1]} ({earlier[0]})")
            given_by[column] = (option, target)
            mapping[column] = target
    return tuple(mapping)


def show_mapping(args: argparse.Namespace, data: CsvRows, mapping: Targets, problems: list[str]) -> None:
    """``--dry-run``: where each column goes, as a table or one JSON line."""
    if args.json:
        columns = [{"column": h, "target": t} for h, t in zip(data.header, mapping)]
        print_json_line({"columns": columns, "rows": len(data.rows), "problems": problems})
        return
    rows = [[str(i), h or "(blank)", t] for i, (h, t) in enumerate(zip(data.header, mapping), start=1)]
    print_table(["#", "COLUMN", "GOES TO"], rows, stretch=1)
    if not problems:
        info(f"{len(data.rows)} row{'' if len(data.rows) == 1 else 's'} to import; nothing sent (--dry-run)")


async def upload_chunks(
    args: argparse.Namespace, profile: Profile, data: CsvRows, mapping: Targets, chunks: list[Chunk]
) -> int:
    """Send the chunks in order, each tried again on throttling and server errors; then
    report as one answer. A chunk that still fails stops the import: with nothing imported
    it is the command's error, otherwise it is told after what went in."""
    import asyncio

    from sakari_tui.api import ContactUpload, NetworkError, SakariError
    from sakari_tui.core.csv_mapping import MOBILE, chunk_retry_delay, column_of

    answers: list[tuple[Chunk, ContactUpload]] = []
    stopped: tuple[Chunk, SakariError] | None = None
    async with open_client(profile) as client:
        for chunk in chunks:
            attempt = 0
            while True:
                attempt += 1
                try:
                    answer = await client.contacts.create(csv=chunk.body, merge_strategy=args.merge_strategy)
                except SakariError as exc:
                    delay = chunk_retry_delay(exc, attempt)
                    if delay is not None:
                        await asyncio.sleep(delay)
                        continue
                    if not answers:
                        raise
                    stopped = (chunk, exc)
                break
            if stopped:
                break
            if not isinstance(answer, ContactUpload):  # an API that answers with the contacts
                answer = ContactUpload(contacts=tuple(answer), submitted=len(chunk.rows))
            answers.append((chunk, answer))

    result = combined([answer for _, answer in answers])
    if args.json:
        print_json_line(result.to_json())
    else:
        print(
            f"submitted {_count(result.submitted)}, inserted {_count(result.inserted)}, "
            f"updated {_count(result.updated)}, refused {len(result.errors)}",
            flush=True,
        )
    mobile = column_of(mapping, MOBILE)
    index_of = {line: i for i, line in enumerate(data.lines)}
    for chunk, answer in answers:
        cells = [data.rows[index_of[line]] for line in chunk.rows]
        rows = RowFinder([(line, row[mobile] if mobile is not None and mobile < len(row) else "")
                          for line, row in zip(chunk.rows, cells)])  # fmt: skip
        for refused in answer.errors:
            number = refused.mobile.number if refused.mobile else None
            line = rows.find(number)
            where = f"line {line}" if line else "a row"
            name = " ".join(p for p in (refused.first_name, refused.last_name) if p)
            what = ", ".join(clean(p) for p in (name, number) if p) or "no name or number"
            error(f"{args.file}, {where} ({what}): {refused.error or 'refused'}")
    if stopped:
        chunk, failure = stopped
        done = sum(len(c.rows) for c, _ in answers)
        unsure = ""
        if isinstance(failure, NetworkError) and failure.may_have_been_sent:
            unsure = f" (lines {chunk.rows[0]}-{chunk.rows[-1]} may or may not have gone in)"
        error(f"{args.file}: stopped at line {chunk.rows[0]}: {failure}{unsure}; the {done} rows before it are "
              "imported, and importing the file again is safe: rows merge by mobile number")  # fmt: skip
    return EXIT_API_ERROR if result.errors or stopped else 0


def combined(answers: Sequence[ContactUpload]) -> ContactUpload:
    """The answers to the chunks as one: counts added up (unknown if any is), lists joined."""
    from sakari_tui.api import ContactUpload

    if len(answers) == 1:
        return answers[0]

    def total(values: list[int | None]) -> int | None:
        return None if any(v is None for v in values) else sum(v for v in values if v is not None)

    return ContactUpload(
        contacts=tuple(c for a in answers for c in a.contacts),
        errors=tuple(e for a in answers for e in a.errors),
        submitted=total([a.submitted for a in answers]),
        inserted=total([a.inserted for a in answers]),
        updated=total([a.updated for a in answers]),
        succeeded=total([a.succeeded for a in answers]),
        extra=answers[0].extra if answers else {},
    )


def _count(value: int | None) -> str:
    return "?" if value is None else str(value)


class RowFinder:
    """Line numbers of rows by their mobile cell, to point at refused rows: each refusal
    takes the first row not yet taken with that number."""

    def __init__(self, rows: Sequence[tuple[int, str]]) -> None:
        self._rows = [(line, cell.strip()) for line, cell in rows]  # (line, mobile cell)
        self._used: set[int] = set()

    def find(self, number: str | None) -> int | None:
        for line, cell in self._rows:
            if line not in self._used and cell == (number or "").strip():
                self._used.add(line)
                return line
        return None
