from __future__ import annotations

from django.db.models import QuerySet

from meridian.core.errors import NotFound
from meridian.tenancy.models import Branch, Organization, Website


def find_website(*, organization_id: int, host: str = "", website_id: int | None = None) -> Website | None:
    """The website asked for by id, else the one whose domain is `host`, else the organization's default."""
    websites = list(Website.objects.filter(organization_id=organization_id).order_by("-is_default", "pk"))
    for website in websites:
        if website_id is not None and website.pk == website_id:
            return website
    for website in websites:
        if host and website.domain == host:
            return website
    return websites[0] if websites else None


def get_website(*, organization_id: int, website_id: int) -> Website:
    try:
        return Website.objects.get(organization_id=organization_id, pk=website_id)
    except Website.DoesNotExist:
        raise NotFound(f"website {website_id} not found") from None


def list_websites(*, organization_id: int) -> QuerySet[Website]:
    return Website.objects.filter(organization_id=organization_id).order_by("name")


def list_branches(*, organization_id: int) -> QuerySet[Branch]:
    return Branch.objects.filter(organization_id=organization_id).order_by("name")


def get_organization(*, organization_id: int) -> Organization:
    try:
        return Organization.objects.get(pk=organization_id)
    except Organization.DoesNotExist:
        raise NotFound(f"organization {organization_id} not found") from None
