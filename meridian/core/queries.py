"""Read paths of the shared kernel: staff API keys and the audit log, scoped to the Actor."""

from __future__ import annotations

from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery

from meridian.core.actor import Actor, StaffRole
from meridian.core.errors import ApiKeyNotFound, NotAllowed
from meridian.core.models import ApiToken, AuditEntry, User


def find_live_token(*, key_hash: str, now: datetime) -> ApiToken | None:
    """The token with this hash, with its user, if it is live: not revoked, not expired at `now`,
    its user active (1 query)."""
    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash, revoked_at__isnull=True).first()
    if (
        token is None
        or not token.user.is_active
        or (token.expires_at is not None and token.expires_at <= now)
    ):
        return None
    return token


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


def list_audit_entries(
    *, actor: Actor, object_type: str = "", object_id: str = "", action: str = ""
) -> QuerySet[AuditEntry]:
    """The organization's audit log, newest first, each entry annotated with `actor_email` (one query).

    For staff who see the whole organization: an entry's values are not tied to one account, so a
    sales rep (who sees only assigned accounts) and buyers raise NotAllowed. API key entries are
    for admins only (as the keys are). `action` keeps the actions that start with it
    (`pricing.` or `pricing.contract.changed`); the other filters are exact.
    """
    if not actor.sees_whole_organization or actor.organization_id is None:
        raise NotAllowed("read the audit log")
    entries = AuditEntry.objects.filter(organization_id=actor.organization_id)
    if actor.staff_role != StaffRole.ADMIN:
        entries = entries.exclude(object_type="api_key")
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if action:
        entries = entries.filter(action__startswith=action)
    email = User.objects.filter(pk=OuterRef("actor_user_id")).values("email")[:1]
    return entries.annotate(actor_email=Subquery(email)).order_by("-at", "-pk")
