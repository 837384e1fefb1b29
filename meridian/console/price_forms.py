"""Forms of the console's pricing pages: price lists and entries, CSV import, assignments,
contracts, promotions and coupons, the price simulator and the audit filter.

Forms only read and shape input; every rule is checked again by the pricing services, whose
errors the views put back on the form (`add_domain_error`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.db.models import QuerySet

from meridian.catalog.models import Category
from meridian.core.money import CURRENCY_CHOICES
from meridian.customers.models import Account, CustomerGroup
from meridian.pricing.errors import RowError
from meridian.pricing.models import (
    AccountPricingSettings,
    PriceList,
    PriceRule,
    Promotion,
    RebateProgram,
    Strategy,
)
from meridian.pricing.services import ContractInput, EntryRow
from meridian.tenancy.models import Website

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MAX_PRIORITY = 2**31 - 1


def _decimal(**kwargs: object) -> forms.DecimalField:
    return forms.DecimalField(max_digits=18, decimal_places=4, **kwargs)  # type: ignore[arg-type]  # Field kwargs


class PriceListForm(forms.Form):
    code = forms.CharField(max_length=40, strip=True, help_text="Unique, without spaces, e.g. WEB-USD.")
    name = forms.CharField(max_length=200, strip=True)
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES, initial="USD")
    valid_from = forms.DateField(required=False, widget=DATE, help_text="Empty: open.")
    valid_to = forms.DateField(required=False, widget=DATE, help_text="Inclusive. Empty: open.")
    is_active = forms.BooleanField(required=False, initial=True, label="Active")
    external_id = forms.CharField(required=False, max_length=100, strip=True, label="ERP id")


class PriceListEditForm(forms.Form):
    name = forms.CharField(max_length=200, strip=True)
    valid_from = forms.DateField(required=False, widget=DATE)
    valid_to = forms.DateField(required=False, widget=DATE)
    is_active = forms.BooleanField(required=False, label="Active")
    external_id = forms.CharField(required=False, max_length=100, strip=True, label="ERP id")


class EntryForm(forms.Form):
    """One entry: its key (sku, uom, min_quantity, valid_from) and its price and end date."""

    sku = forms.CharField(label="SKU", max_length=64, strip=True)
    uom = forms.CharField(
        label="Unit", required=False, max_length=16, strip=True, help_text="Empty: the base unit."
    )
    min_quantity = _decimal(label="From quantity", initial=Decimal(1), min_value=Decimal("0.001"))
    price = _decimal(min_value=Decimal(0))
    valid_from = forms.DateField(required=False, widget=DATE)
    valid_to = forms.DateField(required=False, widget=DATE)

    def to_row(self) -> EntryRow:
        data = self.cleaned_data
        return EntryRow(
            sku=data["sku"],
            price=data["price"],
            min_quantity=data["min_quantity"],
            uom=data["uom"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
        )


class InlinePriceForm(EntryForm):
    """The inline editor of one entry's price: the key and the end date ride along unchanged."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own arguments
        for name in ("sku", "uom", "min_quantity", "valid_from", "valid_to"):
            self.fields[name].widget = forms.HiddenInput()
        self.fields["price"].widget.attrs.update({"class": "price-input", "inputmode": "decimal"})


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        required=False,
        help_text="Columns: sku, price, and optionally min_quantity, uom, valid_from, valid_to "
        "(dates as YYYY-MM-DD). The first line names the columns.",
    )
    text = forms.CharField(
        label="…or paste the CSV", required=False, widget=forms.Textarea(attrs={"rows": 6}), strip=False
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError("The file is not UTF-8 text.") from None
        if not str(data.get("text") or "").strip():
            raise forms.ValidationError("Choose a CSV file or paste its text.")
        return data


CSV_COLUMNS = ("sku", "price", "min_quantity", "uom", "valid_from", "valid_to")


@dataclass(frozen=True, slots=True)
class ParsedCsv:
    rows: list[EntryRow]  # the lines that could be read
    lines: list[int]  # each one's line number in the file (the header is line 1)
    errors: list[RowError]  # by line number: values that could not be read


def parse_entries_csv(text: str) -> ParsedCsv:
    """Read price entry rows from CSV text; a value that is not a number or a date is a row error."""
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    reader.fieldnames = header
    errors: list[RowError] = []
    missing = [name for name in ("sku", "price") if name not in header]
    if missing:
        return ParsedCsv([], [], [RowError(1, name, "missing column") for name in missing])
    unknown = [name for name in header if name and name not in CSV_COLUMNS]
    errors.extend(RowError(1, name, "unknown column") for name in unknown)
    rows: list[EntryRow] = []
    lines: list[int] = []
    for record in reader:
        line = reader.line_num
        values = {key: (value or "").strip() for key, value in record.items() if isinstance(key, str)}
        if not any(values.values()):
            continue  # a blank line
        before = len(errors)
        price = _read_decimal(values.get("price", ""), line, "price", errors, required=True)
        minimum = _read_decimal(values.get("min_quantity", ""), line, "min_quantity", errors) or Decimal(1)
        valid_from = _read_date(values.get("valid_from", ""), line, "valid_from", errors)
        valid_to = _read_date(values.get("valid_to", ""), line, "valid_to", errors)
        if len(errors) > before or price is None:
            continue
        rows.append(
            EntryRow(
                sku=values.get("sku", ""),
                price=price,
                min_quantity=minimum,
                uom=values.get("uom", ""),
                valid_from=valid_from,
                valid_to=valid_to,
            )
        )
        lines.append(line)
    return ParsedCsv(rows, lines, errors)


def _read_decimal(
    text: str, line: int, field: str, errors: list[RowError], *, required: bool = False
) -> Decimal | None:
    if not text:
        if required:
            errors.append(RowError(line, field, "required"))
        return None
    try:
        value = Decimal(text)  # "12,40" is refused, never misread as 1240
    except InvalidOperation:
        errors.append(RowError(line, field, f"{text!r} is not a number"))
        return None
    if not value.is_finite():
        errors.append(RowError(line, field, f"{text!r} is not a number"))
        return None
    return value


def _read_date(text: str, line: int, field: str, errors: list[RowError]) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.append(RowError(line, field, f"{text!r} is not a date (YYYY-MM-DD)"))
        return None


class ListAssignmentForm(forms.Form):
    """Assign this list to a website or a customer group (accounts: on the account page)."""

    website = forms.ModelChoiceField(queryset=Website.objects.none(), required=False, empty_label="—")
    customer_group = forms.ModelChoiceField(
        queryset=CustomerGroup.objects.none(), required=False, empty_label="—", label="Customer group"
    )
    priority = forms.IntegerField(
        min_value=0, max_value=MAX_PRIORITY, initial=100, help_text="Lower is tried first."
    )

    def __init__(
        self,
        data: object = None,
        *,
        websites: QuerySet[Website],
        groups: QuerySet[CustomerGroup],
    ) -> None:
        super().__init__(data)  # type: ignore[arg-type]  # QueryDict or None
        self.fields["website"].queryset = websites  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["customer_group"].queryset = groups  # type: ignore[attr-defined]  # ModelChoiceField

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if (data.get("website") is None) == (data.get("customer_group") is None):
            raise forms.ValidationError("Choose a website or a customer group (one of them).")
        return data


class AccountAssignmentForm(forms.Form):
    price_list = forms.ModelChoiceField(
        queryset=PriceList.objects.none(), label="Price list", to_field_name="code"
    )
    priority = forms.IntegerField(
        min_value=0, max_value=MAX_PRIORITY, initial=100, help_text="Lower is tried first."
    )

    def __init__(self, data: object = None, *, price_lists: QuerySet[PriceList]) -> None:
        super().__init__(data, prefix="assign")  # type: ignore[arg-type]  # QueryDict or None
        self.fields["price_list"].queryset = price_lists  # type: ignore[attr-defined]  # ModelChoiceField


class ContractForm(forms.Form):
    number = forms.CharField(max_length=40, strip=True, label="Contract number")
    price_list = forms.ModelChoiceField(
        queryset=PriceList.objects.none(), label="Price list", to_field_name="code"
    )
    valid_from = forms.DateField(required=False, widget=DATE)
    valid_to = forms.DateField(required=False, widget=DATE)
    priority = forms.IntegerField(min_value=0, max_value=MAX_PRIORITY, initial=100)
    applies_to_children = forms.BooleanField(required=False, label="Also for its child accounts")
    prices_are_final = forms.BooleanField(required=False, label="Contract prices are final (no promotions)")
    terms = forms.CharField(required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, data: object = None, *, price_lists: QuerySet[PriceList]) -> None:
        super().__init__(data, prefix="contract")  # type: ignore[arg-type]  # QueryDict or None
        self.fields["price_list"].queryset = price_lists  # type: ignore[attr-defined]  # ModelChoiceField

    def to_input(self, *, account: Account, external_id: str = "") -> ContractInput:
        """The valid form's contract for `account` (the form does not change an ERP's id)."""
        data = self.cleaned_data
        return ContractInput(
            number=data["number"],
            account=account,
            price_list=data["price_list"],
            applies_to_children=data["applies_to_children"],
            prices_are_final=data["prices_are_final"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            priority=data["priority"],
            external_id=external_id,
            terms=data["terms"],
        )


class ContractEditForm(ContractForm):
    """A contract's terms; its account stays (end it and add one on the other account)."""

    is_active = forms.BooleanField(required=False, label="Active", help_text="Clear it to end the contract.")


class PromotionForm(forms.Form):
    name = forms.CharField(max_length=200, strip=True)
    kind = forms.ChoiceField(choices=Promotion.Kind.choices)
    value = _decimal(
        min_value=Decimal(0),
        initial=Decimal(0),
        help_text="Percent for percent kinds, an amount for amount kinds, a unit price for a fixed price.",
    )
    currency = forms.ChoiceField(
        choices=[("", "—"), *CURRENCY_CHOICES], required=False, help_text="Needed for amounts."
    )
    buy_quantity = _decimal(required=False, min_value=Decimal("0.001"), label="Buy (X)")
    get_quantity = _decimal(required=False, min_value=Decimal("0.001"), label="Get free (Y)")
    stacking = forms.ChoiceField(choices=Promotion.Stacking.choices)
    priority = forms.IntegerField(min_value=0, max_value=MAX_PRIORITY, initial=100)
    requires_coupon = forms.BooleanField(required=False, label="Only with a coupon")
    # Conditions
    website = forms.ModelChoiceField(queryset=Website.objects.none(), required=False, empty_label="Any")
    customer_group = forms.ModelChoiceField(
        queryset=CustomerGroup.objects.none(), required=False, empty_label="Any", label="Customer group"
    )
    account = forms.CharField(
        required=False, max_length=120, strip=True, help_text="Account id or ext:ERP-id; and its subtree."
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), required=False, empty_label="Any", help_text="And its subtree."
    )
    product = forms.CharField(required=False, max_length=64, strip=True, label="Product SKU")
    min_quantity = _decimal(required=False, min_value=Decimal(0), help_text="Per line, in base units.")
    min_line_amount = _decimal(required=False, min_value=Decimal(0))
    min_order_amount = _decimal(required=False, min_value=Decimal(0))
    starts_at = forms.DateTimeField(required=False, widget=DATETIME, help_text="Inclusive.")
    ends_at = forms.DateTimeField(required=False, widget=DATETIME, help_text="Exclusive.")
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(
        self,
        data: object = None,
        *,
        websites: QuerySet[Website],
        groups: QuerySet[CustomerGroup],
        categories: QuerySet[Category],
        initial: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)  # type: ignore[arg-type]  # QueryDict or None
        self.fields["website"].queryset = websites  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["customer_group"].queryset = groups  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]  # ModelChoiceField

    @staticmethod
    def initial_of(promotion: Promotion) -> dict[str, object]:
        """The form's values for an existing promotion (its account by id, its product by SKU)."""
        return {
            "name": promotion.name,
            "kind": promotion.kind,
            "value": promotion.value,
            "currency": promotion.currency,
            "buy_quantity": promotion.buy_quantity,
            "get_quantity": promotion.get_quantity,
            "stacking": promotion.stacking,
            "priority": promotion.priority,
            "requires_coupon": promotion.requires_coupon,
            "website": promotion.website_id,
            "customer_group": promotion.customer_group_id,
            "account": str(promotion.account_id) if promotion.account_id is not None else "",
            "category": promotion.category_id,
            "product": promotion.product.sku if promotion.product is not None else "",
            "min_quantity": promotion.min_quantity,
            "min_line_amount": promotion.min_line_amount,
            "min_order_amount": promotion.min_order_amount,
            "starts_at": promotion.starts_at,
            "ends_at": promotion.ends_at,
            "is_active": promotion.is_active,
        }

    CONDITIONS = (
        "website",
        "customer_group",
        "account",
        "category",
        "product",
        "min_quantity",
        "min_line_amount",
        "min_order_amount",
        "starts_at",
        "ends_at",
    )

    def discount_fields(self) -> list[forms.BoundField]:
        return [field for field in self if field.name not in self.CONDITIONS]

    def condition_fields(self) -> list[forms.BoundField]:
        return [field for field in self if field.name in self.CONDITIONS]


