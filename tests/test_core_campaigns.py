"""Campaign filters as the client reads and evaluates them, brace checks, and the detail of unknown fields."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from sakari_tui.api import Campaign, Contact
from sakari_tui.core.campaigns import AttributeRule, CampaignFilters, campaign_fields
from sakari_tui.core.template_library import brace_problems
from sakari_tui.screens.campaigns import campaign_table


def contact(**attributes) -> Contact:
    tags = attributes.pop("tags", [])
    return Contact.from_json({"id": "c1", "attributes": attributes, "tags": [{"tag": t} for t in tags]})


@pytest.mark.parametrize(
    ("rule", "have", "matches"),
    [
        (AttributeRule("orders", ">=", "3"), "10", True),  # numbers compare as numbers, not text
        (AttributeRule("orders", "<", "3"), "10", False),
        (AttributeRule("plan", "=", "weekly BREAD"), "Weekly bread", True),  # text ignores case
        (AttributeRule("plan", "!=", "Weekly bread"), "Pastry box", True),
        (AttributeRule("since", "<=", "2025-01-01"), "2024-12-31", True),
        (AttributeRule("missing", "=", "x"), None, False),  # without the attribute only != matches
        (AttributeRule("missing", "!=", "x"), None, True),
    ],
)
def test_attribute_rules(rule: AttributeRule, have: str | None, matches: bool) -> None:
    # "PLAN" for the plan rules: attribute names match whatever their case.
    attributes = {} if have is None else {rule.name.upper() if rule.name == "plan" else rule.name: have}
    assert rule.matches(contact(**attributes)) is matches


def test_filters_read_leniently_and_select_by_any_tag_and_every_rule() -> None:
    filters = CampaignFilters.from_json(
        {
            "tags": ["VIP", " ", "trial"],
            "contacts": ["a"],
            "attributes": [{"name": "city", "comparator": "!=", "value": "Denver"}, "orders>=3", 7],
        }
    )
    assert filters.tags == ("VIP", "trial") and filters.contacts == ("a",)
    assert filters.attributes == (AttributeRule("city", "!=", "Denver"), AttributeRule("orders", ">=", "3"))
    assert filters.not_understood == ("7",)
    assert filters.matches(contact(tags=["vip"], city="Austin", orders=5))
    assert not filters.matches(contact(tags=["vip"], city="denver", orders=5))
    assert not filters.matches(contact(tags=["vipx"], city="Austin", orders=5))
    assert filters.send_filters() == {"tags": ["VIP", "trial"], "attributes": [
        {"name": "city", "comparator": "!=", "value": "Denver"}, {"name": "orders", "comparator": ">=", "value": "3"}
    ]}  # fmt: skip
    assert CampaignFilters(contacts=("a",)).send_filters() is None
    with pytest.raises(ValueError):
        campaign_fields(name="x", template="", trigger="X", filters=filters)


def test_brace_problems_say_where() -> None:
    problems = brace_problems("Hi {{{firstName}}},\nyour {{plan} is ready")
    assert [(p.line, p.column) for p in problems] == [(2, 6)]
    assert "your {{plan} is" in str(problems[0])
    assert brace_problems("Hi {{{a}}} {{ b }} {single}") == []


def test_campaign_detail_shows_what_the_model_does_not_know_as_text() -> None:
    campaign = Campaign.from_json(
        {
            "id": "k1",
            "name": "x",
            "trigger": {"code": "S", "cron": "0 9 * * 1"},
            "filters": {"tags": ["[bold]vip[/]"], "lists": ["L1"]},
            "status": "active",
            "created": {"at": "2026-01-02T03:04:00Z"},
            "stats": {"sent": 12},
        }
    )
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(campaign_table(campaign))
    text = console.export_text()
    assert "Scheduled (S) · cron: 0 9 * * 1" in text
    assert "[bold]vip[/]" in text  # untrusted text shown, never read as markup
    assert "filters.lists" in text and '["L1"]' in text
    assert "Status" in text and "active" in text
    assert '{"sent": 12}' in text
