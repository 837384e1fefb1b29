"""Forms for the buyer portal. They parse input only; the services decide what is allowed."""

from __future__ import annotations

from decimal import Decimal

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


# --- ordering ----------------------------------------------------------------------------------


class AddToCartForm(forms.Form):
    reference = forms.CharField(label="SKU or your part number", max_length=64)
    quantity = forms.DecimalField(
        label="Quantity", min_value=Decimal("0.001"), max_digits=13, decimal_places=3
    )
    uom = forms.CharField(label="Unit", max_length=16, required=False)


class AddToListForm(AddToCartForm):
    list = forms.IntegerField(label="Shopping list", min_value=1, required=False)
    new_list = forms.CharField(label="Or a new list named", max_length=100, required=False)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not cleaned.get("list") and not str(cleaned.get("new_list") or "").strip():
            raise forms.ValidationError("Choose a shopping list or name a new one.")
        return cleaned


class LineQuantityForm(forms.Form):
    quantity = forms.DecimalField(label="Quantity", min_value=Decimal(0), max_digits=13, decimal_places=3)


class CouponForm(forms.Form):
    code = forms.CharField(label="Coupon code", max_length=64)


class QuickOrderForm(forms.Form):
    text = forms.CharField(
        label="Paste lines",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "BOLT-M8, 100\nACME-7781 12 BX"}),
        help_text='One line each: "SKU, quantity" or "part number quantity", optionally a unit.',
    )
    file = forms.FileField(
        label="Or upload a CSV or Excel file",
        required=False,
        help_text="Columns: sku (or part_number), quantity, and optionally uom; a header row is optional.",
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not str(cleaned.get("text") or "").strip() and not cleaned.get("file"):
            raise forms.ValidationError("Paste some lines or choose a file.")
        return cleaned


class ShoppingListForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    is_shared = forms.BooleanField(label="Share with my company's buyers", required=False)
    is_shared_with_subtree = forms.BooleanField(
        label="Share with the buyers of our locations and departments too", required=False
    )


class OrderFilterForm(forms.Form):
    q = forms.CharField(label="Order, PO or SKU", required=False, max_length=64)
    status = forms.ChoiceField(label="Status", required=False)
    placed_from = forms.DateField(
        label="Placed from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    placed_to = forms.DateField(label="to", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, statuses: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own signature
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [("", "Any status"), *statuses]


class DecisionForm(forms.Form):
    reason = forms.CharField(label="Reason", required=False, max_length=250)


class CancelForm(forms.Form):
    reason = forms.CharField(label="Reason", required=False, max_length=250)


ONE_TIME = "one_time"


class CheckoutForm(forms.Form):
    """Checkout: the choices are the account's (set by the view); the services check everything."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    cart = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    ship_to = forms.ChoiceField(label="Ship to", widget=forms.RadioSelect)
    po_number = forms.CharField(label="PO number", max_length=64, required=False)
    requested_date = forms.DateField(
        label="Requested delivery date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    shipping_method = forms.ChoiceField(label="Shipping", widget=forms.RadioSelect, required=False)
    payment_method = forms.ChoiceField(label="Payment", widget=forms.RadioSelect)
    card_token = forms.CharField(
        label="Card",
        max_length=100,
        required=False,
        help_text="Test payment provider: any card token is approved; one containing “decline” is declined.",
    )
    notes = forms.CharField(
        label="Notes", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # A one-time address, used when "ship_to" is ONE_TIME (the service says whether that is allowed).
    company = forms.CharField(label="Company", max_length=200, required=False)
    attention = forms.CharField(label="Attention", max_length=200, required=False)
    line1 = forms.CharField(label="Address line 1", max_length=200, required=False)
    line2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    city = forms.CharField(label="City", max_length=100, required=False)
    region = forms.CharField(label="State / region", max_length=100, required=False)
    postal_code = forms.CharField(label="Postal code", max_length=20, required=False)
    country = forms.CharField(label="Country", max_length=2, required=False, help_text="e.g. US")
    ADDRESS_FIELDS = ("company", "attention", "line1", "line2", "city", "region", "postal_code", "country")

    def __init__(
        self,
        *args: object,
        addresses: list[tuple[str, str]],
        shipping_methods: list[tuple[str, str]],
        payment_methods: list[tuple[str, str]],
        requires_po_number: bool,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own signature
        self._choices("ship_to", addresses)
        self._choices("shipping_method", shipping_methods)
        self._choices("payment_method", payment_methods)
        self.fields["po_number"].required = requires_po_number
        self.fields["shipping_method"].required = bool(shipping_methods)  # none: the website ships free

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("ship_to") == ONE_TIME:
            for name in ("line1", "city", "country"):
                if not str(cleaned.get(name) or "").strip():
                    self.add_error(name, "Required for a one-time address.")
        if cleaned.get("payment_method") == "card" and not str(cleaned.get("card_token") or "").strip():
            self.add_error("card_token", "Enter the card to charge.")
        return cleaned
