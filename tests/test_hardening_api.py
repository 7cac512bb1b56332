"""The client against answers the live API (or what stands in front of it) can give and the
sandbox never does, served over real HTTP by a hostile server on 127.0.0.1 (``hostile.py``):
error bodies of other shapes, cut-off token answers, JSON nested thousands deep, badly shaped
201/204 answers, a single contact for contacts.create, a server clock far from ours.
"""

from __future__ import annotations

import base64
import json
import time
from email.utils import formatdate
from typing import Any

import pytest
from hostile import SECRET, TOKEN, Hostile, Reply, nested, reply

from sakari_tui.api import ApiError, AuthError, BadResponse, Conversation, SakariClient
from sakari_tui.api.redaction import Secret

ACCOUNT = "acct"
CONTACTS = f"/v1/accounts/{ACCOUNT}/contacts"
TEMPLATES = f"/v1/accounts/{ACCOUNT}/templates"
CONVERSATIONS = f"/v1/accounts/{ACCOUNT}/conversations"
TOKEN_PATH = "/oauth2/token"
PAGE = {"success": True, "data": [], "pagination": {"offset": 0, "limit": 10, "totalCount": 0}}


def client(server: Hostile, secret: str = SECRET) -> SakariClient:
    from sakari_tui.api import RetryPolicy

    return SakariClient(api_url=server.url, client_id="cid", client_secret=Secret(secret), account_id=ACCOUNT,
                        retry=RetryPolicy(max_attempts=1))  # fmt: skip


def jwt(claims: dict[str, Any]) -> str:
    def part(obj: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256'})}.{part(claims)}.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


# -- 2: never quote a token answer; redact, then cut ------------------------------------------


async def test_a_cut_off_token_answer_is_a_bad_response_that_does_not_quote_the_token() -> None:
    whole = json.dumps({"access_token": TOKEN, "token_type": "bearer", "expires_in": 3600})
    with Hostile() as server:
        server.route("POST", TOKEN_PATH, lambda r: reply(200, whole[: whole.index(TOKEN) + 20]))
        async with client(server) as api:
            with pytest.raises(BadResponse) as caught:
                await api.contacts.fetch_all()
    error = caught.value
    assert error.status == 200 and "expected JSON" in str(error)
    shown = f"{error} {error!r} {error.args}"
    assert TOKEN[:20] not in shown and "access_token" not in shown


async def test_the_api_consoles_capture_of_a_cut_off_token_answer_does_not_show_it() -> None:
    whole = json.dumps({"access_token": TOKEN, "token_type": "bearer"})
    with Hostile() as server:
        server.route("POST", TOKEN_PATH, lambda r: reply(200, whole[:-3]))
        async with client(server) as api:
            with api.capture() as captured, pytest.raises(BadResponse):
                await api.authentication.auth_token()
    exchange = captured.last
    assert exchange is not None and exchange.status == 200 and exchange.body is None
    assert TOKEN[:8] not in (exchange.text or "") and "not shown" in (exchange.text or "")


async def test_a_secret_crossing_the_excerpt_cut_is_masked_whole() -> None:
    # The server echoes the client secret (and the token) in an HTML error page, so that the
    # secret straddles the 160th character, where the excerpt is cut.
    page = ("<html>" + "x" * 150 + SECRET + " and " + TOKEN + "</html>").encode()
    with Hostile() as server:
        server.route("GET", CONTACTS, lambda r: Reply(502, page, {"Content-Type": "text/html"}))
        async with client(server) as api:
            with pytest.raises(BadResponse) as caught:
                await api.contacts.fetch_all()
    shown = f"{caught.value} {caught.value!r}"
    assert caught.value.status == 502 and "xxxxx" in shown
    assert SECRET[:6] not in shown and TOKEN[:6] not in shown


async def test_an_error_message_that_echoes_the_secret_past_the_cut_is_masked_first() -> None:
    message = "y" * 497 + SECRET  # the reason is cut at 500 characters
    with Hostile() as server:
        server.route("GET", CONTACTS, lambda r: reply(400, {"message": message}))
        async with client(server) as api:
            with pytest.raises(ApiError) as caught:
                await api.contacts.fetch_all()
    assert "yyy" in str(caught.value) and SECRET[:3] not in str(caught.value).replace("y", "")


# -- 5: every error shape keeps the server's reason ---------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (400, {"success": False, "error": {"code": "CONT-001", "message": "Invalid mobile number"}},
         "CONT-001: Invalid mobile number"),
        (400, {"message": "Mobile number is required"}, "Mobile number is required"),
        (422, {"errors": [{"code": "E1", "message": "mobile is invalid"}, {"message": "email is invalid"}]},
         "E1: mobile is invalid; email is invalid"),
        (400, {"statusCode": 400, "error": "Bad Request", "message": "limit must be <= 100"},
         "Bad Request: limit must be <= 100"),
        (403, {"error": "invalid_scope", "error_description": "no access to this account"},
         "invalid_scope: no access to this account"),
        (400, {"title": "Bad Request", "detail": "offset is negative"}, "Bad Request: offset is negative"),
        (400, {"errors": {"mobile": ["is required"], "email": "is invalid"}}, "mobile: is required; email: is invalid"),
        (200, {"success": False}, "the server said success: false and gave no reason"),
        (500, ["something", "odd"], '["something", "odd"]'),
    ],
)  # fmt: skip
async def test_error_bodies_of_any_shape_say_what_the_server_said(status: int, body: Any, expected: str) -> None:
    with Hostile() as server:
        server.route("GET", CONTACTS, lambda r: reply(status, body))
        async with client(server) as api:
            with pytest.raises(ApiError) as caught:
                await api.contacts.fetch_all()
    assert caught.value.status == status
    assert str(caught.value) == expected
    assert "HTTP" not in str(caught.value)


