"""One class per group of operations, named as the API names them (``contacts.fetchAll``
is ``client.contacts.fetch_all``)."""

from .authentication import Authentication
from .base import Api
from .campaigns import Campaigns
from .contacts import Contacts
from .conversations import Conversations
from .messages import Messages
from .templates import Templates
from .tools import Tools
from .webhooks import Webhooks

__all__ = [
    "Api", "Authentication", "Campaigns", "Contacts", "Conversations", "Messages",
    "Templates", "Tools", "Webhooks",
]  # fmt: skip