class CouponForm(forms.Form):
    code = forms.CharField(max_length=40, strip=True)
    usage_limit = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_PRIORITY, label="Uses in total"
    )
    per_account_limit = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_PRIORITY, label="Uses per account"
    )


class SimulatorForm(forms.Form):
    account = forms.CharField(
        max_length=120,
        strip=True,
        help_text="Account id or ext:ERP-id (pick from the list as you type).",
        widget=forms.TextInput(attrs={"list": "account-choices", "autocomplete": "off"}),
    )
    website = forms.ModelChoiceField(queryset=Website.objects.none(), required=False, empty_label="Default")
    lines = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "BOLT 100\nBOLT 2 BX\nHAMMER 1"}),
        help_text="One line each: SKU, quantity and optionally a unit.",
    )
    coupons = forms.CharField(required=False, max_length=400, strip=True, help_text="Comma-separated codes.")

    def __init__(self, data: object = None, *, websites: QuerySet[Website]) -> None:
        super().__init__(data)  # type: ignore[arg-type]  # QueryDict or None
        self.fields["website"].queryset = websites  # type: ignore[attr-defined]  # ModelChoiceField

    def clean_account(self) -> str:
        # "12 · Acme Ohio" (a pick from the list) names account 12.
        text: str = self.cleaned_data["account"]
        return text.split(" ", 1)[0] if text[:1].isdigit() else text

    def clean_lines(self) -> list[tuple[str, Decimal, str]]:
        parsed: list[tuple[str, Decimal, str]] = []
        problems: list[str] = []
        for number, text in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            parts = text.replace(",", " ").replace(";", " ").split()
            if not parts:
                continue
            if len(parts) not in (2, 3):
                problems.append(f"Line {number}: write SKU, quantity and optionally a unit.")
                continue
            try:
                quantity = Decimal(parts[1])
            except InvalidOperation:
                problems.append(f"Line {number}: {parts[1]!r} is not a quantity.")
                continue
            parsed.append((parts[0], quantity, parts[2] if len(parts) == 3 else ""))
        if problems:
            raise forms.ValidationError(problems)
        if not parsed:
            raise forms.ValidationError("Add at least one line.")
        return parsed

    def clean_coupons(self) -> list[str]:
        return [code.strip() for code in self.cleaned_data["coupons"].split(",") if code.strip()]


