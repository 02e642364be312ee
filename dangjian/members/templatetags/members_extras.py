"""Template helpers of the member pages."""

from typing import Any

from django import template

from dangjian.core.scoping import covers_path
from dangjian.members.models import Transfer

register = template.Library()


@register.simple_tag(takes_context=True)
def can_accept_transfer(context: Any, transfer: Transfer) -> bool:
    """The receiver accepts a transfer inside the system; the sender records the receipt
    of one going outside."""
    user = context["request"].user
    side = transfer.to_org if transfer.to_org_id else transfer.from_org
    return covers_path(user, side.path if side else None)
