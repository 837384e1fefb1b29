"""Forms for the seller console."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict

from meridian.inventory.models import StockMovement, SupplierPurchaseOrder, Warehouse


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, strip=True)


# --- stock -------------------------------------------------------------------------------------


def _warehouse_field(warehouses: QuerySet[Warehouse], *, required: bool) -> forms.ModelChoiceField[Warehouse]:
    return forms.ModelChoiceField(
        queryset=warehouses,
        to_field_name="code",
        required=required,
        empty_label="All warehouses" if not required else "Choose a warehouse",
    )


class StockFilterForm(forms.Form):
    q = forms.CharField(label="SKU or name", required=False, max_length=200, strip=True)

    def __init__(self, data: QueryDict, *, warehouses: QuerySet[Warehouse]) -> None:
        super().__init__(data)
        self.fields["warehouse"] = _warehouse_field(warehouses, required=False)


class MovementFilterForm(forms.Form):
    sku = forms.CharField(label="SKU", required=False, max_length=64, strip=True)
    kind = forms.ChoiceField(required=False, choices=[("", "All kinds"), *StockMovement.Kind.choices])
    reference = forms.CharField(required=False, max_length=100, strip=True)
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data: QueryDict, *, warehouses: QuerySet[Warehouse]) -> None:
        super().__init__(data)
        self.fields["warehouse"] = _warehouse_field(warehouses, required=False)
        self.order_fields(["sku", "warehouse", "kind", "reference", "date_from", "date_to"])


class ReceiptForm(forms.Form):
    sku = forms.CharField(label="SKU", max_length=64, strip=True)
    quantity = forms.DecimalField(
        label="Quantity received", max_digits=14, decimal_places=3, min_value=Decimal("0.001")
    )
    reference = forms.CharField(
        required=False, max_length=100, strip=True, help_text="E.g. the purchase order or delivery note."
    )
    reason = forms.CharField(required=False, max_length=200, strip=True, initial="Receipt")

    def __init__(
        self, data: QueryDict | None, *, warehouses: QuerySet[Warehouse], initial: dict[str, str]
    ) -> None:
        super().__init__(data, initial=initial)
        self.fields["warehouse"] = _warehouse_field(warehouses, required=True)
        self.order_fields(["warehouse", "sku", "quantity", "reference", "reason"])


class AdjustmentForm(forms.Form):
    sku = forms.CharField(label="SKU", max_length=64, strip=True)
    delta = forms.DecimalField(
        label="Change",
        max_digits=14,
        decimal_places=3,
        help_text="Negative to remove stock (-3 removes 3), positive to add.",
    )
    reason = forms.CharField(max_length=200, strip=True, help_text="E.g. damaged, cycle count, found.")
    reference = forms.CharField(required=False, max_length=100, strip=True)

    def __init__(
        self, data: QueryDict | None, *, warehouses: QuerySet[Warehouse], initial: dict[str, str]
    ) -> None:
        super().__init__(data, initial=initial)
        self.fields["warehouse"] = _warehouse_field(warehouses, required=True)
        self.order_fields(["warehouse", "sku", "delta", "reason", "reference"])


class TransferForm(forms.Form):
    sku = forms.CharField(label="SKU", max_length=64, strip=True)
    quantity = forms.DecimalField(
        max_digits=14,
        decimal_places=3,
        min_value=Decimal("0.001"),
        help_text="Available (unallocated) stock of the source.",
    )
    reference = forms.CharField(required=False, max_length=100, strip=True)
    reason = forms.CharField(required=False, max_length=200, strip=True, initial="Transfer")

    def __init__(
        self, data: QueryDict | None, *, warehouses: QuerySet[Warehouse], initial: dict[str, str]
    ) -> None:
        super().__init__(data, initial=initial)
        self.fields["source"] = _warehouse_field(warehouses, required=True)
        self.fields["destination"] = _warehouse_field(warehouses, required=True)
        self.order_fields(["source", "destination", "sku", "quantity", "reference", "reason"])

    def clean(self) -> dict[str, object] | None:
        data = super().clean()
        if data and data.get("source") is not None and data.get("source") == data.get("destination"):
            self.add_error("destination", "Choose another warehouse than the source.")
        return data


class IncomingForm(forms.Form):
    sku = forms.CharField(label="SKU", max_length=64, strip=True)
    quantity = forms.DecimalField(
        label="Quantity expected", max_digits=14, decimal_places=3, min_value=Decimal("0.001")
    )
    expected_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(
        required=False, max_length=100, strip=True, help_text="E.g. the purchase order number."
    )

    def __init__(self, data: QueryDict | None, *, warehouses: QuerySet[Warehouse]) -> None:
        super().__init__(data)
        self.fields["warehouse"] = _warehouse_field(warehouses, required=True)
        self.order_fields(["warehouse", "sku", "quantity", "expected_date", "reference"])


class PurchaseOrderStatusForm(forms.Form):
    status = forms.ChoiceField(choices=SupplierPurchaseOrder.Status.choices, widget=forms.HiddenInput)