class ChangeFilterForm(forms.Form):
    price_list = forms.ModelChoiceField(
        queryset=PriceList.objects.none(),
        required=False,
        empty_label="All price lists",
        label="Price list",
        to_field_name="code",
    )
    sku = forms.CharField(label="SKU", required=False, max_length=64, strip=True)

    def __init__(self, data: object, *, price_lists: QuerySet[PriceList]) -> None:
        super().__init__(data)  # type: ignore[arg-type]  # QueryDict
        self.fields["price_list"].queryset = price_lists  # type: ignore[attr-defined]  # ModelChoiceField


class EntryFilterForm(forms.Form):
    sku = forms.CharField(label="SKU", required=False, max_length=64, strip=True)


class CustomerPriceForm(forms.Form):
    """An account's own price for a product (and, optionally, its own part number for it)."""

    sku = forms.CharField(max_length=64, strip=True, label="SKU")
    price = _decimal(min_value=Decimal(0))
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES, initial="USD")
    uom = forms.CharField(
        max_length=16, required=False, strip=True, label="Unit", help_text="Empty: base unit."
    )
    min_quantity = _decimal(min_value=Decimal("0.001"), initial=Decimal(1), label="From quantity")
    valid_from = forms.DateField(required=False, widget=DATE)
    valid_to = forms.DateField(required=False, widget=DATE)
    applies_to_children = forms.BooleanField(required=False, label="Also for its child accounts")
    part_number = forms.CharField(
        max_length=64, required=False, strip=True, label="Their part number", help_text="Optional."
    )

    def __init__(self, data: object = None) -> None:
        super().__init__(data, prefix="cprice")  # type: ignore[arg-type]  # QueryDict or None


