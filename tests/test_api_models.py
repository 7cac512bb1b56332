"""The lenient parsers: every shape the spec README lists (1.0.1 and later), and property
tests feeding them documents generated from the spec's response schemas.

Decision under test (sakari_tui/api/envelope.py): a schema-valid answer is parsed without
error, except that
- ``success: false`` is an ``ApiError``;
- an operation returning an object raises ``BadResponse`` when ``data`` is not an object,
  and one returning a list when ``data`` is not a list of objects (the 1.0.1 schemas make
  ``data`` optional, but an answer without it carries nothing to return);
- a token answer without a non-empty ``access_token`` string is a ``BadResponse``.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spec import schema

from sakari_tui.api import (
    ApiError,
    BadResponse,
    Campaign,
    Contact,
    ContactUpload,
    Conversation,
    Message,
    MessageStatus,
    Page,
    RecipientFailure,
    SendResult,
    SendSummary,
    SharedFile,
    Template,
    Token,
    Webhook,
    models,
)
from sakari_tui.api.auth import parse_token_response
from sakari_tui.api.envelope import data_object
from sakari_tui.api.resources.contacts import parse_created_contacts
from sakari_tui.api.resources.messages import read_send_summary
from sakari_tui.api.resources.templates import parse_created_template
from sakari_tui.api.values import as_datetime, datetime_text

UTC = timezone.utc
NOW = 1_700_000_000.0
PROPERTY_SETTINGS = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def jwt(claims: dict[str, Any]) -> str:
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2ln"


# --- the README's table, row by row: both shapes -----------------------------------------


@pytest.mark.parametrize(
    "closed, expect_closed, expect_at",
    [
        (True, True, None),
        (False, False, None),
        ("2024-05-01T10:00:00Z", True, datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T12:00:00.250+02:00", True, datetime(2024, 5, 1, 10, 0, 0, 250000, tzinfo=UTC)),
        (None, False, None),
        ("<absent>", False, None),
    ],
)
def test_conversation_closed_boolean_datetime_or_absent(closed, expect_closed, expect_at):
    raw = {"id": "cv1"} if closed == "<absent>" else {"id": "cv1", "closed": closed}
    conversation = Conversation.from_json(raw)
    assert conversation.closed is expect_closed
    assert conversation.closed_at == expect_at


@pytest.mark.parametrize(
    "pagination, count, expect_total, expect_next",
    [
        ({"offset": 0, "limit": 2, "totalCount": 5}, 2, 5, True),
        ({"offset": 4, "limit": 2, "totalCount": 5}, 1, 5, False),
        ({"offset": 0, "limit": 2, "totalCount": 5, "hasNext": False}, 2, 5, False),
        ({"offset": 0, "limit": 2, "hasNext": True}, 2, None, True),
        ({"offset": 0, "limit": 2}, 2, None, True),  # no totalCount: a full page may have more
        ({"offset": 0, "limit": 2}, 1, None, False),
        (None, 2, None, True),  # no pagination block: the requested limit decides
    ],
)
def test_pagination_with_and_without_has_next_and_total_count(pagination, count, expect_total, expect_next):
    body = {"success": True, "data": [{"id": str(i)} for i in range(count)]}
    if pagination is not None:
        body["pagination"] = pagination
    page = Page.from_json(body, Message.from_json, offset=0, limit=2)
    assert len(page.items) == count
    assert page.total_count == expect_total
    assert page.has_next is expect_next


def test_send_result_1_0_1_shape():
    data = {
        "messages": [{"id": "m1", "status": "Queued", "contact": {"id": "c1"}}],
        "jobId": "job-1",
        "queued": 1,
        "estimatedPrice": 0.0079,
    }
    result = SendResult.from_json(data)
    assert (result.job_id, result.queued, result.estimated_price) == ("job-1", 1, 0.0079)
    assert (result.requested, result.valid, result.invalid) == (None, None, ())
    assert result.messages[0].status is MessageStatus.QUEUED
    assert result.failures == ()


def test_send_result_later_shape_with_invalid_recipients():
    data = {
        "messages": [{"id": "m1"}],
        "jobId": "job-2",
        "requested": 3,
        "valid": 1,
        "invalid": [
            {"id": "c2", "mobile": {"number": "+1"}, "error": {"code": "CONT-001", "description": "Invalid mobile number"}},
            {"contact": {"id": "c3"}, "error": {"code": "CONT-010", "description": "Contact has requested no further communication"}},
            {"code": "MSG-003", "description": "No route"},
        ],
    }  # fmt: skip
    result = SendResult.from_json(data)
    assert (result.requested, result.valid, result.queued, result.estimated_price) == (3, 1, None, None)
    assert [(f.code, f.contact.id) for f in result.invalid] == [
        ("CONT-001", "c2"), ("CONT-010", "c3"), ("MSG-003", None),
    ]  # fmt: skip
    assert str(result.invalid[0]) == "CONT-001: Invalid mobile number"
    assert result.invalid[1].description == "Contact has requested no further communication"


def test_send_result_failures_include_messages_with_errors():
    data = {"messages": [{"id": "m1", "contact": {"id": "c1"}, "error": {"code": "E1", "description": "Bad"}}]}
    (failure,) = SendResult.from_json(data).failures
    assert (failure.code, failure.description, failure.contact.id) == ("E1", "Bad", "c1")


def test_token_1_0_1_shape_gets_a_default_lifetime():
    token = parse_token_response({"access_token": "opaque", "token_type": "bearer"}, NOW)
    assert token.access_token == "opaque"
    assert token.expires_at == datetime.fromtimestamp(NOW + 600, UTC)


def test_token_with_expires_in():
    token = parse_token_response({"access_token": "opaque", "token_type": "bearer", "expires_in": 3600}, NOW)
    assert token.expires_at == datetime.fromtimestamp(NOW + 3600, UTC)


def test_token_expiry_from_jwt_exp():
    token = parse_token_response({"access_token": jwt({"exp": NOW + 900}), "token_type": "bearer"}, NOW)
    assert token.expires_at == datetime.fromtimestamp(NOW + 900, UTC)
    assert not token.is_fresh(NOW + 899)
    assert token.is_fresh(NOW + 800)


@pytest.mark.parametrize("body", [{}, {"token_type": "bearer"}, {"access_token": ""}, {"access_token": 7}, [], "x"])
def test_token_without_access_token_is_bad_response(body):
    with pytest.raises(BadResponse):
        parse_token_response(body, NOW)


def test_message_1_0_1_fields():
    raw = {
        "id": "m1",
        "message": "Hi Ann",
        "outgoing": True,
        "status": "Delivered",
        "contact": {"id": "c1", "firstName": "Ann", "mobile": {"number": "+14155550123", "country": "US"}},
        "conversation": {"id": "cv1"},
        "phoneNumber": "+14155550100",
        "price": 0.0079,
        "segments": 1,
        "read": False,
        "template": "Hi {{{firstName}}}",
        "media": [{"filename": "a.png", "type": "image/png", "url": "https://x.test/a.png"}],
        "created": {"at": "2024-05-01T10:00:00Z", "by": {"id": "u1", "firstName": "Bo"}},
        "updated": {"at": "2024-05-01T10:00:05Z"},
        "error": {"code": "MSG-1", "description": "Carrier rejected"},
    }
    m = Message.from_json(raw)
    assert (m.id, m.text, m.outgoing, m.status, m.status_text) == (
        "m1",
        "Hi Ann",
        True,
        MessageStatus.DELIVERED,
        "Delivered",
    )
    assert m.contact.display_name == "Ann" and m.contact.mobile.number == "+14155550123"
    assert (m.conversation_id, m.phone_number, m.price, m.segments, m.read) == ("cv1", "+14155550100", 0.0079, 1, False)
    assert m.media[0].filename == "a.png" and m.media[0].type == "image/png"
    assert m.created_at == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert m.created.by.first_name == "Bo"
    assert str(m.error) == "MSG-1: Carrier rejected"
    assert dict(m.extra) == {}


def test_message_later_fields():
    raw = {
        "id": "m2",
        "type": "MMS",
        "sendAt": "2024-05-01T10:00:00.123Z",
        "media": [{"url": "https://x.test/a.png", "name": "a.png"}],
        "created": {"at": "2024-05-01T09:00:00Z", "by": {"source": "api"}},
        "channel": "sms",
    }
    m = Message.from_json(raw)
    assert m.type == "MMS"
    assert m.send_at == datetime(2024, 5, 1, 10, 0, 0, 123000, tzinfo=UTC)
    assert m.media[0].name == "a.png"
    assert m.created.by.source == "api"
    assert dict(m.extra) == {"channel": "sms"}


@pytest.mark.parametrize(
    "text, expected",
    [("Delivered", MessageStatus.DELIVERED), ("DELIVERED", MessageStatus.DELIVERED),
     ("delivered", MessageStatus.DELIVERED), (" queued ", MessageStatus.QUEUED),
     ("new", MessageStatus.NEW), ("VALIDATED", MessageStatus.VALIDATED), ("sent", MessageStatus.SENT),
     ("error", MessageStatus.ERROR), ("UNDELIVERED", MessageStatus.UNDELIVERED),
     ("received", MessageStatus.RECEIVED), ("Scheduled", MessageStatus.UNKNOWN), (None, MessageStatus.UNKNOWN)],
)  # fmt: skip
def test_message_status_any_casing_with_unknown_fallback(text, expected):
    message = Message.from_json({} if text is None else {"status": text})
    assert message.status is expected
    assert message.status_text == text  # the server's text is kept as sent


def test_contact_1_0_1_fields():
    raw = {
        "id": "c1", "firstName": "Ann", "lastName": "Lee", "email": "ann@x.test",
        "mobile": {"number": "+14155550123", "country": "US"},
        "attributes": {"plan": "gold"}, "tags": [{"tag": "vip", "visible": True}],
        "valid": True, "error": {"code": "CONT-010", "description": "Opted out"},
        "created": {"at": "2024-01-01T00:00:00Z"},
    }  # fmt: skip
    c = Contact.from_json(raw)
    assert (c.first_name, c.last_name, c.email, c.display_name) == ("Ann", "Lee", "ann@x.test", "Ann Lee")
    assert c.attributes["plan"] == "gold" and c.tags[0].name == "vip" and c.tags[0].visible
    assert c.valid is True and c.error.code == "CONT-010"
    assert (c.blocked, c.blocked_at, c.opted_in_at) == (False, None, None)


def test_contact_later_fields():
    raw = {
        "id": "c2",
        "mobile": {"number": "+14155550123", "country": "US", "verified": True, "valid": True, "lineType": "mobile"},
        "lists": [{"id": "l1", "name": "Customers"}, "l2"],
        "optIn": "2024-02-01T08:00:00Z",
        "blocked": "2024-03-01T08:00:00+00:00",
        "tags": ["plain-string-tag"],
    }
    c = Contact.from_json(raw)
    assert (c.mobile.verified, c.mobile.valid, c.mobile.line_type) == (True, True, "mobile")
    assert [(lst.id, lst.name) for lst in c.lists] == [("l1", "Customers"), ("l2", None)]
    assert c.opted_in_at == datetime(2024, 2, 1, 8, tzinfo=UTC)
    assert c.blocked is True and c.blocked_at == datetime(2024, 3, 1, 8, tzinfo=UTC)
    assert c.tags[0].name == "plain-string-tag"
    assert c.display_name == "+14155550123"


@pytest.mark.parametrize("blocked, expected", [(True, True), (False, False), (None, False), ("garbage", False)])
def test_contact_blocked_as_boolean(blocked, expected):
    contact = Contact.from_json({"blocked": blocked})
    assert contact.blocked is expected and contact.blocked_at is None


def test_webhook_subscribe_both_shapes():
    old = Webhook.from_json({"url": "https://x.test/h", "eventTypes": ["message-received"]})
    new = Webhook.from_json(
        {
            "id": "w1",
            "type": "webhook",
            "eventTypes": ["contact-opt-out", "list-opt-in"],
            "destination": "https://x.test/h",
        }
    )
    assert (old.url, old.event_types, old.id) == ("https://x.test/h", ("message-received",), None)
    assert (new.url, new.id, new.type) == ("https://x.test/h", "w1", "webhook")
    assert new.event_types == ("contact-opt-out", "list-opt-in")  # later event types kept
    nested = Webhook.from_json({"id": "w2", "destination": {"url": "https://x.test/n"}})
    assert nested.url == "https://x.test/n"


def test_error_bodies_and_per_contact_errors():
    body = {"success": False, "error": {"code": "CONT-001", "message": "Invalid mobile number"}}
    with pytest.raises(ApiError) as caught:
        data_object(body, status=200)
    assert str(caught.value) == "CONT-001: Invalid mobile number"
    assert str(ApiError(404)) == "HTTP 404"
    assert str(Contact.from_json({"error": {"code": "CONT-010", "description": "No"}}).error) == "CONT-010: No"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T10:00:00.123Z", datetime(2024, 5, 1, 10, 0, 0, 123000, tzinfo=UTC)),
        ("2024-05-01T10:00:00.123456789Z", datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2024-05-01T12:00:00+02:00", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T10:00:00", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        (1714557600, datetime(2024, 5, 1, 10, tzinfo=UTC)),
        (1714557600000, datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("yesterday", None), ("", None), ("2024-13-45T99:00:00Z", None), (True, None), ({}, None),
    ],
)  # fmt: skip
def test_timestamps_are_aware_and_garbage_is_none(text, expected):
    parsed = as_datetime(text)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is not None


def test_wrong_typed_optional_fields_are_defaulted():
    m = Message.from_json(
        {"id": 12, "outgoing": "maybe", "price": "cheap", "segments": "two", "media": "none",
         "created": "yesterday", "contact": [], "status": 5, "conversation": "cv1"}
    )  # fmt: skip
    assert m.id == "12"  # numeric ids are read as text
    assert (m.outgoing, m.price, m.segments, m.media, m.created, m.contact) == (False, None, None, (), None, None)
    assert (m.status, m.status_text, m.conversation_id) == (MessageStatus.UNKNOWN, "5", None)
    c = Contact.from_json({"tags": "vip", "attributes": [], "mobile": 5, "lists": {}})
    assert (c.tags, dict(c.attributes), c.mobile, c.lists) == ((), {}, None, ())


def test_unknown_fields_are_kept_in_extra():
    template = Template.from_json({"id": "t1", "name": "n", "template": "x", "type": "SMS", "archived": False})
    assert dict(template.extra) == {"archived": False}
    assert "archived" not in repr(template)  # extra stays out of reprs
    campaign = Campaign.from_json({"id": "k1", "trigger": {"code": "M"}, "stats": {"sent": 3}})
    assert campaign.trigger["code"] == "M" and dict(campaign.extra) == {"stats": {"sent": 3}}


def test_contact_create_answers_list_or_upload_summary():
    listed = parse_created_contacts({"success": True, "data": [{"id": "c1"}, {"id": "c2"}]})
    assert [c.id for c in listed] == ["c1", "c2"]
    upload = parse_created_contacts(
        {"success": True, "data": {"submitted": 3, "inserted": 1, "updated": 1, "success": 2,
                                   "contacts": [{"id": "c1"}], "errors": [{"error": {"code": "CONT-001"}}]}}
    )  # fmt: skip
    assert isinstance(upload, ContactUpload)
    assert (upload.submitted, upload.inserted, upload.updated, upload.succeeded) == (3, 1, 1, 2)
    assert upload.errors[0].error.code == "CONT-001"


def test_template_create_answers_list_or_object():
    assert parse_created_template({"data": [{"id": "t1"}]}).id == "t1"
    assert parse_created_template({"data": {"id": "t2"}}).id == "t2"
    with pytest.raises(BadResponse):
        parse_created_template({"data": []})


def test_shared_file():
    shared = SharedFile.from_json({"link": "https://sak.ri/x", "expires": "2024-05-01T10:00:00Z"})
    assert shared.link == "https://sak.ri/x" and shared.expires_at == datetime(2024, 5, 1, 10, tzinfo=UTC)


# --- property tests: documents generated from the spec's schemas ----------------------------
#
# hypothesis-jsonschema 0.23.1 fails on object schemas with this Hypothesis (it calls
# ``many.more()``, which Hypothesis has removed), so documents come from the small generator
# below. It covers the keywords the response schemas use (type, properties, items, allOf,
# enum, format: date-time) plus oneOf for the later shapes, adds unknown properties as
# the open schema allows, and every document is checked against the schema with jsonschema.

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)

_AWARE = st.datetimes(
    min_value=datetime(1970, 1, 2),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]),
)
DATE_TIMES = st.one_of(
    _AWARE.map(datetime.isoformat),
    _AWARE.map(lambda d: d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"),
)


def merge_all_of(node: dict[str, Any]) -> dict[str, Any]:
    merged = {key: value for key, value in node.items() if key != "allOf"}
    for part in node["allOf"]:
        part = merge_all_of(part) if "allOf" in part else part
        for key, value in part.items():
            if key != "properties":
                merged[key] = value
                continue
            properties = merged.setdefault("properties", {})
            for name, sub in value.items():
                properties[name] = {"allOf": [properties[name], sub]} if name in properties else sub
    return merged


def from_schema(node: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "allOf" in node:
        return from_schema(merge_all_of(node))
    if "oneOf" in node:
        return st.one_of([from_schema(option) for option in node["oneOf"]])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    kind = node.get("type", "object" if "properties" in node else None)
    if kind == "object":
        properties = node.get("properties", {})
        required = set(node.get("required", ()))
        known = st.fixed_dictionaries(
            {k: from_schema(v) for k, v in properties.items() if k in required},
            optional={k: from_schema(v) for k, v in properties.items() if k not in required},
        )
        unknown = st.dictionaries(
            st.text(max_size=6).filter(lambda key: key not in properties), JSON_VALUES, max_size=2
        )
        return st.builds(lambda known, unknown: {**unknown, **known}, known, unknown)
    if kind == "array":
        return st.lists(from_schema(node.get("items", {})), max_size=3)
    if kind == "string":
        return DATE_TIMES if node.get("format") == "date-time" else st.text(max_size=12)
    if kind == "integer":
        return st.integers(-(2**40), 2**40)
    if kind == "number":
        return st.integers(-(2**40), 2**40) | st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    return JSON_VALUES


def documents(name_or_schema: Any, complete: bool = False) -> st.SearchStrategy[Any]:
    """Schema-valid documents. ``complete`` ones always carry ``data`` and never say
    ``success: false``, so that most examples reach the models.

    Deferred: the spec is read when a test draws, so a missing spec skips that test
    instead of failing the whole module at import."""
    return st.deferred(lambda: _documents(name_or_schema() if callable(name_or_schema) else name_or_schema, complete))


def _documents(name_or_schema: str | dict[str, Any], complete: bool) -> st.SearchStrategy[Any]:
    node = schema(name_or_schema) if isinstance(name_or_schema, str) else name_or_schema
    validator = jsonschema.Draft4Validator(node)
    generate = node
    if complete:
        generate = merge_all_of(node) if "allOf" in node else dict(node)
        generate["properties"] = {**generate["properties"], "success": {"enum": [True]}}
        generate["required"] = ["data"]
    return from_schema(generate).map(lambda doc: (validator.validate(doc), doc)[1])


def expected_error(doc: Any, needs: str) -> type[Exception] | None:
    """What the envelope rules at the top of this file say ``doc`` must raise, if anything."""
    if isinstance(doc, dict) and doc.get("success") is False:
        return ApiError
    data = doc.get("data") if isinstance(doc, dict) else None
    if needs == "list" and not (isinstance(data, list) and all(isinstance(i, dict) for i in data)):
        return BadResponse
    if needs == "nonempty list" and not (isinstance(data, list) and data and all(isinstance(i, dict) for i in data)):
        return BadResponse
    if needs == "object" and not isinstance(data, dict):
        return BadResponse
    return None


def check_model(model: Any, raw: dict[str, Any]) -> None:
    """Unknown fields went to ``extra``, known ones did not, and a string id was kept."""
    assert set(model.extra) == set(raw) - model._KEYS
    if "id" in model._KEYS and isinstance(raw.get("id"), str):
        assert model.id == raw["id"]


def page_of(model):
    return lambda body: Page.from_json(body, model.from_json)


def one(model):
    return lambda body: model.from_json(data_object(body))


# name -> (what the envelope needs, parser the client uses for it)
RESPONSES = {
    "ContactsResponse": ("list", page_of(Contact)),
    "ContactResponse": ("object", one(Contact)),
    "ConversationsResponse": ("list", page_of(Conversation)),
    "ConversationResponse": ("object", one(Conversation)),
    "MessagesResponse": ("list", page_of(Message)),
    "MessageResponse": ("object", one(Message)),
    "SendMessagesResponse": ("object", one(SendResult)),
    "TemplatesResponse": ("list", page_of(Template)),
    "TemplateResponse": ("object", one(Template)),
    "CampaignsResponse": ("list", page_of(Campaign)),
    "CampaignResponse": ("object", one(Campaign)),
    "WebhooksResponse": ("list", page_of(Webhook)),
    "WebhookResponse": ("object", one(Webhook)),
    "ShareFileResponse": ("object", one(SharedFile)),
    "ContactUploadResponse": ("object", parse_created_contacts),
}


@pytest.mark.parametrize("name", sorted(RESPONSES))
@settings(PROPERTY_SETTINGS, max_examples=20)
@given(data=st.data())
def test_schema_valid_documents_parse_or_fail_as_decided(name, data):
    check_parse(name, data.draw(documents(name)))


@pytest.mark.parametrize("name", sorted(RESPONSES))
@settings(PROPERTY_SETTINGS, max_examples=40)
@given(data=st.data())
def test_schema_valid_complete_documents_parse(name, data):
    doc = data.draw(documents(name, complete=True))
    assert expected_error(doc, RESPONSES[name][0]) in (None, BadResponse)  # data of wrong kind
    check_parse(name, doc)


def check_parse(name: str, doc: Any) -> None:
    needs, parse = RESPONSES[name]
    error = expected_error(doc, needs)
    if error is not None:
        with pytest.raises(error):
            parse(doc)
        return
    result = parse(doc)
    if isinstance(result, Page):
        assert len(result.items) == len(doc["data"])
        for model, raw in zip(result.items, doc["data"]):
            check_model(model, raw)
        total = doc.get("pagination", {}).get("totalCount")
        assert result.total_count == (total if isinstance(total, int) else None)
    else:
        check_model(result, doc["data"])


@PROPERTY_SETTINGS
@given(doc=documents("ContactsResponse"))
def test_contacts_create_accepts_contacts_response(doc):
    error = expected_error(doc, "list")
    if isinstance(doc.get("data"), dict) and error is BadResponse and doc.get("success") is not False:
        error = None  # a data object is read as an upload summary
    if error:
        with pytest.raises(error):
            parse_created_contacts(doc)
    else:
        parse_created_contacts(doc)


@PROPERTY_SETTINGS
@given(doc=documents("TemplatesResponse"))
def test_templates_create_accepts_templates_response(doc):
    error = expected_error(doc, "nonempty list")
    if error:
        with pytest.raises(error):
            parse_created_template(doc)
    else:
        assert parse_created_template(doc).template == Template.from_json(doc["data"][0]).template


@PROPERTY_SETTINGS
@given(doc=documents("TokenResponse"))
def test_token_documents_parse(doc):
    token = doc.get("access_token")
    if isinstance(token, str) and token:
        assert parse_token_response(doc, NOW).access_token == token
    else:
        with pytest.raises(BadResponse):
            parse_token_response(doc, NOW)


# --- property tests for the later shapes ---------------------------------------------------


def extend(node: Any, marker: str, extra: dict[str, Any], replace: bool = False) -> Any:
    """A copy of ``node`` where every object schema with the property ``marker`` gains the
    properties ``extra`` (replacing same-named ones)."""
    if isinstance(node, list):
        return [extend(item, marker, extra) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: extend(value, marker, extra) for key, value in node.items()}
    if marker in out.get("properties", {}):
        out["properties"] = {**out["properties"], **extra}
    return out


DATE_TIME = {"type": "string", "format": "date-time"}
STRING = {"type": "string"}
STATUSES = [s.value for s in MessageStatus if s is not MessageStatus.UNKNOWN]
CASED_STATUS = {"enum": STATUSES + [s.upper() for s in STATUSES] + [s.lower() for s in STATUSES]}


def later_messages_schema() -> dict[str, Any]:
    node = schema("MessagesResponse")
    node = extend(node, "totalCount", {"hasNext": {"type": "boolean"}})
    node = extend(node, "outgoing", {"type": {"enum": ["SMS", "MMS"]}, "sendAt": DATE_TIME, "status": CASED_STATUS})
    node = extend(node, "filename", {"name": STRING})  # media items
    return extend(node, "lastName", {"source": STRING})  # created.by (and contacts: harmless)


@PROPERTY_SETTINGS
@given(doc=documents(later_messages_schema))
def test_later_message_shapes(doc):
    if expected_error(doc, "list"):
        return
    page = Page.from_json(doc, Message.from_json, limit=10)
    has_next = doc.get("pagination", {}).get("hasNext")
    if isinstance(has_next, bool):
        assert page.has_next is has_next
    for message, raw in zip(page.items, doc["data"]):
        status = raw.get("status")
        assert message.status == (MessageStatus(status.capitalize()) if status else MessageStatus.UNKNOWN)
        assert message.send_at == (as_datetime(raw["sendAt"]) if "sendAt" in raw else None)
        if "sendAt" in raw:
            assert message.send_at is not None and message.send_at.tzinfo is not None
        for item, raw_item in zip(message.media, raw.get("media", [])):
            assert item.name == raw_item.get("name")
        source = raw.get("created", {}).get("by", {}).get("source")
        if source is not None:
            assert message.created.by.source == source


def later_conversations_schema() -> dict[str, Any]:
    node = schema("ConversationsResponse")
    closed = {"oneOf": [{"type": "boolean"}, DATE_TIME, {"type": "null"}]}
    return extend(node, "unread", {"closed": closed})


@PROPERTY_SETTINGS
@given(doc=documents(later_conversations_schema))
def test_later_conversation_shapes(doc):
    if expected_error(doc, "list"):
        return
    for conversation, raw in zip(Page.from_json(doc, Conversation.from_json).items, doc["data"]):
        closed = raw.get("closed")
        assert conversation.closed is (closed is True or isinstance(closed, str))
        assert conversation.closed_at == (as_datetime(closed) if isinstance(closed, str) else None)


def later_contacts_schema() -> dict[str, Any]:
    node = schema("ContactsResponse")
    node = extend(node, "number", {"verified": {"type": "boolean"}, "valid": {"type": "boolean"}, "lineType": STRING})
    lists = {"type": "array", "items": {"type": "object", "properties": {"id": STRING, "name": STRING}}}
    blocked = {"oneOf": [DATE_TIME, {"type": "boolean"}, {"type": "null"}]}
    return extend(node, "email", {"lists": lists, "optIn": DATE_TIME, "blocked": blocked})


@PROPERTY_SETTINGS
@given(doc=documents(later_contacts_schema))
def test_later_contact_shapes(doc):
    if expected_error(doc, "list"):
        return
    for contact, raw in zip(Page.from_json(doc, Contact.from_json).items, doc["data"]):
        mobile = raw.get("mobile")
        if isinstance(mobile, dict):
            assert contact.mobile.line_type == mobile.get("lineType")
            assert contact.mobile.verified == mobile.get("verified")
        assert [item.id for item in contact.lists] == [item.get("id") for item in raw.get("lists", [])]
        assert contact.opted_in_at == (as_datetime(raw["optIn"]) if "optIn" in raw else None)
        blocked = raw.get("blocked")
        assert contact.blocked is (blocked is True or isinstance(blocked, str))


def later_send_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "success": {"type": "boolean"},
            "data": {
                "type": "object",
                "properties": {
                    "messages": {"type": "array", "items": schema("Message")},
                    "jobId": STRING,
                    "requested": {"type": "integer"},
                    "valid": {"type": "integer"},
                    "invalid": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": STRING,
                                "error": {"type": "object", "properties": {"code": STRING, "description": STRING}},
                            },
                        },
                    },
                },
            },
        },
    }


@PROPERTY_SETTINGS
@given(doc=documents(later_send_schema))
def test_later_send_result_shape(doc):
    if expected_error(doc, "object"):
        return
    result = SendResult.from_json(data_object(doc))
    data = doc["data"]
    assert (result.requested, result.valid) == (data.get("requested"), data.get("valid"))
    assert (result.queued, result.estimated_price) == (None, None)
    assert [f.code for f in result.invalid] == [i.get("error", {}).get("code") for i in data.get("invalid", [])]
    assert len(result.failures) >= len(result.invalid)


@pytest.mark.parametrize("source", ["SendMessagesResponse", later_send_schema], ids=["1.0.1", "later"])
@PROPERTY_SETTINGS
@given(data=st.data())
def test_send_summary_reads_what_the_full_parse_reads(source, data):
    doc = data.draw(documents(source))
    raw = json.dumps(doc).encode()
    error = expected_error(doc, "object")
    if error is not None:
        with pytest.raises(error):
            read_send_summary(raw)
        return
    full = SendResult.from_json(data_object(doc))
    summary = read_send_summary(raw)
    assert summary == full.summary() == SendSummary.from_json(data_object(doc))
    assert (summary.queued, summary.valid, summary.failures) == (full.queued, full.valid, full.failures)


LATER_WEBHOOK = {
    "type": "object",
    "properties": {
        "success": {"type": "boolean"},
        "data": {
            "type": "object",
            "properties": {
                "id": STRING,
                "type": STRING,
                "destination": STRING,
                "eventTypes": {"type": "array", "items": {"enum": [
                    "message-received", "conversation-started", "contact-opt-out", "contact-opt-in",
                    "list-opt-out", "list-opt-in"]}},
            },
        },
    },
}  # fmt: skip


@PROPERTY_SETTINGS
@given(doc=documents(LATER_WEBHOOK))
def test_later_webhook_shape(doc):
    if expected_error(doc, "object"):
        return
    webhook = Webhook.from_json(data_object(doc))
    data = doc["data"]
    assert webhook.url == data.get("destination")
    assert webhook.event_types == tuple(data.get("eventTypes", ()))


@PROPERTY_SETTINGS
@given(
    lifetime=st.integers(1, 10**6),
    use_expires_in=st.booleans(),
    token_type=st.sampled_from(["bearer", "Bearer", "BEARER"]),
)
def test_later_token_shape(lifetime, use_expires_in, token_type):
    doc = {"access_token": jwt({"exp": NOW + lifetime, "sub": "acc"}), "token_type": token_type}
    if use_expires_in:
        doc["expires_in"] = lifetime
    token = parse_token_response(doc, NOW)
    assert token.expires_at == datetime.fromtimestamp(NOW + lifetime, UTC)
    assert token.is_fresh(NOW) and not token.is_fresh(NOW + lifetime)


# --- to_json: models written back as the API's JSON read in unchanged ---------------------


def round_trip(model: Any) -> dict[str, Any]:
    """Write ``model``, pass it through ``json`` as the local store does, read it again and
    check nothing changed; returns the document written."""
    document = json.loads(json.dumps(model.to_json()))
    again = type(model).from_json(document)
    assert again == model
    assert again.to_json() == document  # and writing is stable
    return document


# model, documents of which to take the ``data`` objects (a schema name or later shape)
ROUND_TRIPS = {
    "Conversation": (Conversation, "ConversationsResponse"),
    "Conversation-later": (Conversation, later_conversations_schema),
    "Message": (Message, "MessagesResponse"),
    "Message-later": (Message, later_messages_schema),
    "Contact": (Contact, "ContactsResponse"),
    "Contact-later": (Contact, later_contacts_schema),
    "Template": (Template, "TemplatesResponse"),
    "Campaign": (Campaign, "CampaignsResponse"),
    "Webhook": (Webhook, "WebhooksResponse"),
    "Webhook-later": (Webhook, lambda: LATER_WEBHOOK),
    "SendResult": (SendResult, "SendMessagesResponse"),
    "SendResult-later": (SendResult, later_send_schema),
    "SendSummary": (SendSummary, "SendMessagesResponse"),
    "SendSummary-later": (SendSummary, later_send_schema),
    "ContactUpload": (ContactUpload, "ContactUploadResponse"),
    "SharedFile": (SharedFile, "ShareFileResponse"),
}


@functools.cache
def round_trip_documents(key: str) -> st.SearchStrategy[Any]:
    source = ROUND_TRIPS[key][1]
    return documents(source if isinstance(source, str) else source(), complete=True)


@pytest.mark.parametrize("key", sorted(ROUND_TRIPS))
@PROPERTY_SETTINGS
@given(data=st.data())
def test_schema_valid_objects_round_trip_through_to_json(key, data):
    model = ROUND_TRIPS[key][0]
    body = data.draw(round_trip_documents(key)).get("data")
    for raw in body if isinstance(body, list) else [body]:
        if isinstance(raw, dict):
            round_trip(model.from_json(raw))


def test_every_model_that_reads_json_writes_it():
    readers = [obj for obj in vars(models).values() if dataclasses.is_dataclass(obj) and hasattr(obj, "from_json")]
    assert len(readers) >= 18
    assert [m.__name__ for m in readers if not hasattr(m, "to_json")] == []
    assert not hasattr(Token, "to_json")  # the access token is never written out


def test_message_with_media_and_error_round_trips():
    raw = {
        "id": "m1", "message": "Hi Ann", "outgoing": True, "status": "DELIVERED",
        "contact": {"id": "c1", "firstName": "Ann", "mobile": {"number": "+14155550123", "country": "US"}},
        "conversation": {"id": "cv1"}, "phoneNumber": "+14155550100", "price": 0.0079, "segments": 2,
        "media": [{"filename": "a.png", "type": "image/png", "url": "https://x.test/a.png", "size": 10}],
        "error": {"code": "MSG-1", "message": "Carrier rejected"},
        "created": {"at": "2024-05-01T10:00:00Z", "by": {"id": "u1", "firstName": "Bo"}},
        "sendAt": "2024-05-01T12:00:00.123456+02:00", "channel": "sms",
    }  # fmt: skip
    doc = round_trip(Message.from_json(raw))
    assert doc["status"] == "DELIVERED"  # the server's text, as sent
    assert doc["media"] == [{"filename": "a.png", "type": "image/png", "url": "https://x.test/a.png", "size": 10}]
    assert doc["error"] == {"code": "MSG-1", "description": "Carrier rejected"}
    assert doc["created"] == {"at": "2024-05-01T10:00:00.000Z", "by": {"id": "u1", "firstName": "Bo"}}
    assert doc["sendAt"] == "2024-05-01T12:00:00.123456+02:00"
    assert (doc["conversation"], doc["segments"], doc["channel"]) == ({"id": "cv1"}, 2, "sms")
    assert "read" not in doc and "template" not in doc  # None is left out


@pytest.mark.parametrize(
    "closed, written",
    [("2024-05-01T12:00:00.250+02:00", "2024-05-01T12:00:00.250+02:00"),
     ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00.000Z"), (True, True), (False, False), (None, False)],
)  # fmt: skip
def test_conversation_closed_written_as_date_time_or_boolean(closed, written):
    raw = {"id": "cv1", "closed": closed, "lastMessage": {"id": "m1", "status": "Received"}, "unread": ["m1"]}
    doc = round_trip(Conversation.from_json(raw))
    assert doc["closed"] == written
    assert doc["lastMessage"]["status"] == "Received" and doc["unread"] == ["m1"]


@pytest.mark.parametrize(
    "blocked, written",
    [("2024-03-01T08:00:00+00:00", "2024-03-01T08:00:00.000Z"), (1709280000, "2024-03-01T08:00:00.000Z"),
     (True, True), ("true", True), (False, None), (None, None)],
)  # fmt: skip
def test_contact_blocked_written_as_date_time_or_true(blocked, written):
    raw = {"id": "c1", "blocked": blocked, "tags": ["vip"], "lists": ["l1"], "attributes": {"a": [1]}}
    doc = round_trip(Contact.from_json(raw))
    assert doc.get("blocked") == written
    assert (doc["tags"], doc["lists"], doc["attributes"]) == ([{"tag": "vip"}], [{"id": "l1"}], {"a": [1]})


def test_send_result_failures_round_trip_from_every_shape():
    data = {
        "jobId": "job-2", "requested": 3, "valid": 0,
        "invalid": [
            {"id": "c2", "mobile": "+1", "error": {"code": "CONT-001", "description": "Invalid mobile number"}},
            {"contact": {"id": "c3"}, "error": {"code": "CONT-010"}, "note": "dropped"},
            {"code": "MSG-003", "message": "No route"},
        ],
    }  # fmt: skip
    result = SendResult.from_json(data)
    doc = round_trip(result)
    assert doc["invalid"][1] == {"contact": {"id": "c3"}, "error": {"code": "CONT-010"}}
    assert [str(f) for f in SendResult.from_json(doc).failures] == [str(f) for f in result.failures]
    assert RecipientFailure(contact=Contact(id="c4")).to_json() == {"contact": {"id": "c4"}}


def test_status_written_from_text_or_enum():
    assert Message(status=MessageStatus.SENT).to_json()["status"] == "Sent"
    assert "status" not in Message().to_json()
    assert Message.from_json({"status": "Scheduled"}).to_json()["status"] == "Scheduled"
    read = Message.from_json({"status": "queued"})
    assert dataclasses.replace(read, status=MessageStatus.DELIVERED).to_json()["status"] == "Delivered"


@pytest.mark.parametrize(
    "when, text",
    [(datetime(2024, 5, 1, 10, tzinfo=UTC), "2024-05-01T10:00:00.000Z"),
     (datetime(2024, 5, 1, 10, 0, 0, 250000, tzinfo=UTC), "2024-05-01T10:00:00.250Z"),
     (datetime(2024, 5, 1, 10, 0, 0, 250001, tzinfo=UTC), "2024-05-01T10:00:00.250001Z"),
     (datetime(2024, 5, 1, 10), "2024-05-01T10:00:00.000Z"),
     (datetime(2024, 5, 1, 15, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))), "2024-05-01T15:30:00.000+05:30")],
)  # fmt: skip
def test_datetime_text(when, text):
    assert datetime_text(when) == text
    assert as_datetime(text) == (when if when.tzinfo else when.replace(tzinfo=UTC))


def test_to_json_is_a_fresh_plain_copy():
    campaign = Campaign.from_json({"id": "k1", "trigger": {"code": "M"}, "stats": {"sent": [3]}})
    doc = campaign.to_json()
    doc["trigger"]["code"] = "changed"
    doc["stats"]["sent"].append(4)
    assert campaign.trigger["code"] == "M" and campaign.extra["stats"] == {"sent": [3]}


# The same envelope rules, with documents from hypothesis-jsonschema: a second, independent
# generator over the spec's schemas, so a blind spot of the one above does not hide a bug.
@pytest.mark.parametrize("name", sorted(RESPONSES))
@settings(PROPERTY_SETTINGS, max_examples=25)
@given(data=st.data())
def test_hypothesis_jsonschema_documents_parse_or_fail_as_decided(name, data):
    from hypothesis_jsonschema import from_schema as jsonschema_documents

    check_parse(name, data.draw(jsonschema_documents(schema(name))))
