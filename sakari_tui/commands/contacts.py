"""``sakari-tui contacts``: search contacts; ``contacts import FILE.csv``: upload a CSV."""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from sakari_tui.options import whole_number

from .common import (
    EXIT_API_ERROR,
    UsageError,
    add_common,
    clean,
    error,
    load_profile,
    open_client,
    print_json_line,
    print_table,
    run_async,
)

if TYPE_CHECKING:
    from sakari_tui.api import Contact

DEFAULT_LIMIT = 100
MERGE_STRATEGIES = ("append", "core", "remove")
# Header names the API reads as the mobile number (compared without case, spaces, - and _).
MOBILE_HEADERS = {"mobile", "mobilenumber", "phone", "phonenumber"}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "contacts",
        help="search contacts, or import a CSV file",
        description="List contacts matching every filter given (each matches part of the field): "
        "a table, or with --json one JSON object per line (the API's contact object). "
        "'sakari-tui contacts import FILE.csv' uploads contacts.",
    )
    parser.add_argument("--first-name", metavar="TEXT")
    parser.add_argument("--last-name", metavar="TEXT")
    parser.add_argument("--mobile", metavar="TEXT")
    parser.add_argument("--email", metavar="TEXT")
    parser.add_argument("--tags", metavar="TAG[,TAG]", help="contacts with these tags")
    parser.add_argument("--json", action="store_true", help="one JSON object per line (JSON lines)")
    parser.add_argument("--limit", type=whole_number, default=DEFAULT_LIMIT, metavar="N",
                        help=f"at most N contacts (default {DEFAULT_LIMIT}; 0 for all)")
    add_common(parser)
    parser.set_defaults(run=run_list)

    sub = parser.add_subparsers(dest="contacts_command", metavar="import")
    upload = sub.add_parser(
        "import",
        help="import contacts from a CSV file",
        description="Upload a CSV file of contacts (a header row with at least a mobile column; "
        "firstName, lastName, email, country and tags are read, other columns become attributes). "
        "Prints how many rows were submitted, inserted and updated, and each refused row with the "
        "reason. Exit 0 when every row went in, 1 when any was refused.",
    )
    upload.add_argument("file", metavar="FILE.csv")
    upload.add_argument(
        "--merge-strategy", choices=MERGE_STRATEGIES, default=None,
        help="for a contact whose number exists: append to it, keep its core fields (core), "
             "or replace it (remove); the API's default when not given",
    )
    upload.add_argument("--json", action="store_true", help="print the API's answer as one JSON line")
    add_common(upload)
    upload.set_defaults(run=run_import)


def run_list(args: argparse.Namespace) -> int:
    profile = load_profile(args)
    filters = {
        "first_name": args.first_name, "last_name": args.last_name, "mobile": args.mobile,
        "email": args.email, "tags": args.tags,
    }  # fmt: skip
    filters = {k: v for k, v in filters.items() if v}

    async def work() -> int:
        contacts: list[Contact] = []
        async with open_client(profile) as client:
            size = 100 if args.limit == 0 else min(args.limit, 100)
            async for contact in client.contacts.iterate(page_size=size, **filters):
                contacts.append(contact)
                if args.limit and len(contacts) >= args.limit:
                    break
        if args.json:
            for contact in contacts:
                print_json_line(contact.to_json())
        else:
            show(contacts, profile.default_region)
        return 0

    return run_async(work)


def show(contacts: list[Contact], region: str) -> None:
    from sakari_tui.api.phone import format_number

    if not contacts:
        print("no contacts")
        return
    rows = []
    for c in contacts:
        number = c.mobile.number if c.mobile and c.mobile.number else ""
        rows.append([
            c.id or "",
            " ".join(p for p in (c.first_name, c.last_name) if p),
            format_number(number, region) if number else "",
            c.email or "",
            "opted out" if c.blocked else "",
            ", ".join(t.name for t in c.tags if t.name),
        ])
    print_table(["ID", "NAME", "MOBILE", "EMAIL", "STATE", "TAGS"], rows)


def run_import(args: argparse.Namespace) -> int:
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
    profile = load_profile(args)

    async def work() -> int:
        from sakari_tui.api import ContactUpload

        async with open_client(profile) as client:
            result = await client.contacts.create(csv=text, merge_strategy=args.merge_strategy)
        if not isinstance(result, ContactUpload):  # an API that answers with the contacts
            result = ContactUpload(contacts=tuple(result), submitted=len(result))
        if args.json:
            print_json_line(result.to_json())
        else:
            print(f"submitted {_count(result.submitted)}, inserted {_count(result.inserted)}, "
                  f"updated {_count(result.updated)}, refused {len(result.errors)}", flush=True)
        rows = RowFinder(text)
        for refused in result.errors:
            number = refused.mobile.number if refused.mobile else None
            line = rows.find(number)
            where = f"line {line}" if line else "a row"
            name = " ".join(p for p in (refused.first_name, refused.last_name) if p)
            what = ", ".join(clean(p) for p in (name, number) if p) or "no name or number"
            error(f"{args.file}, {where} ({what}): {refused.error or 'refused'}")
        return EXIT_API_ERROR if result.errors else 0

    return run_async(work)


def _count(value: int | None) -> str:
    return "?" if value is None else str(value)


class RowFinder:
    """Line numbers of the CSV's rows by their mobile cell, to point at refused rows."""

    def __init__(self, text: str) -> None:
        self._rows: list[tuple[int, str]] = []
        self._used: set[int] = set()
        try:
            reader = csv.reader(io.StringIO(text))
            header = next(reader, [])
            keys = [h.strip().lower().replace(" ", "").replace("_", "").replace("-", "") for h in header]
            column = next((i for i, k in enumerate(keys) if k in MOBILE_HEADERS), None)
            if column is None:
                return
            line = reader.line_num
            for row in reader:
                start, line = line + 1, reader.line_num
                if any(cell.strip() for cell in row):
                    self._rows.append((start, row[column].strip() if column < len(row) else ""))
        except csv.Error:
            self._rows = []

    def find(self, number: str | None) -> int | None:
        for line, cell in self._rows:
            if line not in self._used and cell == (number or "").strip():
                self._used.add(line)
                return line
        return None
