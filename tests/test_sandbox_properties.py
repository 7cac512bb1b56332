"""Property tests: the sandbox's own segment counter, number rule and templates, and
random request bodies that must never make it answer 500."""

from __future__ import annotations

import math
import re
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sakari_tui.sandbox import Sandbox, SandboxConfig
from sakari_tui.sandbox.phones import InvalidNumber, normalise_mobile
from sakari_tui.sandbox.sms import GSM7_BASIC, GSM7_EXTENSION, count_segments
from sakari_tui.sandbox.templating import render

GSM_TEXT = st.text(alphabet=sorted(GSM7_BASIC | GSM7_EXTENSION), max_size=700)
ANY_TEXT = st.text(max_size=400)


@given(GSM_TEXT)
def test_gsm7_text_fits_its_segments(text: str) -> None:
    counted = count_segments(text)
    assert counted.encoding == "GSM-7"
    assert counted.units == len(text) + sum(ch in GSM7_EXTENSION for ch in text)
    if counted.units <= 160:
        assert counted.segments == 1
    else:
        assert counted.segments == math.ceil(counted.units / 153)


@given(ANY_TEXT.filter(lambda t: any(ch not in GSM7_BASIC and ch not in GSM7_EXTENSION for ch in t)))
def test_one_foreign_character_makes_it_ucs2(text: str) -> None:
    counted = count_segments(text)
    assert counted.encoding == "UCS-2"
    assert counted.units == len(text.encode("utf-16-le")) // 2 >= len(text)
    assert counted.segments == (1 if counted.units <= 70 else math.ceil(counted.units / 67))


@given(ANY_TEXT, st.characters())
def test_adding_a_character_never_lowers_the_segment_count_within_an_encoding(text: str, extra: str) -> None:
    before, after = count_segments(text), count_segments(text + extra)
    if before.encoding == after.encoding:
        assert after.segments >= before.segments


E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")


@given(
    st.from_regex(r"\A[2-9][0-9]{9}\Z"),
    st.sampled_from(["{a}{b}{c}", "({a}) {b}-{c}", "{a}.{b}.{c}", "+1 {a} {b} {c}", "1-{a}-{b}-{c}"]),
)
def test_us_numbers_in_any_format_normalise_the_same(digits: str, layout: str) -> None:
    formatted = layout.format(a=digits[:3], b=digits[3:6], c=digits[6:])
    assert normalise_mobile(formatted) == "+1" + digits


@given(st.text(max_size=24))
def test_normalised_numbers_are_e164_and_stable(raw: str) -> None:
    try:
        number = normalise_mobile(raw)
    except InvalidNumber:
        return
    assert E164.match(number)
    assert normalise_mobile(number) == number


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("07700 900123", "GB", "+447700900123"),
        ("0412 345 678", "AU", "+61412345678"),
        ("+33 6 12 34 56 78", None, "+33612345678"),
        ("0033612345678", None, "+33612345678"),
    ],
)
def test_national_numbers_get_their_country_code(raw: str, country: str | None, expected: str) -> None:
    assert normalise_mobile(raw, country) == expected


NAME = st.sampled_from(["firstName", "lastName", "email", "mobile", "city"])


@given(NAME, st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=30))
def test_all_placeholder_forms_render_alike(name: str, value: str) -> None:
    fields = {"firstName": value, "lastName": value, "email": value, "mobile": value}
    attributes = {"City": value}
    forms = [form.replace("NAME", name) for form in ("{{{NAME}}}", "{{ NAME }}", "{{NAME}}", "{{{contact.NAME}}}")]
    assert {render(form, fields, attributes) for form in forms} == {value}


@given(st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=80))
def test_text_without_placeholders_is_unchanged(text: str) -> None:
    assert render(text, {"firstName": "x"}, {}) == text


def test_unknown_placeholders_render_empty() -> None:
    assert render("Hi {{{nickname}}}{{ contact.shoeSize }}!", {"firstName": "Al"}, {}) == "Hi !"


# -- random bodies ---------------------------------------------------------------------------

FIELD_NAMES = [
    "contacts",
    "conversations",
    "filters",
    "template",
    "type",
    "media",
    "url",
    "mobile",
    "number",
    "country",
    "firstName",
    "lastName",
    "email",
    "tags",
    "tag",
    "attributes",
    "name",
    "trigger",
    "code",
    "eventTypes",
    "id",
    "comparator",
    "value",
]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "SMS",
            "MMS",
            "Web",
            "M",
            "FU",
            "=",
            ">=",
            "vip",
            "https://x.example/h",
            "2065550123",
            "message-received",
            "{{{firstName}}}",
        ]
    )
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=6), children, max_size=5)
    ),
    max_leaves=20,
)

_sandbox = Sandbox(SandboxConfig(contacts=8, conversations=3))
_headers = {"Authorization": f"Bearer {_sandbox.issue_token()}"}
A = "/v1/accounts/demo-account"


# One client for all examples: making an AsyncClient builds an SSL context, which is slow.
# The in-process transport holds no connections, so any event loop can use it.
_client = httpx.AsyncClient(
    transport=httpx.ASGITransport(app=_sandbox.app), base_url="http://sandbox", headers=_headers
)


def _routes() -> list[tuple[str, str]]:
    contact = _sandbox.contacts()[0]["id"]
    return [
        ("POST", "/contacts"),
        ("PUT", f"/contacts/{contact}"),
        ("POST", "/messages"),
        ("POST", "/templates"),
        ("PUT", f"/templates/{_sandbox.templates()[0]['id']}"),
        ("POST", "/campaigns"),
        ("PUT", f"/campaigns/{_sandbox.campaigns()[0]['id']}"),
        ("POST", "/webhooks"),
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_routes()), JSON)
async def test_random_bodies_never_answer_500(route: tuple[str, str], body: Any) -> None:
    method, path = route
    response = await _client.request(method, A + path, json=body)
    assert response.status_code < 500, (route, body, response.text)
    payload = response.json()
    if response.status_code >= 400:
        assert payload["success"] is False and re.match(r"^[A-Z]+-\d{3}$", payload["error"]["code"])
    else:
        assert payload["success"] is True


async def test_non_standard_json_constants_are_refused() -> None:
    for raw in (b'{"template": NaN}', b'{"name": Infinity}', b"-Infinity"):
        response = await _client.post(f"{A}/templates", content=raw, headers={"content-type": "application/json"})
        assert response.status_code == 400 and response.json()["error"]["code"] == "REQ-001"


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["offset", "limit", "firstName", "tags", "mobile", "name", "contactId", "conversationId"]),
        st.text(max_size=8),
        max_size=4,
    ),
    st.sampled_from(["contacts", "conversations", "messages", "templates", "campaigns", "webhooks"]),
)
async def test_random_queries_never_answer_500(params: dict[str, str], resource: str) -> None:
    response = await _client.get(f"{A}/{resource}", params=params)
    assert response.status_code in (200, 400), response.text
