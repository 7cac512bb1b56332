"""Campaigns: bulk messages to filtered contacts."""

from __future__ import annotations

from rich.text import Text

from sakari_tui.api import Campaign
from sakari_tui.core.text import one_line
from sakari_tui.screens.lists import PAGE, ListScreen


class CampaignsScreen(ListScreen):
    title_text = "Campaigns"
    columns = (("Name", 28), ("Trigger", 12), ("Template", None))

    TRIGGERS = {"M": "Manual", "S": "Scheduled", "FU": "File upload"}

    def fetch(self):
        return self.app.client.campaigns.fetch_all(limit=PAGE)

    def cells(self, campaign: Campaign) -> tuple[Text, ...]:
        trigger = campaign.trigger.get("code")
        return (
            Text(one_line(campaign.name or "")),
            Text(self.TRIGGERS.get(str(trigger), str(trigger or ""))),
            Text(one_line(campaign.template or "")),
        )
