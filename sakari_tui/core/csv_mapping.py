"""Where each column of a contacts CSV file goes: a contact field, a custom attribute, or nowhere.

The guess reads the column's header as the import does (``column_field``: firstName,
lastName, email, mobile or phone, country, tags, ignoring case, spaces, underscores and
dashes; the sandbox's contact_import reads them alike); any other named column is a custom attribute named after it, and a column without
a header is ignored. The user may change each target; ``mapping_problems`` says what stops
an upload, with the columns at fault.

What goes to the server is the file re-written under the mapping (``ColumnPlan``): a header
of the fields' own names (``mobile``, ``firstName``…) and of the attribute columns' headers,
the ignored columns left out. Several columns may go to tags: their cells are joined with
``;``, a separator the import splits a tags cell on.

The upload goes in chunks of at most ``CHUNK_ROWS`` rows and ``CHUNK_BYTES`` (``make_chunks``),
each with the header: one answer for 50,000 rows is slow to parse, and a stopped import can say
which rows went in. Sending a chunk again is safe (rows merge by mobile number), so a chunk
that met throttling, a server error or a dropped connection is tried again
(``chunk_retry_delay``). ``read_rows`` parses the file's text; ``target_named`` and
``columns_named`` read a target and a column as a person types them (the command line's
``--column "Cell=mobile"``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sakari_tui.core.text import one_line

if TYPE_CHECKING:
    from sakari_tui.api import SakariError

MOBILE = "mobile"
TAGS = "tags"
ATTRIBUTE = "attribute"
IGNORE = "ignore"
# Contact fields a column can fill, in the order they are offered. Each first letter differs,
# so one key picks a target in the list.
FIELDS = ("mobile", "firstName", "lastName", "email", "country", "tags")
SINGLE_FIELDS = frozenset({"mobile", "firstName", "lastName", "email", "country"})  # one column at most
TARGETS = (*FIELDS, ATTRIBUTE, IGNORE)
LABELS = {
    "mobile": "mobile",
    "firstName": "first name",
    "lastName": "last name",
    "email": "email",
    "country": "country",
    "tags": "tags",
    ATTRIBUTE: "attribute",
    IGNORE: "ignore",
}
TAG_JOINER = ";"

# Column header (lower case, without spaces, underscores and dashes) -> contact field.
KNOWN_COLUMNS = {
    "firstname": "firstName", "first": "firstName",
    "lastname": "lastName", "last": "lastName", "surname": "lastName",
    "email": "email", "emailaddress": "email",
    "mobile": "mobile", "mobilenumber": "mobile", "phone": "mobile", "phonenumber": "mobile",
    "country": "country",
    "tags": "tags",
}  # fmt: skip

Targets = tuple[str, ...]  # one target of TARGETS per column of the header


def column_field(header: str) -> str | None:
    """The contact field Sakari reads a column of this header as, if any."""
    return KNOWN_COLUMNS.get(re.sub(r"[\s_\-]", "", header).lower())


def targets_for(header: str) -> tuple[str, ...]:
    """What a column may go to: a column without a header cannot name an attribute."""
    return TARGETS if header.strip() else (*FIELDS, IGNORE)


def guess_mapping(header: Sequence[str]) -> Targets:
    return tuple(column_field(h) or (ATTRIBUTE if h.strip() else IGNORE) for h in header)


def column_of(mapping: Sequence[str], target: str) -> int | None:
    """The first column that goes to ``target``."""
    return next((i for i, t in enumerate(mapping) if t == target), None)


@dataclass(frozen=True)
class Problem:
    message: str
    columns: tuple[int, ...]  # the columns at fault (none when a column is missing)


def _named(header: Sequence[str], columns: Iterable[int]) -> str:
    names = [f"“{one_line(header[i], 30) or '(blank)'}”" for i in columns]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def mapping_problems(header: Sequence[str], mapping: Sequence[str]) -> list[Problem]:
    """What stops an upload with this mapping, in column order; empty when it can go."""
    if len(mapping) != len(header):
        raise ValueError(f"{len(mapping)} targets for {len(header)} columns")
    problems: list[Problem] = []
    by_target: dict[str, list[int]] = {}
    attributes: dict[str, list[int]] = {}
    for index, (name, target) in enumerate(zip(header, mapping)):
        if target not in TARGETS:
            raise ValueError(f"unknown target {target!r}")
        by_target.setdefault(target, []).append(index)
        if target == ATTRIBUTE:
            attributes.setdefault(name.strip(), []).append(index)
    for target in FIELDS:
        columns = by_target.get(target, [])
        if target in SINGLE_FIELDS and len(columns) > 1:
            label = LABELS[target]
            if len(columns) == 2:
                message = f"{_named(header, columns)} both go to {label}: keep one, change the other"
            else:
                message = f"{_named(header, columns)} all go to {label}: keep one, change the others"
            problems.append(Problem(message, tuple(columns)))
    if MOBILE not in by_target:
        problems.append(Problem("No column goes to mobile: choose the column with the mobile numbers", ()))
    for name, columns in attributes.items():
        if not name:
            problems.append(Problem("A column without a header cannot be an attribute: ignore it", tuple(columns)))
            continue
        known = column_field(name)
        if known:
            problems.append(Problem(f"{_named(header, columns[:1])} cannot be an attribute: Sakari reads a column "
                                    f"of that name as {LABELS[known]}; map it to {LABELS[known]} or ignore it",
                                    tuple(columns)))  # fmt: skip
        elif len(columns) > 1:
            problems.append(Problem(f"{len(columns)} columns are named {_named(header, columns[:1])}: "
                                    "only one of them can be that attribute", tuple(columns)))  # fmt: skip
    problems.sort(key=lambda p: p.columns[:1] or (len(header),))
    return problems


class _Echo:
    """A file for ``csv.writer`` whose ``write`` hands the line back: ``writerow`` returns it."""

    @staticmethod
    def write(line: str) -> str:
        return line


class ColumnPlan:
    """The file re-written under a mapping: ``header`` and each ``row``'s cells, as CSV lines."""

    def __init__(self, header: Sequence[str], mapping: Sequence[str]) -> None:
        if len(mapping) != len(header):
            raise ValueError(f"{len(mapping)} targets for {len(header)} columns")
        self.mapping: Targets = tuple(mapping)
        self.header: list[str] = []
        self.sources: list[tuple[int, ...]] = []  # the file's columns behind each written column
        tags: list[int] = []
        for index, (name, target) in enumerate(zip(header, mapping)):
            if target == IGNORE:
                continue
            if target == TAGS:
                if not tags:  # the first tags column holds the place of all of them
                    self.header.append(TAGS)
                    self.sources.append(())
                tags.append(index)
                continue
            self.header.append(name.strip() if target == ATTRIBUTE else target)
            self.sources.append((index,))
        self.sources = [s or tuple(tags) for s in self.sources]
        # CRLF, as RFC 4180 has it: a cell with a lone CR is then quoted too (with "\n" it is not,
        # and a reader would cut the row there).
        self._writer = csv.writer(_Echo(), lineterminator="\r\n")
        self._singles = all(len(s) == 1 for s in self.sources)
        self._picks = [s[0] for s in self.sources] if self._singles else []
        self._width = max((max(s) for s in self.sources if s), default=-1) + 1

    def cells(self, row: Sequence[str]) -> list[str]:
        if len(row) < self._width:
            row = [*row, *[""] * (self._width - len(row))]
        if self._singles:
            return [row[i] for i in self._picks]
        out: list[str] = []
        for source in self.sources:
            if len(source) == 1:
                out.append(row[source[0]])
            else:
                out.append(TAG_JOINER.join(cell.strip() for i in source if (cell := row[i]).strip()))
        return out

    def header_line(self) -> str:
        return self._writer.writerow(self.header)  # type: ignore[no-any-return]

    def line(self, row: Sequence[str]) -> str:
        return self._writer.writerow(self.cells(row))  # type: ignore[no-any-return]


