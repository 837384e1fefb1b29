from __future__ import annotations

import factory

from meridian.tenancy.models import Branch, Organization, Website


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Seller {n}")
    slug = factory.Sequence(lambda n: f"seller-{n}")


class WebsiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Website

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Shop {n}")
    slug = factory.Sequence(lambda n: f"shop-{n}")
    is_default = True


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"BR{n}")
    name = factory.Sequence(lambda n: f"Branch {n}")