async def test_an_empty_error_body_still_names_the_status() -> None:
    with Hostile() as server:
        server.route("GET", CONTACTS, lambda r: reply(400))
        async with client(server) as api:
            with pytest.raises(ApiError, match=r"^HTTP 400$"):
                await api.contacts.fetch_all()


# -- 6: closed is any present, non-null, non-false value -----------------------------------------


@pytest.mark.parametrize(
    "value",
    [True, "true", "2026-01-02T10:00:00Z", "2026-01-02 10:00:00", "Fri, 02 Jan 2026 10:00:00 GMT",
     "02/01/2026", 1767348000, 1767348000000, {"at": "2026-01-02T10:00:00Z"}, "yes", 1],
)  # fmt: skip
async def test_a_conversation_with_closed_set_in_any_format_is_closed(value: Any) -> None:
    body = {"success": True, "data": [{"id": "c1", "closed": value}], "pagination": {"totalCount": 1}}
    with Hostile() as server:
        server.route("GET", CONVERSATIONS, lambda r: reply(200, body))
        async with client(server) as api:
            page = await api.conversations.fetch_all()
    assert page.items[0].closed is True


@pytest.mark.parametrize("value", [None, False, "false", "absent"])
def test_a_conversation_without_closed_or_with_false_is_open(value: Any) -> None:
    data = {"id": "c1"} if value == "absent" else {"id": "c1", "closed": value}
    conversation = Conversation.from_json(data)
    assert conversation.closed is False and conversation.closed_at is None


# -- 7: contacts.create answered with one contact ------------------------------------------------


async def test_contacts_create_answered_with_a_single_contact_returns_it() -> None:
    one = {"id": "ct-9", "firstName": "Ann", "mobile": {"number": "+14155550100"},
           "created": {"at": "2026-01-02T10:00:00Z"}, "updated": {"at": "2026-01-02T10:00:00Z"}}  # fmt: skip
    with Hostile() as server:
        server.route("POST", CONTACTS, lambda r: reply(201, {"success": True, "data": one}))
        async with client(server) as api:
            created = await api.contacts.create({"firstName": "Ann", "mobile": {"number": "+14155550100"}})
    assert isinstance(created, list) and [c.id for c in created] == ["ct-9"]
    assert created[0].first_name == "Ann"