# -- targets and columns as typed ---------------------------------------------------------------


def _key(text: str) -> str:
    return re.sub(r"[\s_\-]", "", text).lower()


_TYPED_TARGETS = {_key(name): target for target in TARGETS for name in (target, LABELS[target])}


def target_named(text: str) -> str | None:
    """The target a person means by ``text``: a target's name or its label in the dialog,
    ignoring case, spaces, underscores and dashes ("firstName", "first name", "first_name")."""
    return _TYPED_TARGETS.get(_key(text))


def columns_named(header: Sequence[str], name: str) -> list[int]:
    """The columns ``name`` stands for: those with that header (surrounding spaces aside); if
    none, those with it ignoring case; if none, the column of that number (1 for the first)."""
    wanted = name.strip()
    exact = [i for i, h in enumerate(header) if h.strip() == wanted]
    if exact or not wanted:
        return exact
    folded = [i for i, h in enumerate(header) if h.strip().casefold() == wanted.casefold()]
    if folded:
        return folded
    if wanted.isdigit() and 1 <= int(wanted) <= len(header):
        return [int(wanted) - 1]
    return []


# -- the file, and the upload in chunks ---------------------------------------------------------

CHUNK_ROWS = 1_000
CHUNK_BYTES = 4 * 1024 * 1024
CHUNK_ATTEMPTS = 3  # tries per chunk on throttling, server errors and dropped connections


