"""Where a contacts CSV file's columns go: the guess, what stops an upload, and the file re-written
under the mapping as the server will read it."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sakari_tui.api import ApiError, AuthError, NetworkError, RateLimited
from sakari_tui.core.csv_mapping import (
    ATTRIBUTE,
    CHUNK_ATTEMPTS,
    FIELDS,
    IGNORE,
    LABELS,
    SINGLE_FIELDS,
    TARGETS,
    ColumnPlan,
    CsvTextError,
    chunk_retry_delay,
    column_field,
    column_of,
    columns_named,
    guess_mapping,
    make_chunks,
    mapping_problems,
    read_rows,
    target_named,
    targets_for,
)


def read_back(plan: ColumnPlan, rows: list[list[str]]) -> list[list[str]]:
    text = plan.header_line() + "".join(plan.line(row) for row in rows)
    return list(csv.reader(io.StringIO(text)))


def test_the_guess_reads_the_names_sakari_knows_and_keeps_the_rest_as_attributes() -> None:
    header = ["First Name", "last_name", "E-mail", "Phone Number", "Cell", "Given name", "city", ""]
    assert guess_mapping(header) == ("firstName", "lastName", "email", "mobile", ATTRIBUTE, ATTRIBUTE,
                                     ATTRIBUTE, IGNORE)  # fmt: skip
    assert targets_for("") == (*FIELDS, IGNORE)  # a column without a name cannot name an attribute
    assert targets_for("city") == TARGETS


def test_problems_name_the_columns_at_fault() -> None:
    header = ["Phone", "Mobile", "Email", "Work email", "Notes", "Notes", "Tags", ""]
    mapping = ["mobile", "mobile", "email", "email", ATTRIBUTE, ATTRIBUTE, ATTRIBUTE, ATTRIBUTE]
    problems = mapping_problems(header, mapping)
    assert [(p.columns, p.message.split(":")[0]) for p in problems] == [
        ((0, 1), "“Phone” and “Mobile” both go to mobile"),
        ((2, 3), "“Email” and “Work email” both go to email"),
        ((4, 5), "2 columns are named “Notes”"),
        ((6,), "“Tags” cannot be an attribute"),
        ((7,), "A column without a header cannot be an attribute"),
    ]
    assert "as tags" in problems[3].message


def test_a_missing_mobile_column_is_a_problem_of_no_column() -> None:
    problems = mapping_problems(["Name", "Cell"], ["firstName", ATTRIBUTE])
    assert [(p.columns, p.message) for p in problems] == [
        ((), "No column goes to mobile: choose the column with the mobile numbers")
    ]
    assert mapping_problems(["Name", "Cell"], ["firstName", "mobile"]) == []
    three = mapping_problems(["A", "B", "C"], ["mobile"] * 3)
    assert three[0].message.startswith("“A”, “B” and “C” all go to mobile")


def test_a_bad_mapping_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        mapping_problems(["a", "b"], ["mobile"])
    with pytest.raises(ValueError):
        mapping_problems(["a"], ["phone"])


def test_the_file_is_rewritten_under_the_fields_names() -> None:
    header = ["Cell", "Given name", "Internal id", "Team", "Notes", "Interests"]
    plan = ColumnPlan(header, ["mobile", "firstName", IGNORE, "tags", ATTRIBUTE, "tags"])
    rows = [["+1 312 555 0181", "Lin", "X-1", "bakers", "likes rye, a lot", " rye;sourdough "],
            ["+1 312 555 0182", "Mo"],  # a short row
            ["+1 312 555 0183", "Al", "X-3", "", "", ""]]  # fmt: skip
    assert read_back(plan, rows) == [
        ["mobile", "firstName", "tags", "Notes"],  # the tag columns as one, where the first one was
        ["+1 312 555 0181", "Lin", "bakers;rye;sourdough", "likes rye, a lot"],
        ["+1 312 555 0182", "Mo", "", ""],
        ["+1 312 555 0183", "Al", "", ""],
    ]
    one_tags = ColumnPlan(["mobile", "tags"], ["mobile", "tags"])  # one tag column goes as it is
    assert one_tags.line(["1", " a | b "]) == "1, a | b \r\n"
    assert read_back(one_tags, [["1\r2", "x"]])[1] == ["1\r2", "x"]  # a lone CR is quoted, not a line end


def test_column_of_finds_the_first_column_of_a_target() -> None:
    assert column_of(("firstName", "mobile", "mobile"), "mobile") == 1
    assert column_of(("firstName",), "email") is None


def test_a_target_is_read_by_its_name_or_its_label() -> None:
    for target in TARGETS:
        assert target_named(target) == target
        assert target_named(LABELS[target]) == target
        assert target_named(f" {LABELS[target].upper()} ") == target
    assert target_named("first_name") == "firstName" and target_named("Last-Name") == "lastName"
    assert target_named("phone") is None and target_named("") is None and target_named("attributes") is None


def test_a_column_is_named_by_its_header_then_ignoring_case_then_by_number() -> None:
    header = ["Cell", "cell", " Given name ", "2", "", "Notes", "Notes"]
    assert columns_named(header, "cell") == [1]  # the exact header first
    assert columns_named(header, "CELL") == [0, 1]
    assert columns_named(header, "Given name") == [2]
    assert columns_named(header, "2") == [3]  # a header that looks like a number is a header
    assert columns_named(header, "1") == [0] and columns_named(header, "7") == [6]
    assert columns_named(header, "8") == [] and columns_named(header, "0") == []
    assert columns_named(header, "Notes") == [5, 6]  # every column of that name
    assert columns_named(header, "Mobile") == []
    assert columns_named(header, " ") == [4]


def test_rows_are_read_with_their_row_number_and_line() -> None:
    text = 'Cell, Given name \n+1 1,Lin\n\n,\n+1 2,"two\nlines"\n+1 3,Al'
    data = read_rows(text)
    assert data.header == ["Cell", "Given name"]
    assert data.rows == [("+1 1", "Lin"), ("+1 2", "two\nlines"), ("+1 3", "Al")]
    assert data.numbers == [1, 4, 5]  # blank rows are left out but counted
    assert data.lines == [2, 5, 7]  # a cell over two lines moves the lines after it
    with pytest.raises(CsvTextError, match="no header row"):
        read_rows(",,\nx,y")
    with pytest.raises(CsvTextError, match="not valid CSV: field larger than field limit"):
        read_rows("a,b\n1," + "2" * (csv.field_size_limit() + 1))
    assert read_rows("mobile\n").rows == []


def test_chunks_hold_at_most_so_many_rows_and_bytes_each_with_the_header() -> None:
    plan = ColumnPlan(["Cell", "Skip", "Name"], ["mobile", IGNORE, "firstName"])
    rows = [(f"+1 {i}", "x", f"N{i}") for i in range(7)]
    numbers = [10 + i for i in range(7)]
    chunks = make_chunks(plan, rows, numbers, chunk_rows=3)
    assert [c.rows for c in chunks] == [[10, 11, 12], [13, 14, 15], [16]]
    for chunk in chunks:
        back = list(csv.reader(io.StringIO(chunk.body)))
        assert back[0] == ["mobile", "firstName"]
        assert [r[1] for r in back[1:]] == [f"N{n - 10}" for n in chunk.rows]
    head = len(plan.header_line())
    line = len(plan.line(rows[0]))
    by_size = make_chunks(plan, rows, numbers, chunk_bytes=head + 2 * line)
    assert [len(c.rows) for c in by_size] == [2, 2, 2, 1]
    assert [len(c.rows) for c in make_chunks(plan, rows, numbers, chunk_bytes=1)] == [1] * 7  # a long row goes alone
    assert make_chunks(plan, [], []) == []


def test_a_chunk_is_sent_again_on_throttling_server_errors_and_lost_connections_only() -> None:
    assert chunk_retry_delay(RateLimited(429, "RATE", "slow down", retry_after=2.0), 1) == 2.0
    assert chunk_retry_delay(RateLimited(429, "RATE", "slow down", retry_after=60.0), 1) == 10.0
    assert chunk_retry_delay(ApiError(503, "X", "unavailable"), 2) == 1.0
    assert chunk_retry_delay(NetworkError("reset", may_have_been_sent=True), 1) == 0.5
    assert chunk_retry_delay(ApiError(503, "X", "unavailable"), CHUNK_ATTEMPTS) is None
    assert chunk_retry_delay(ApiError(400, "CONT-006", "no mobile column"), 1) is None
    assert chunk_retry_delay(AuthError(401, "AUTH-001", "wrong secret"), 1) is None


# -- properties -------------------------------------------------------------------------------

headers = st.lists(
    st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=12),
    min_size=1,
    max_size=8,
)


@st.composite
def mapped_headers(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    header = draw(headers)
    mapping = [draw(st.sampled_from(targets_for(h))) for h in header]
    return header, mapping


@given(headers)
def test_the_guess_is_a_target_each_column_may_have(header: list[str]) -> None:
    mapping = guess_mapping(header)
    assert len(mapping) == len(header)
    assert all(target in targets_for(h) for h, target in zip(header, mapping, strict=True))


@settings(max_examples=300)
@given(mapped_headers())
def test_a_mapping_without_problems_is_what_the_server_reads(case: tuple[list[str], list[str]]) -> None:
    header, mapping = case
    problems = mapping_problems(header, mapping)
    for problem in problems:
        assert all(0 <= i < len(header) for i in problem.columns)
    counts = {field: mapping.count(field) for field in FIELDS}
    if counts["mobile"] != 1 or any(counts[f] > 1 for f in SINGLE_FIELDS):
        assert problems
    if problems:
        return
    plan = ColumnPlan(header, mapping)
    written = plan.header
    # Each field's column is read as that field, each attribute column as an attribute of its name.
    assert [column_field(h) for h in written].count("mobile") == 1
    for name in written:
        field = column_field(name)
        assert field is None or written.count(name) == 1
    attributes = [h.strip() for h, t in zip(header, mapping, strict=True) if t == ATTRIBUTE]
    assert [h for h in written if column_field(h) is None] == attributes
    assert len(set(attributes)) == len(attributes) and all(attributes)


# NUL is no CSV text (read_csv refuses such a file); surrogates are no text at all.
cells = st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=10)


@given(mapped_headers(), st.lists(st.lists(cells, max_size=9), min_size=1, max_size=5))
def test_each_cell_goes_where_its_column_goes(case: tuple[list[str], list[str]], rows: list[list[str]]) -> None:
    header, mapping = case
    plan = ColumnPlan(header, mapping)
    back = read_back(plan, rows)
    if not plan.header:  # every column ignored
        return
    assert back[0] == plan.header and len(back) == len(rows) + 1
    for row, written in zip(rows, back[1:], strict=True):
        assert len(written) == len(plan.header)
        padded = row + [""] * len(header)
        got = {name: cell for name, cell in zip(plan.header, written, strict=True) if plan.header.count(name) == 1}
        for index, target in enumerate(mapping):
            name = header[index].strip() if target == ATTRIBUTE else target
            if target not in (IGNORE, "tags") and name in got:
                assert got[name] == padded[index]
        tag_cells = [padded[i] for i, t in enumerate(mapping) if t == "tags"]
        if len(tag_cells) == 1 and "tags" in got:
            assert got["tags"] == tag_cells[0]
        elif len(tag_cells) > 1 and "tags" in got:
            assert got["tags"] == ";".join(c.strip() for c in tag_cells if c.strip())
