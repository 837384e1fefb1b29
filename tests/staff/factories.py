from __future__ import annotations

import factory

from meridian.core.actor import StaffRole
from meridian.core.models import User
from meridian.staff.models import StaffMember, Territory
from tests.tenancy.factories import OrganizationFactory

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = StaffRole.ADMIN


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"T{n}")
    name = factory.Sequence(lambda n: f"Territory {n}")
