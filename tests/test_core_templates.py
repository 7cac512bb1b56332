"""Template previews: placeholders filled from a contact, the missing ones listed and kept,
spans that point at the right characters, and braces that do not pair up."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sakari_tui.api import Contact
from sakari_tui.core.templates import (
    PLACEHOLDER,
    contact_fields,
    placeholders,
    render,
    unbalanced_braces,
)


def span_texts(rendered) -> list[tuple[str, bool]]:
    return [(rendered.text[start:end], filled) for start, end, filled in rendered.spans]


def test_all_three_placeholder_forms_are_filled() -> None:
    values = {"firstName": "Ada", "lastName": "Lovelace"}
    rendered = render("Hi {{{firstName}}} {{ lastName }}, or {{{contact.firstName}}}!", values)
    assert rendered.text == "Hi Ada Lovelace, or Ada!"
    assert rendered.missing == ()
    assert span_texts(rendered) == [("Ada", True), ("Lovelace", True), ("Ada", True)]
    assert rendered.spans[0][:2] == (3, 6)


def test_spacing_variants_and_the_contact_prefix_in_double_braces() -> None:
    rendered = render("{{firstName}}|{{  firstName  }}|{{{ firstName }}}|{{contact.firstName}}", {"firstName": "Bo"})
    assert rendered.text == "Bo|Bo|Bo|Bo"
    assert [s[:2] for s in rendered.spans] == [(0, 2), (3, 5), (6, 8), (9, 11)]


def test_missing_placeholders_are_listed_once_and_left_in_the_text() -> None:
    template = "Dear {{{firstName}}} {{ lastName }}, your code is {{code}}; {{{contact.city}}} {{lastName}}"
    rendered = render(template, {"firstName": "Ada", "lastName": "", "code": None})
    assert rendered.text == "Dear Ada {{ lastName }}, your code is {{code}}; {{{contact.city}}} {{lastName}}"
    assert rendered.missing == ("lastName", "code", "contact.city")
    assert span_texts(rendered) == [
        ("Ada", True),
        ("{{ lastName }}", False),
        ("{{code}}", False),
        ("{{{contact.city}}}", False),
        ("{{lastName}}", False),
    ]


def test_values_are_inserted_as_they_are() -> None:
    # A value that looks like a placeholder is not rendered again; numbers are shown as text.
    rendered = render("{{a}}-{{b}}-{{c}}", {"a": "{{b}}", "b": 0, "c": "é😀"})
    assert rendered.text == "{{b}}-0-é😀"
    assert span_texts(rendered) == [("{{b}}", True), ("0", True), ("é😀", True)]
    assert rendered.missing == ()


def test_no_placeholders() -> None:
    rendered = render("Plain { text } with {single} braces", {"x": "y"})
    assert rendered.text == "Plain { text } with {single} braces"
    assert rendered.spans == () and rendered.missing == ()
    assert render("", {}).text == ""


def test_placeholders_lists_names_in_order() -> None:
    assert placeholders("{{{a}}} {{ b.c }} {{a}} {{{contact.d-e}}}") == ["a", "b.c", "a", "contact.d-e"]


def test_contact_fields() -> None:
    contact = Contact.from_json(
        {
            "id": "c1",
            "firstName": "Ada",
            "lastName": "",
            "mobile": {"number": "+15125550100", "country": "US"},
            "attributes": {"city": "Austin", "firstName": "overridden", "empty": ""},
        }
    )
    fields = contact_fields(contact)
    assert fields["firstName"] == "Ada"  # the contact's own field wins over an attribute
    assert fields["mobile"] == "+15125550100"
    assert fields["city"] == "Austin"
    assert "lastName" not in fields and "email" not in fields and "empty" not in fields
    assert contact_fields(None) == {}
    rendered = render("{{{contact.firstName}}} in {{city}}, {{lastName}}", fields)
    assert rendered.text == "Ada in Austin, {{lastName}}"
    assert rendered.missing == ("lastName",)


# -- unbalanced braces -----------------------------------------------------------------------


def test_unbalanced_braces_are_flagged_where_they_are() -> None:
    assert unbalanced_braces("{{{x}}") == [0]
    assert unbalanced_braces("{{x}}}") == [5]
    assert unbalanced_braces("{{ x") == [0]
    assert unbalanced_braces("x }}") == [2]
    assert unbalanced_braces("Hi {{name}, bye") == [3]
    assert unbalanced_braces("ok {{{a}}} then {{ b") == [16]
    assert unbalanced_braces("{{{{x}}}}") == [0, 8]
    assert unbalanced_braces("{{}}") == [0, 2]


def test_well_formed_templates_are_not_flagged() -> None:
    for template in (
        "",
        "no braces at all",
        "{{x}}",
        "{{{x}}}",
        "{{ x }}",
        "{{{ contact.firstName }}}",
        "Hi {{{firstName}}}, {{lastName}}!",
        "{{a}}{{{b}}}{{c}}",
        "a {single} brace and { another }",
    ):
        assert unbalanced_braces(template) == [], template


# -- properties --------------------------------------------------------------------------------

NAMES = ["firstName", "lastName", "city", "contact.firstName", "contact.city"]
FORMS = ["{{{%s}}}", "{{ %s }}", "{{%s}}", "{{{ %s }}}"]
literal = st.text(alphabet="ab .!\n", max_size=4)
placeholder = st.tuples(st.sampled_from(NAMES), st.sampled_from(FORMS))
values = st.dictionaries(
    st.sampled_from(["firstName", "lastName", "city"]),
    st.one_of(st.none(), st.text(alphabet="xy{} é", max_size=4), st.integers(0, 99)),
)


@settings(max_examples=150, deadline=None)
@given(parts=st.lists(st.one_of(literal, placeholder), max_size=8), values=values)
def test_render_matches_the_template_piece_by_piece(parts: list, values: dict) -> None:
    """Built from known pieces: the text, the spans and the missing names are exactly as
    the pieces say, and such a template has no unbalanced braces."""
    template = "".join(p if isinstance(p, str) else p[1] % p[0] for p in parts)
    expected_text, expected_spans, expected_missing = "", [], []
    for part in parts:
        if isinstance(part, str):
            expected_text += part
            continue
        name, form = part
        value = values.get(name.removeprefix("contact."))
        if value is None or value == "":
            shown, filled = form % name, False
            if name not in expected_missing:
                expected_missing.append(name)
        else:
            shown, filled = str(value), True
        expected_spans.append((len(expected_text), len(expected_text) + len(shown), filled))
        expected_text += shown
    rendered = render(template, values)
    assert rendered.text == expected_text
    assert list(rendered.spans) == expected_spans
    assert list(rendered.missing) == expected_missing
    assert unbalanced_braces(template) == []


@settings(max_examples=150, deadline=None)
@given(
    parts=st.lists(st.one_of(st.text(alphabet="{} a.", max_size=4), placeholder), max_size=8),
    values=values,
)
def test_every_span_shows_its_value_or_its_placeholder(parts: list, values: dict) -> None:
    """With stray braces around, whatever is read as a placeholder: each span's text is the
    value, or the placeholder as written; putting the placeholders back gives the template."""
    template = "".join(p if isinstance(p, str) else p[1] % p[0] for p in parts)
    rendered = render(template, values)
    originals = [m.group(0) for m in PLACEHOLDER.finditer(template)]
    assert len(rendered.spans) == len(originals)

    restored, position = "", 0
    for (start, end, filled), original in zip(rendered.spans, originals, strict=True):
        assert position <= start <= end <= len(rendered.text)
        shown = rendered.text[start:end]
        name = PLACEHOLDER.fullmatch(original)
        key = (name.group(1) or name.group(2)).removeprefix("contact.")
        if filled:
            assert shown == str(values[key])
        else:
            assert shown == original
            assert (name.group(1) or name.group(2)) in rendered.missing
        restored += rendered.text[position:start] + original
        position = end
    restored += rendered.text[position:]
    assert restored == template
    # Every flagged offset is a brace that is not part of a placeholder.
    covered = {i for m in PLACEHOLDER.finditer(template) for i in range(m.start(), m.end())}
    for offset in unbalanced_braces(template):
        assert template[offset] in "{}" and offset not in covered
