"""SVG snapshots of the Templates and Campaigns screens, their detail and their forms.

Same set-up as test_snapshots.py: the seeded sandbox, the clock frozen, local time UTC.
Update with ``pytest tests/test_snapshots_templates_campaigns.py --snapshot-update`` and
review the SVGs before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import QUIET, make_app, make_sandbox, still_cursors, wait_for
from test_snapshots import inbox_loaded

from sakari_tui.screens.campaign_form import CampaignForm
from sakari_tui.screens.campaign_run import CampaignRunScreen
from sakari_tui.screens.catalog import CatalogScreen
from sakari_tui.screens.contact_picker import ContactPicker
from sakari_tui.screens.template_form import TemplateForm
from sakari_tui.textual_private import notifications

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


pytestmark = pytest.mark.usefixtures("frozen_time")


async def catalog(pilot, key: str, highlight: str | None = None) -> CatalogScreen:
    await inbox_loaded(pilot)
    await pilot.press(key)
    screen = pilot.app.screen
    assert isinstance(screen, CatalogScreen)
    await wait_for(pilot, lambda: screen.loaded and screen.items, what="the list")
    if highlight is not None:
        row = next(i for i, item in enumerate(screen.items) if item.name == highlight)
        screen.table.move_cursor(row=row)
    still_cursors(pilot.app)
    await pilot.pause()
    return screen


async def settle(pilot) -> None:
    still_cursors(pilot.app)
    await pilot.pause()
    assert not notifications(pilot.app), [n.message for n in notifications(pilot.app)]


def app_for(tmp_path: Path):
    return make_app(tmp_path / "data", make_sandbox(), **QUIET)


@SIZES
def test_templates_list(snap_compare, tmp_path: Path, size) -> None:
    async def shown(pilot) -> None:
        await catalog(pilot, "4")
        await settle(pilot)

    assert snap_compare(app_for(tmp_path), terminal_size=size, run_before=shown)


@SIZES
def test_template_detail_previewed_for_a_contact(snap_compare, tmp_path: Path, size) -> None:
    async def shown(pilot) -> None:
        screen = await catalog(pilot, "4", highlight="Subscription paused")
        await pilot.press("p")
        picker = pilot.app.screen
        assert isinstance(picker, ContactPicker)
        picker.query_one("#contact-search").value = "Lucas"
        await wait_for(pilot, lambda: picker.query_one("#contact-options").option_count == 1, what="Lucas")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.preview_contact is not None, what="the preview contact")
        await settle(pilot)

    assert snap_compare(app_for(tmp_path), terminal_size=size, run_before=shown)


@SIZES
def test_template_form(snap_compare, tmp_path: Path, size) -> None:
    async def shown(pilot) -> None:
        await catalog(pilot, "4", highlight="Order ready")
        await pilot.press("e")
        assert isinstance(pilot.app.screen, TemplateForm)
        await settle(pilot)

    assert snap_compare(app_for(tmp_path), terminal_size=size, run_before=shown)


@SIZES
def test_campaigns_list(snap_compare, tmp_path: Path, size) -> None:
    async def shown(pilot) -> None:
        await catalog(pilot, "3")
        await settle(pilot)

    assert snap_compare(app_for(tmp_path), terminal_size=size, run_before=shown)


@SIZES
def test_campaign_detail_with_attribute_rules(snap_compare, tmp_path: Path, size) -> None:
    async def shown(pilot) -> None:
        await catalog(pilot, "3", highlight="Subscription check-in")
        await settle(pilot)

    assert snap_compare(app_for(tmp_path), terminal_size=size, run_before=shown)


@SIZES
def test_campaign_form(snap_compare, tmp_path: Path, size) -> None:
    async def shown(pilot) -> None:
        await catalog(pilot, "3", highlight="Subscription check-in")
        await pilot.press("e")
        form = pilot.app.screen
        assert isinstance(form, CampaignForm)
        await wait_for(pilot, lambda: form.known_tags is not None, what="the tags in use")
        await settle(pilot)

    assert snap_compare(app_for(tmp_path), terminal_size=size, run_before=shown)


def test_campaign_run_preview(snap_compare, tmp_path: Path) -> None:
    async def shown(pilot) -> None:
        await catalog(pilot, "3", highlight="Weekend special")
        await pilot.press("r")
        run = pilot.app.screen
        assert isinstance(run, CampaignRunScreen)
        await wait_for(pilot, lambda: run.audience is not None, what="the recipients")
        await settle(pilot)

    assert snap_compare(app_for(tmp_path), terminal_size=(80, 24), run_before=shown)