class InheritanceForm(forms.Form):
    assignment_inheritance = forms.ChoiceField(
        choices=AccountPricingSettings.Inheritance.choices, label="When it has its own price lists"
    )

    def __init__(self, data: object = None, **kwargs: object) -> None:
        super().__init__(data, prefix="inherit", **kwargs)  # type: ignore[arg-type]  # QueryDict or None


class RuleForm(forms.Form):
    """A rule deriving a list's prices: base x multiplier x (1 + percent / 100), rounded."""

    name = forms.CharField(max_length=200, required=False, strip=True)
    base = forms.ChoiceField(choices=PriceRule.Base.choices)
    base_price_list = forms.ModelChoiceField(
        queryset=PriceList.objects.none(), required=False, to_field_name="code", label="Base price list"
    )
    multiplier = _decimal(min_value=Decimal(0), initial=Decimal(1))
    percent = _decimal(initial=Decimal(0), help_text="Added after the multiplier: -8 is 8% off.")
    rounding = forms.ChoiceField(choices=PriceRule.Rounding.choices)
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), required=False, to_field_name="slug", help_text="And its subtree."
    )
    sku = forms.CharField(max_length=64, required=False, strip=True, label="Or one product (SKU)")
    priority = forms.IntegerField(min_value=0, max_value=MAX_PRIORITY, initial=100)
    valid_from = forms.DateField(required=False, widget=DATE)
    valid_to = forms.DateField(required=False, widget=DATE)

    def __init__(
        self, data: object = None, *, price_lists: QuerySet[PriceList], categories: QuerySet[Category]
    ) -> None:
        super().__init__(data, prefix="rule")  # type: ignore[arg-type]  # QueryDict or None
        self.fields["base_price_list"].queryset = price_lists  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]  # ModelChoiceField


