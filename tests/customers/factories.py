from __future__ import annotations

from typing import Any

import factory

from meridian.customers.models import Account, Address, BuyerUser, CustomerGroup
from tests.staff.factories import UserFactory
from tests.tenancy.factories import OrganizationFactory


class CustomerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerGroup

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"G{n}")
    name = factory.Sequence(lambda n: f"Group {n}")


class AccountFactory(factory.django.DjangoModelFactory):
    """Pass `parent=` to create a child account; otherwise a root."""

    class Meta:
        model = Account

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Customer {n}")

    @classmethod
    def _create(
        cls, model_class: type[Account], *args: Any, parent: Account | None = None, **kwargs: Any
    ) -> Account:
        if parent is not None:
            kwargs["organization"] = parent.organization
            return Account.objects.add_child(parent, create_kwargs=kwargs)
        return Account.objects.add_root(create_kwargs=kwargs)


class BuyerUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BuyerUser

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    is_buyer = True


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    account = factory.SubFactory(AccountFactory)
    line1 = factory.Sequence(lambda n: f"{n} Industrial Way")
    city = "Columbus"
    country = "US"
