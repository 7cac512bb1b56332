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
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sakari_tui.core.text import one_line

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
        self.sources = [tuple(tags) if not s else s for s in self.sources]
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
