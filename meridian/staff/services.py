"""Write paths for seller staff."""

from __future__ import annotations

from django.db import transaction

from meridian.core.actor import StaffRole
from meridian.core.errors import Conflict, InvalidInput
from meridian.core.models import User
from meridian.staff.models import StaffMember
from meridian.tenancy.models import Organization


@transaction.atomic
def create_staff_member(
    *,
    organization: Organization,
    email: str,
    full_name: str,
    role: str,
    password: str | None = None,
    can_use_admin: bool = False,
) -> StaffMember:
    """A seller user with one role; `can_use_admin` also opens the Django admin."""
    if role not in StaffRole.values:
        raise InvalidInput.on("role", f"unknown role {role!r}; allowed: {sorted(StaffRole.values)}")
    normalized = email.strip().lower()
    if User.objects.filter(email__iexact=normalized).exists():
        raise Conflict(f"{normalized} already has a login", fields={"email": ["already has a login"]})
    user = User.objects.create_user(
        normalized,
        password,
        full_name=full_name,
        is_staff=can_use_admin,
        is_superuser=can_use_admin and role == StaffRole.ADMIN,
    )
    return StaffMember.objects.create(user=user, organization=organization, role=role)
