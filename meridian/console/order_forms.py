"""Forms of the console's order desk, order page and "order for customer" (meridian/console/orders.py).

They only parse and bound what people type; every rule (transitions, holds, quantities, checkout)
is the ordering services' to judge.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django import forms
from django.http import QueryDict

from meridian.customers.models import Address
from meridian.ordering.models import Order, ShippingMethod
from meridian.ordering.services import MAX_QUICK_ORDER_LINES

REASON_LENGTH = 300
MAX_UPLOAD_BYTES = 5_000_000  # a 5,000-line CSV is well below
ANY_HOLD = "any"
NO_HOLD = "none"


def _reason(*, required: bool = True) -> forms.CharField:
    return forms.CharField(required=required, max_length=REASON_LENGTH, strip=True)


class OrderDeskFilterForm(forms.Form):
    """The order desk's filters (a GET form: a filtered desk is a link one can share)."""

    q = forms.CharField(
        label="Number, PO, account or SKU",
        required=False,
        max_length=200,
        strip=True,
    )
    status = forms.ChoiceField(required=False, choices=[("", "All statuses"), *Order.Status.choices])
    channel = forms.ChoiceField(required=False, choices=[("", "All channels"), *Order.Channel.choices])
    hold = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Held or not"),
            (ANY_HOLD, "On any hold"),
            (NO_HOLD, "Not on hold"),
            (Order.Hold.CREDIT_HOLD.value, Order.Hold.CREDIT_HOLD.label),
            (Order.Hold.MANUAL_REVIEW.value, Order.Hold.MANUAL_REVIEW.label),
        ],
    )
    flagged = forms.ChoiceField(
        label="Manual intervention",
        required=False,
        choices=[("", "Flagged or not"), ("yes", "Flagged"), ("no", "Not flagged")],
    )
    date_from = forms.DateField(
        label="Placed from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="Placed to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def holds(self) -> list[str]:
        """The hold filter as Order.Hold values for `list_orders(holds=...)`."""
        value = self.cleaned_data["hold"]
        if value == ANY_HOLD:
            return [Order.Hold.CREDIT_HOLD.value, Order.Hold.MANUAL_REVIEW.value]
        if value == NO_HOLD:
            return [Order.Hold.NONE.value]
        return [value] if value else []

    def needs_manual_intervention(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data["flagged"])


class HoldForm(forms.Form):
    """Put an order on hold, or release its hold (`action`)."""

    action = forms.ChoiceField(choices=[("set", "Set"), ("release", "Release")], widget=forms.HiddenInput)
    hold = forms.ChoiceField(
        required=False,
        choices=[
            (Order.Hold.MANUAL_REVIEW.value, Order.Hold.MANUAL_REVIEW.label),
            (Order.Hold.CREDIT_HOLD.value, Order.Hold.CREDIT_HOLD.label),
        ],
    )
    reason = _reason()


class FlagForm(forms.Form):
    """Set or clear the manual-intervention flag (`action`)."""

    action = forms.ChoiceField(choices=[("set", "Set"), ("clear", "Clear")], widget=forms.HiddenInput)
    reason = _reason()


class CancelForm(forms.Form):
    reason = _reason()


class TransitionForm(forms.Form):
    """One of the order's next states that the console moves it to (cancelling has its own form)."""

    to_status = forms.ChoiceField(
        choices=[
            (status.value, status.label)
            for status in (
                Order.Status.SHIPPED,
                Order.Status.DELIVERED,
                Order.Status.INVOICED,
                Order.Status.CLOSED,
            )
        ],
        widget=forms.HiddenInput,
    )
    reason = _reason(required=False)


# --- order for customer ---------------------------------------------------------------------------


class AddLineForm(forms.Form):
    reference = forms.CharField(label="SKU or their part number", max_length=64, strip=True)
    quantity = forms.DecimalField(
        max_digits=16, decimal_places=3, min_value=Decimal("0.001"), initial=Decimal(1)
    )
    uom = forms.CharField(
        label="Unit", required=False, max_length=16, strip=True, help_text="Blank: the base unit."
    )


class QuickOrderForm(forms.Form):
    """Pasted lines or a CSV file (one of them); the quick-order services parse and report them."""

    text = forms.CharField(
        label="Paste lines",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=f'One line each: "SKU, quantity", "SKU quantity BX" or their part number; '
        f"up to {MAX_QUICK_ORDER_LINES:,} lines.",
        strip=False,
    )
    file = forms.FileField(
        label="…or upload a CSV or Excel (.xlsx) file",
        required=False,
        help_text="Columns sku (or part_number), quantity and an optional uom; a header is optional.",
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None and upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            self.add_error("file", f"at most {MAX_UPLOAD_BYTES // 1_000_000} MB")
        elif upload is None and not str(data.get("text") or "").strip():
            self.add_error("text", "Paste some lines or choose a file.")
        return data


class CartQuantitiesForm(forms.Form):
    """The cart's quantities as one form: `quantity-<line id>` for every line shown, and `remove`."""

    remove = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, data: QueryDict | None, *, line_ids: Sequence[int]) -> None:
        super().__init__(data)
        self.line_ids = list(line_ids)
        for line_id in self.line_ids:
            self.fields[f"quantity-{line_id}"] = forms.DecimalField(
                required=False, max_digits=16, decimal_places=3, min_value=Decimal(0)
            )

    def changes(self) -> dict[int, Decimal]:
        """Line id -> the quantity given for it (0 removes the line); lines left blank are unchanged."""
        changed = {
            line_id: self.cleaned_data[f"quantity-{line_id}"]
            for line_id in self.line_ids
            if self.cleaned_data.get(f"quantity-{line_id}") is not None
        }
        if self.cleaned_data.get("remove") is not None:
            changed[self.cleaned_data["remove"]] = Decimal(0)
        return changed


class CheckoutForm(forms.Form):
    ship_to = forms.TypedChoiceField(label="Ship to", coerce=int, empty_value=None)
    po_number = forms.CharField(label="PO number", required=False, max_length=64, strip=True)
    requested_date = forms.DateField(
        label="Requested delivery date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    shipping_method = forms.ChoiceField(label="Shipping", required=False)
    notes = forms.CharField(
        required=False, max_length=2000, strip=True, widget=forms.Textarea(attrs={"rows": 2})
    )
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(
        self,
        data: QueryDict | None,
        *,
        addresses: Sequence[Address],
        methods: Sequence[ShippingMethod],
        refresh_url: str,
        initial: dict[str, object] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        # htmx: choosing another ship-to or shipping method prices the cart again (shipping, tax)
        refresh = {
            "hx-get": refresh_url,
            "hx-trigger": "change",
            "hx-target": "#customer-cart",
            "hx-swap": "outerHTML",
            "hx-include": "closest form",
        }
        for name in ("ship_to", "shipping_method"):
            self.fields[name].widget.attrs.update(refresh)
        shipping = [address for address in addresses if address.is_shipping]
        field = self.fields["ship_to"]
        assert isinstance(field, forms.TypedChoiceField)  # declared above
        field.choices = [(address.pk, address_label(address)) for address in shipping]
        default = next((address for address in shipping if address.is_default_shipping), None)
        if default is not None and "ship_to" not in self.initial:
            self.initial["ship_to"] = default.pk
        method_field = self.fields["shipping_method"]
        assert isinstance(method_field, forms.ChoiceField)  # declared above
        method_field.choices = [(method.code, f"{method.name} ({method.code})") for method in methods] or [
            ("", "Free shipping (the website has no rate table)")
        ]


def address_label(address: Address) -> str:
    parts = [address.label or address.company, address.line1, f"{address.postal_code} {address.city}".strip()]
    return " · ".join(part for part in parts if part) + f", {address.country}"