async def test_contacts_create_still_reads_an_upload_summary() -> None:
    summary = {"success": True, "data": {"submitted": 2, "inserted": 1, "updated": 1, "errors": []}}
    with Hostile() as server:
        server.route("POST", CONTACTS, lambda r: reply(200, summary))
        async with client(server) as api:
            answer = await api.contacts.create(csv="mobile\n+14155550100\n+14155550101\n")
    assert not isinstance(answer, list) and (answer.submitted, answer.inserted, answer.updated) == (2, 1, 1)


# -- 8: a JWT whose exp is past by our clock -------------------------------------------------------


async def test_a_token_expired_by_the_local_clock_is_timed_by_the_servers_date_header() -> None:
    # The server's clock is two hours behind ours: its one-hour token "expired" an hour ago
    # here. Its Date header says how far behind it is.
    server_now = time.time() - 7200
    token = jwt({"exp": server_now + 3600, "sub": "cid"})
    date = formatdate(server_now, usegmt=True)
    with Hostile() as server:
        server.route("POST", TOKEN_PATH, lambda r: reply(200, {"access_token": token, "token_type": "bearer"},
                                                           headers={"Date": date}))  # fmt: skip
        server.route("GET", CONTACTS, lambda r: reply(200, PAGE))
        async with client(server) as api:
            for _ in range(4):
                await api.contacts.fetch_all()
            cached = api._auth.cached
    assert server.hits("POST", TOKEN_PATH) == 1
    assert server.hits("GET", CONTACTS) == 4
    assert cached is not None
    left = cached.expires_at.timestamp() - time.time()
    assert 3500 < left <= 3601  # an hour from now on our clock (the Date header counts whole seconds)


async def test_without_a_date_header_the_tokens_iat_gives_the_servers_clock() -> None:
    server_now = time.time() - 7200
    token = jwt({"iat": server_now, "exp": server_now + 900})
    with Hostile() as server:
        server.route("POST", TOKEN_PATH, lambda r: reply(200, {"access_token": token, "token_type": "bearer"},
                                                           headers={"Date": ""}))  # fmt: skip
        server.route("GET", CONTACTS, lambda r: reply(200, PAGE))
        async with client(server) as api:
            for _ in range(3):
                await api.contacts.fetch_all()
            cached = api._auth.cached
    assert server.hits("POST", TOKEN_PATH) == 1
    assert cached is not None and 800 < cached.expires_at.timestamp() - time.time() <= 900


async def test_expires_in_is_trusted_over_an_exp_in_the_past() -> None:
    token = jwt({"exp": time.time() - 5000})
    body = {"access_token": token, "token_type": "bearer", "expires_in": 600}
    with Hostile() as server:
        server.route("POST", TOKEN_PATH, lambda r: reply(200, body))
        server.route("GET", CONTACTS, lambda r: reply(200, PAGE))
        async with client(server) as api:
            for _ in range(3):
                await api.contacts.fetch_all()
    assert server.hits("POST", TOKEN_PATH) == 1


async def test_a_token_that_the_server_refuses_is_still_replaced() -> None:
    # Kept for its lifetime, but a 401 still brings a new one at once.
    tokens = iter([jwt({"exp": time.time() - 5000, "n": 1}), jwt({"exp": time.time() + 3600, "n": 2})])
    given: list[str] = []

    def issue(request: Any) -> Reply:
        given.append(next(tokens))
        return reply(200, {"access_token": given[-1], "token_type": "bearer"})

    def contacts(request: Any) -> Reply:
        ok = request.headers.get("authorization") == f"Bearer {given[-1]}" and len(given) == 2
        return reply(200, PAGE) if ok else reply(401, {"error": {"code": "AUTH-002", "message": "expired"}})

    with Hostile() as server:
        server.route("POST", TOKEN_PATH, issue)
        server.route("GET", CONTACTS, contacts)
        async with client(server) as api:
            await api.contacts.fetch_all()
            await api.contacts.fetch_all()
    assert server.hits("POST", TOKEN_PATH) == 2 and server.hits("GET", CONTACTS) == 3