class RuleEditForm(RuleForm):
    """A rule's terms; its list stays."""

    is_active = forms.BooleanField(required=False, label="Active", help_text="Clear it to pause the rule.")


class StrategyForm(forms.Form):
    website = forms.IntegerField(widget=forms.HiddenInput)
    strategy = forms.ChoiceField(choices=Strategy.choices)


class RebateProgramForm(forms.Form):
    """A rebate program; tiers are lines of "threshold rate%" ("0 1", "10000 2.5")."""

    code = forms.CharField(max_length=40, strip=True)
    name = forms.CharField(max_length=200, strip=True)
    basis = forms.ChoiceField(choices=RebateProgram.Basis.choices)
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES, initial="USD")
    period_start = forms.DateField(widget=DATE)
    period_end = forms.DateField(widget=DATE)
    tiers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text='One tier a line: the threshold (base units or spend), then the rate in percent, e.g. "10000 2.5".',
    )
    customer_group = forms.ModelChoiceField(
        queryset=CustomerGroup.objects.none(), required=False, help_text="Empty: every account."
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(
        self,
        data: object = None,
        *,
        groups: QuerySet[CustomerGroup],
        for_account: bool = False,
        **kwargs: object,
    ) -> None:
        super().__init__(data, **kwargs)  # type: ignore[arg-type]  # QueryDict or None
        if for_account:  # an account's own program: its scope is the account, never a group
            del self.fields["customer_group"]
        else:
            self.fields["customer_group"].queryset = groups  # type: ignore[attr-defined]  # ModelChoiceField

    def clean_tiers(self) -> list[tuple[Decimal, Decimal]]:
        tiers: list[tuple[Decimal, Decimal]] = []
        for number, line in enumerate(self.cleaned_data["tiers"].splitlines(), start=1):
            parts = line.replace("%", " ").split()
            if not parts:
                continue
            try:
                threshold, rate = (Decimal(part) for part in parts)
            except (ValueError, InvalidOperation):
                raise forms.ValidationError(
                    f'Line {number}: write "threshold rate", e.g. "10000 2.5".'
                ) from None
            tiers.append((threshold, rate))
        if not tiers:
            raise forms.ValidationError("At least one tier.")
        return tiers

    @staticmethod
    def tiers_text(program: RebateProgram) -> str:
        return "\n".join(
            f"{tier.threshold.normalize():f} {tier.rate_percent.normalize():f}"
            for tier in program.tiers.all()
        )


def account_rebate_form(data: object = None) -> RebateProgramForm:
    """The account page's form for a program of that account and its subtree (created active)."""
    form = RebateProgramForm(data, groups=CustomerGroup.objects.none(), for_account=True, prefix="rebate")
    del form.fields["is_active"]
    return form
