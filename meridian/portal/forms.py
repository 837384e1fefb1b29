"""Forms for the buyer portal. They parse input only; the services decide what is allowed."""

from __future__ import annotations

from django import forms

from meridian.core.actor import BuyerRole
from meridian.customers.services import AddressFields


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, strip=True)


def _roles_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Roles",
        choices=BuyerRole.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one role."},
    )


class InviteUserForm(forms.Form):
    email = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    full_name = forms.CharField(label="Name", max_length=200)
    roles = _roles_field()


class RolesForm(forms.Form):
    roles = _roles_field()


class ActiveForm(forms.Form):
    is_active = forms.TypedChoiceField(
        choices=[("true", "Active"), ("false", "Deactivated")],
        coerce=lambda value: value == "true",
        widget=forms.HiddenInput,
    )


class AddressForm(forms.Form):
    label = forms.CharField(required=False, max_length=100, help_text="e.g. Main warehouse")
    company = forms.CharField(required=False, max_length=200)
    attention = forms.CharField(required=False, max_length=200)
    line1 = forms.CharField(label="Address line 1", max_length=200)
    line2 = forms.CharField(label="Address line 2", required=False, max_length=200)
    city = forms.CharField(max_length=100)
    region = forms.CharField(label="State / region", required=False, max_length=100)
    postal_code = forms.CharField(label="Postal code", required=False, max_length=20)
    country = forms.CharField(
        max_length=2,
        min_length=2,
        help_text="Two-letter code, e.g. US",
        widget=forms.TextInput(attrs={"size": 3}),
    )
    phone = forms.CharField(required=False, max_length=40)
    latitude = forms.DecimalField(
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        help_text="Optional, e.g. 41.88",
    )
    longitude = forms.DecimalField(
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        help_text="With the latitude, e.g. -87.63: orders ship from the nearest warehouse",
    )
    is_billing = forms.BooleanField(label="Billing address", required=False)
    is_shipping = forms.BooleanField(label="Shipping address", required=False, initial=True)
    is_default_billing = forms.BooleanField(label="Default billing address", required=False)
    is_default_shipping = forms.BooleanField(label="Default shipping address", required=False)

    def to_fields(self) -> AddressFields:
        return AddressFields(**self.cleaned_data)