# -- 9: JSON nested thousands deep ---------------------------------------------------------------


@pytest.mark.parametrize("depth", [100, 100_000])
@pytest.mark.parametrize("status", [200, 400, 503])
async def test_json_nested_thousands_deep_is_a_bad_response(status: int, depth: int) -> None:
    # 100,000 deep breaks the decoder; 100 decodes, but is far past any answer of the API and
    # would break what walks it later (the cache's json.dumps, the console's rendering).
    with Hostile() as server:
        server.route("GET", CONTACTS, lambda r: reply(status, nested(depth)))
        async with client(server) as api:
            with pytest.raises(BadResponse) as caught:
                await api.contacts.fetch_all()
    assert caught.value.status == status and "nested too deeply" in str(caught.value)


async def test_a_deeply_nested_token_answer_is_a_bad_response() -> None:
    with Hostile() as server:
        server.route("POST", TOKEN_PATH, lambda r: reply(200, nested(50_000)))
        async with client(server) as api:
            with pytest.raises(BadResponse):
                await api.contacts.fetch_all()


async def test_the_api_consoles_capture_of_deep_json_does_not_raise() -> None:
    with Hostile() as server:
        server.route("GET", CONTACTS, lambda r: reply(200, nested(100_000)))
        async with client(server) as api:
            with api.capture() as captured, pytest.raises(BadResponse):
                await api.contacts.fetch_all()
    assert captured.last is not None and captured.last.status == 200 and "too deeply" in (captured.last.text or "")


# -- 10: BadResponse reports the real status -----------------------------------------------------


async def test_a_badly_shaped_201_is_reported_as_201() -> None:
    with Hostile() as server:
        server.route("POST", TEMPLATES, lambda r: reply(201, {"success": True, "data": "created"}))
        async with client(server) as api:
            with pytest.raises(BadResponse) as caught:
                await api.templates.create(name="x", template="Hello")
    assert caught.value.status == 201 and "(HTTP 201)" in str(caught.value)


async def test_a_created_template_missing_from_a_201_is_reported_as_201() -> None:
    with Hostile() as server:
        server.route("POST", TEMPLATES, lambda r: reply(201, {"success": True, "data": []}))
        async with client(server) as api:
            with pytest.raises(BadResponse) as caught:
                await api.templates.create(name="x", template="Hello")
    assert caught.value.status == 201 and "missing" in str(caught.value)


async def test_a_token_answer_without_a_token_reports_its_status() -> None:
    with Hostile() as server:
        server.route("POST", TOKEN_PATH, lambda r: reply(201, {"token_type": "bearer"}))
        async with client(server) as api:
            with pytest.raises(BadResponse) as caught:
                await api.contacts.fetch_all()
    assert caught.value.status == 201 and "no access_token" in str(caught.value)


async def test_a_204_without_a_body_where_one_is_needed_is_reported_as_204() -> None:
    with Hostile() as server:
        server.route("PUT", f"{CONVERSATIONS}/c1/close", lambda r: Reply(204))
        async with client(server) as api:
            with pytest.raises(BadResponse) as caught:
                await api.conversations.close("c1")
    assert caught.value.status == 204


async def test_token_refusals_keep_their_reason() -> None:
    with Hostile() as server:
        server.route("POST", TOKEN_PATH, lambda r: reply(401, {"message": "client is disabled"}))
        async with client(server) as api:
            with pytest.raises(AuthError, match="client is disabled"):
                await api.contacts.fetch_all()
