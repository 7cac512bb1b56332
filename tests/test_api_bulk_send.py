"""``messages.send_bulk``: the answer read as a ``SendSummary`` (counts, price, refusals)
in a worker thread, one message at a time, instead of a ``Message`` per recipient.

What must hold: the summary says what the full parse (``SendResult``) says about counts and
failures, for any answer; the filtered decoder agrees with ``json.loads``; the request is the
one ``send`` makes; errors are the ones ``send`` raises."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sakari_tui.api import (
    ApiError,
    BadResponse,
    Contact,
    RecipientFailure,
    RequestSucceeded,
    SakariClient,
    SendResult,
    SendSummary,
)
from sakari_tui.api.envelope import data_object
from sakari_tui.api.jsonstream import loads_filtered
from sakari_tui.api.models import is_refusal
from sakari_tui.api.resources.messages import read_send_summary
from sakari_tui.sandbox import Sandbox, SandboxConfig

PROPERTIES = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
ACCOUNT_PATH = "/v1/accounts/acc1"

# --- the filtered decoder agrees with json.loads ------------------------------------------

KEYS = st.sampled_from(["data", "messages", "a", ""]) | st.text(max_size=5)
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.floats(allow_nan=False, allow_infinity=False)
)
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(KEYS, inner, max_size=5), max_leaves=40
)
PATHS = st.lists(st.sampled_from(["data", "messages", "a"]), max_size=3).map(tuple)
KEEPS = {
    "dicts with an error": is_refusal,
    "even lengths": lambda item: isinstance(item, list | dict | str) and len(item) % 2 == 0,
    "nothing": lambda item: False,
}


def filtered(value: Any, path: tuple[str, ...], keep) -> Any:
    """What ``loads_filtered`` promises, from the whole decoded value."""
    if not path:
        return [item for item in value if keep(item)] if isinstance(value, list) else value
    if not isinstance(value, dict):
        return value
    return {key: filtered(item, path[1:], keep) if key == path[0] else item for key, item in value.items()}


def dumps_somehow(value: Any, style: int) -> str:
    if style == 0:
        return json.dumps(value)
    if style == 1:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return " \n" + json.dumps(value, indent="\t") + "\r\n "


@PROPERTIES
@given(value=JSON, path=PATHS, keep=st.sampled_from(sorted(KEEPS)), style=st.integers(0, 2), as_bytes=st.booleans())
def test_filtered_decoding_is_json_loads_with_the_list_filtered(value, path, keep, style, as_bytes):
    text = dumps_somehow(value, style)
    raw = text.encode("utf-8") if as_bytes else text
    assert loads_filtered(raw, path, KEEPS[keep]) == filtered(json.loads(raw), path, KEEPS[keep])


@PROPERTIES
@given(value=JSON, path=PATHS, style=st.integers(0, 2), at=st.integers(0, 10_000),
       edit=st.sampled_from(["drop", ",", "]", "}", ":", '"', "x", "{", "["]))  # fmt: skip
def test_broken_json_is_refused_as_json_loads_refuses_it(value, path, style, at, edit):
    text = dumps_somehow({"data": {"messages": [value, value]}, "x": value}, style)
    at %= len(text)
    if at % 3 == 0:
        at = len(text) - 1 - at % 5  # near the end, where the closing brackets are
    text = text[:at] + ("" if edit == "drop" else edit) + text[at + 1 :]
    try:
        expected = filtered(json.loads(text), path, is_refusal)
    except ValueError:
        with pytest.raises(ValueError):
            loads_filtered(text, path, is_refusal)
    else:
        assert loads_filtered(text, path, is_refusal) == expected


def test_filtered_decoding_keeps_json_loads_quirks():
    assert loads_filtered(b'\xef\xbb\xbf{"a": [1, 2]}', ("a",), lambda i: i > 1) == {"a": [2]}  # BOM
    assert loads_filtered('{"a": [1], "a": [2, 3]}', ("a",), lambda i: i != 2) == {"a": [3]}  # last wins
    assert loads_filtered('{"a": {"b": 1}}', ("a", "b"), lambda i: False) == {"a": {"b": 1}}  # not a list
    broken = ("", "{", "[1}", "[1 2]", '{"a": [1,]}', '{"a": [1}}', '{"a": 1]', '{"a": 1,}', '{1: 2}',
              '{"a": [1] "b": 2}', "[] []")  # fmt: skip
    for text in broken:
        for path in ((), ("a",)):
            with pytest.raises(ValueError):
                loads_filtered(text, path, lambda i: True)


# --- the summary says what the full parse says --------------------------------------------

ERRORS = st.fixed_dictionaries({}, optional={"code": st.sampled_from(["CONT-010", "CONT-003", "MSG-005"]) | SCALARS,
                                             "description": st.text(max_size=10), "message": st.text(max_size=10)})  # fmt: skip
CONTACTS = st.fixed_dictionaries({}, optional={"id": st.text(max_size=6) | SCALARS, "firstName": st.text(max_size=6),
                                               "mobile": st.fixed_dictionaries({"number": st.text(max_size=12)}) | st.text(max_size=12),
                                               "blocked": st.booleans(), "error": ERRORS})  # fmt: skip
MESSAGES = st.fixed_dictionaries({}, optional={
    "id": st.text(max_size=6), "status": st.sampled_from(["Queued", "Error"]), "message": st.text(max_size=10),
    "price": st.floats(0, 1) | SCALARS, "segments": st.integers(1, 10), "contact": CONTACTS | SCALARS,
    "error": ERRORS | SCALARS, "conversation": st.fixed_dictionaries({"id": st.text(max_size=6)}),
})  # fmt: skip
INVALID = CONTACTS | st.fixed_dictionaries({"contact": CONTACTS, "error": ERRORS}) | ERRORS
ANSWERS = st.fixed_dictionaries({}, optional={
    "jobId": st.text(max_size=6) | SCALARS, "queued": st.integers(0, 10**6) | SCALARS,
    "estimatedPrice": st.floats(0, 10**4) | SCALARS, "requested": st.integers(0, 10**6), "valid": st.integers(0, 10**6),
    "messages": st.lists(MESSAGES | SCALARS, max_size=30) | SCALARS, "invalid": st.lists(INVALID | SCALARS, max_size=5),
    "note": JSON,
})  # fmt: skip


@PROPERTIES
@given(data=ANSWERS, style=st.integers(0, 2))
def test_the_summary_has_the_full_parse_counts_and_failures(data, style):
    full = SendResult.from_json(data)
    summary = read_send_summary(dumps_somehow({"success": True, "data": data}, style).encode())
    assert summary == full.summary() == SendSummary.from_json(data)
    assert (summary.queued, summary.estimated_price, summary.requested, summary.valid, summary.job_id) == (
        full.queued, full.estimated_price, full.requested, full.valid, full.job_id)  # fmt: skip
    assert summary.failures == full.failures
    assert SendSummary.from_json(json.loads(json.dumps(summary.to_json()))) == summary


def test_a_large_answer_with_some_refusals():
    refused = {7: "CONT-010", 500: "CONT-003", 9_999: "MSG-005"}
    messages = []
    for n in range(10_000):
        message = {"id": f"m{n}", "contact": {"id": f"c{n}", "firstName": f"F{n}", "mobile": {"number": f"+1206555{n:04d}"}},
                   "message": "Fresh rye today", "outgoing": True, "status": "Queued", "price": 0.0075, "segments": 1,
                   "created": {"at": "2026-01-01T00:00:00Z"}}  # fmt: skip
        if n in refused:
            message = {"contact": message["contact"], "message": message["message"], "outgoing": True,
                       "error": {"code": refused[n], "description": f"refused {n}"}}  # fmt: skip
        messages.append(message)
    data = {"messages": messages, "jobId": "j1", "queued": 9_997, "estimatedPrice": 74.9775}
    summary = read_send_summary(json.dumps({"success": True, "data": data}).encode())
    assert summary == SendResult.from_json(data).summary()
    assert (summary.queued, summary.estimated_price, summary.job_id) == (9_997, 74.9775, "j1")
    assert [(f.code, f.contact.id, f.contact.first_name) for f in summary.failures] == [
        ("CONT-010", "c7", "F7"), ("CONT-003", "c500", "F500"), ("MSG-005", "c9999", "F9999")]  # fmt: skip


def test_envelope_errors_are_the_ones_the_full_parse_raises():
    with pytest.raises(ApiError, match="MSG-002: No recipients"):
        read_send_summary(b'{"success": false, "error": {"code": "MSG-002", "message": "No recipients"}}')
    for body in (b'{"success": true, "data": [1, 2]}', b'{"success": true}', b"[]"):
        with pytest.raises(BadResponse):
            read_send_summary(body)
    with pytest.raises(ValueError):
        read_send_summary(b"<html>")


# --- over the client ----------------------------------------------------------------------


def client_with(answer) -> tuple[SakariClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/token"):
            return httpx.Response(200, json={"access_token": "token-1234567890", "token_type": "bearer"})
        seen.append(request)
        return answer(request)

    client = SakariClient(api_url="https://api.test", client_id="id", client_secret="secret",
                          account_id="acc1", transport=httpx.MockTransport(handler))  # fmt: skip
    return client, seen


async def test_send_bulk_sends_what_send_sends_and_reads_the_summary():
    data = {"jobId": "j1", "queued": 1, "estimatedPrice": 0.0075,
            "messages": [{"id": "m1", "contact": {"id": "c9"}},
                         {"contact": {"id": "c8"}, "error": {"code": "CONT-010", "description": "Opted out"}}]}  # fmt: skip
    client, seen = client_with(lambda request: httpx.Response(200, json={"success": True, "data": data}))
    options = {"contacts": [Contact(id="c9"), {"id": "c8"}], "filters": {"tags": ["vip"]},
               "media": ["https://x.test/a.png"], "extra": {"sendAt": "2030-01-01T00:00:00Z"}}  # fmt: skip
    async with client:
        full = await client.messages.send("Hi {{firstName}}", **options)
        summary = await client.messages.send_bulk("Hi {{firstName}}", **options)
        with pytest.raises(ValueError):
            await client.messages.send_bulk("nobody")
    assert [r.method for r in seen] == ["POST", "POST"]
    assert seen[0].url == seen[1].url and seen[1].url.path == f"{ACCOUNT_PATH}/messages"
    assert json.loads(seen[0].content) == json.loads(seen[1].content)
    assert isinstance(summary, SendSummary) and summary == full.summary()
    assert summary.failures == (RecipientFailure("CONT-010", "Opted out", Contact(id="c8")),)


async def test_send_bulk_reads_the_answer_off_the_event_loop(monkeypatch):
    from sakari_tui.api.resources import messages

    threads: list[int] = []

    def counting(item: Any) -> bool:
        threads.append(threading.get_ident())
        return is_refusal(item)

    monkeypatch.setattr(messages, "is_refusal", counting)
    answer = {"success": True, "data": {"queued": 2, "messages": [{"id": "m1"}, {"id": "m2"}]}}
    client, _ = client_with(lambda request: httpx.Response(200, json=answer))
    async with client:
        summary = await client.messages.send_bulk("Hi", contacts=[{"id": "c1"}, {"id": "c2"}])
    assert summary.queued == 2 and len(threads) == 2
    assert threading.get_ident() not in threads


@pytest.mark.parametrize(
    "answer, error, text",
    [
        (httpx.Response(200, text="<html>gateway</html>"), BadResponse, "expected JSON"),
        (httpx.Response(200, json={"success": False, "error": {"code": "CONT-010", "message": "No"}}), ApiError, "CONT-010: No"),
        (httpx.Response(200, json={"success": True, "data": []}), BadResponse, '"data" to be an object'),
        (httpx.Response(400, json={"success": False, "error": {"code": "MSG-003", "message": "Empty"}}), ApiError, "MSG-003: Empty"),
        (httpx.Response(503, text="busy"), BadResponse, "expected a JSON error"),
    ],
)  # fmt: skip
async def test_send_bulk_raises_what_send_raises(answer, error, text):
    client, seen = client_with(lambda request: answer)
    async with client:
        with pytest.raises(error, match=text) as bulk:
            await client.messages.send_bulk("Hi", contacts=[{"id": "c1"}])
        with pytest.raises(error) as full:
            await client.messages.send("Hi", contacts=[{"id": "c1"}])
    assert str(bulk.value) == str(full.value)
    assert len(seen) == 2  # a send is never retried


async def test_send_bulk_reports_success_to_listeners():
    client, _ = client_with(lambda request: httpx.Response(200, json={"success": True, "data": {"queued": 0}}))
    events = []
    client.add_listener(events.append)
    async with client:
        await client.messages.send_bulk("Hi", contacts=[{"id": "c1"}])
    sends = [e for e in events if e.path.endswith("/messages")]
    assert [type(e) for e in sends] == [RequestSucceeded] and sends[0].status == 200


async def test_a_sandbox_answer_with_refusals_reads_as_the_full_parse_does():
    sandbox = Sandbox(SandboxConfig(contacts=3_000, conversations=5, error_share=0.0))
    everyone = sandbox.contacts()
    opted_out = everyone[10:3_000:100]
    for contact in opted_out:
        sandbox.inject_inbound(contact["mobile"]["number"], "STOP")
    blocked = {c["id"] for c in sandbox.contacts() if "blocked" in c}
    assert {c["id"] for c in opted_out} <= blocked
    ids = [{"id": c["id"]} for c in everyone] + [{"id": "no-such-contact"}]
    async with SakariClient(api_url="http://sandbox.invalid", client_id="demo-client", client_secret="demo-secret",
                            account_id="demo-account", transport=httpx.ASGITransport(app=sandbox.app)) as client:  # fmt: skip
        with client.capture() as captured:
            summary = await client.messages.send_bulk("Closed Monday {{firstName}}", contacts=ids)
    full = SendResult.from_json(data_object(captured.last.body))
    assert len(full.messages) == 3_001
    assert summary == full.summary()
    sent = [m for m in sandbox.messages() if m["message"].startswith("Closed Monday")]
    assert summary.queued == 3_000 - len(blocked) == len(sent)
    assert sorted((f.code, f.contact.id) for f in summary.failures) == sorted(
        [("CONT-010", i) for i in blocked] + [("CONT-003", "no-such-contact")]
    )
    assert summary.estimated_price == pytest.approx(sum(m.price for m in full.messages if m.error is None))