class CsvTextError(ValueError):
    """The text is no CSV file of contacts: not parseable, or no header row."""


@dataclass
class CsvRows:
    header: list[str]  # the first row, each cell stripped
    rows: list[tuple[str, ...]]  # every row but blank ones...
    numbers: list[int]  # ...its row number (1 = the first row after the header)...
    lines: list[int]  # ...and the line of the file it starts on (1 = the header's first)


def read_rows(text: str) -> CsvRows:
    """Parse a CSV file's text (BOM already removed). Rows are tuples: tuples of strings stay
    out of the garbage collector's sight, lists would make each full collection walk them."""
    reader = csv.reader(io.StringIO(text))
    rows: list[tuple[str, ...]] = []
    numbers: list[int] = []
    lines: list[int] = []
    try:
        first = next(reader, None)
        if first is None or not any(cell.strip() for cell in first):
            raise CsvTextError("no header row: the first line names the columns (mobile, firstName, …)")
        line = reader.line_num
        for number, row in enumerate(reader, start=1):
            start, line = line + 1, reader.line_num
            if any(cell.strip() for cell in row):
                rows.append(tuple(row))
                numbers.append(number)
                lines.append(start)
    except csv.Error as exc:
        raise CsvTextError(f"not valid CSV: {exc}") from None
    return CsvRows([cell.strip() for cell in first], rows, numbers, lines)


@dataclass
class Chunk:
    rows: list[int]  # the numbers of the rows (as the caller numbers them) in this chunk
    body: str  # CSV text: the header and those rows, re-written under the mapping


def make_chunks(plan: ColumnPlan, rows: Sequence[Sequence[str]], numbers: Sequence[int],
                chunk_rows: int = CHUNK_ROWS, chunk_bytes: int = CHUNK_BYTES) -> list[Chunk]:  # fmt: skip
    """The rows re-written under ``plan``, cut in uploads of at most ``chunk_rows`` rows and
    (but for a single row longer than that) ``chunk_bytes`` characters, each with the header."""
    encode = plan.line
    head = plan.header_line()
    chunks: list[Chunk] = []
    lines: list[str] = []
    members: list[int] = []
    size = len(head)
    for row, number in zip(rows, numbers):
        line = encode(row)
        if members and (len(members) >= chunk_rows or size + len(line) > chunk_bytes):
            chunks.append(Chunk(members, head + "".join(lines)))
            lines, members, size = [], [], len(head)
        lines.append(line)
        members.append(number)
        size += len(line)
    if members:
        chunks.append(Chunk(members, head + "".join(lines)))
    return chunks


def chunk_retry_delay(error: SakariError, attempt: int, attempts: int = CHUNK_ATTEMPTS) -> float | None:
    """Seconds before sending a chunk again after failed try number ``attempt``, or None
    when it should not be sent again (a refusal, or ``attempts`` tries made)."""
    from sakari_tui.api import ApiError, NetworkError, RateLimited

    if attempt >= attempts:
        return None
    if isinstance(error, RateLimited):
        return min(error.retry_after if error.retry_after is not None else 1.0 * attempt, 10.0)
    if isinstance(error, NetworkError) or (isinstance(error, ApiError) and error.status >= 500):
        return 0.5 * attempt
    return None
