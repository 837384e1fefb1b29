"""Build the Actor a test user acts as, the same way requests do."""

from __future__ import annotations

from meridian.core.actor import Actor
from meridian.customers.models import BuyerUser
from meridian.customers.queries import build_actor
from meridian.staff.models import StaffMember


def actor_for(member: BuyerUser | StaffMember, *, website_id: int | None = None) -> Actor:
    return build_actor(user_id=member.user_id, website_id=website_id)
