"""Read paths of the shared kernel: staff API keys, scoped to the Actor."""

from __future__ import annotations

from django.db.models import QuerySet

from meridian.core.actor import Actor, StaffRole
from meridian.core.errors import ApiKeyNotFound, NotAllowed
from meridian.core.models import ApiToken


def list_api_keys(*, actor: Actor) -> QuerySet[ApiToken]:
    """API keys in scope, newest first: an admin sees the organization's, other staff their own.

    Raises NotAllowed for buyers (API keys are for the seller's integrations).
    """
    if not actor.is_staff or actor.organization_id is None or actor.user_id is None:
        raise NotAllowed("use API keys")
    keys = ApiToken.objects.filter(kind=ApiToken.Kind.API_KEY, organization_id=actor.organization_id)
    if actor.staff_role != StaffRole.ADMIN:
        keys = keys.filter(user_id=actor.user_id)
    return keys.select_related("user").order_by("-created_at", "-pk")


def get_api_key(*, actor: Actor, key_id: int) -> ApiToken:
    """One API key in the actor's scope; another organization's raises ApiKeyNotFound."""
    key = list_api_keys(actor=actor).filter(pk=key_id).first()
    if key is None:
        raise ApiKeyNotFound(key_id)
    return key
