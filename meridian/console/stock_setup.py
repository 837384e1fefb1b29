"""Console editors for the inventory set-up: warehouses, suppliers and what they drop-ship, which
websites and branches ship from which warehouse, and backorder policies.

Every staff member reads them (the set-up page, a supplier's page); changing them takes a
warehouse manager (admin or warehouse role, `meridian.inventory.access`, as the API): anyone else
gets a 403. Another organization's warehouse, supplier, assignment or account is a 404, looked up
before the role is checked. Everything goes through the inventory queries and services (validated,
audited, outbox events), like the API.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from meridian.catalog.models import Product
from meridian.core.actor import Actor
from meridian.core.errors import Conflict, RuleViolation
from meridian.customers import queries as customers
from meridian.customers.errors import AccountNotFound
from meridian.inventory import access, queries, services
from meridian.inventory.errors import SupplierNotFound
from meridian.inventory.models import AllocationStrategy, BackorderPolicy, Supplier, Warehouse
from meridian.portal.ui import actor_of, add_domain_error, staff_required
from meridian.tenancy.models import Website
from meridian.tenancy.queries import get_organization, list_branches, list_websites

SETUP_ROWS = 500  # per list: set-up data is small; the API pages through more
WEEKDAYS = [
    ("1", "Mon"),
    ("2", "Tue"),
    ("3", "Wed"),
    ("4", "Thu"),
    ("5", "Fri"),
    ("6", "Sat"),
    ("7", "Sun"),
]
DEFAULT_POLICY = ""  # the form's choice for "no policy of its own": the website default applies
POLICY_CHOICES = [(DEFAULT_POLICY, "Website default"), *BackorderPolicy.choices]


# --- forms ----------------------------------------------------------------------------------------


class WarehouseForm(forms.Form):
    code = forms.CharField(max_length=32, strip=True, help_text="E.g. CHI. Not only digits, no spaces.")
    name = forms.CharField(max_length=200, strip=True)
    kind = forms.ChoiceField(choices=Warehouse.Kind.choices)
    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.none(),
        required=False,
        to_field_name="code",
        help_text="Drop-ship warehouses only: whose stock it is.",
    )
    address_line1 = forms.CharField(label="Address", max_length=200, required=False, strip=True)
    address_line2 = forms.CharField(label="Address (2)", max_length=200, required=False, strip=True)
    city = forms.CharField(max_length=100, required=False, strip=True)
    region = forms.CharField(max_length=100, required=False, strip=True)
    postal_code = forms.CharField(max_length=20, required=False, strip=True)
    country = forms.CharField(max_length=2, required=False, strip=True, help_text="ISO code, e.g. US.")
    latitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False)
    longitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False)
    timezone = forms.CharField(max_length=64, strip=True, initial="UTC", help_text="E.g. America/Chicago.")
    cutoff_time = forms.TimeField(
        label="Daily cutoff",
        initial=time(15, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Local time: orders placed before it ship the same day.",
    )
    shipping_weekdays = forms.MultipleChoiceField(
        choices=WEEKDAYS, initial=["1", "2", "3", "4", "5"], widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(label="Active", required=False, initial=True)
    external_id = forms.CharField(label="External id", max_length=100, required=False, strip=True)

    def __init__(
        self, data: Any, *, suppliers: QuerySet[Supplier], warehouse: Warehouse | None = None
    ) -> None:
        initial: dict[str, object] = {}
        if warehouse is not None:
            initial = {
                name: getattr(warehouse, name)
                for name in self.base_fields
                if name not in ("supplier", "shipping_weekdays")
            }
            initial["supplier"] = warehouse.supplier.code if warehouse.supplier else None
            initial["shipping_weekdays"] = list(warehouse.shipping_weekdays)
        super().__init__(data, initial=initial)
        self.fields["supplier"].queryset = suppliers  # type: ignore[attr-defined]  # a ModelChoiceField
        if warehouse is not None:  # the code names the warehouse: shown, not changed
            self.fields["code"].disabled = True

    def to_input(self) -> services.WarehouseInput:
        data = self.cleaned_data
        supplier = data["supplier"]
        return services.WarehouseInput(
            code=data["code"],
            name=data["name"],
            kind=Warehouse.Kind(data["kind"]),
            supplier_id=supplier.pk if supplier else None,
            address_line1=data["address_line1"],
            address_line2=data["address_line2"],
            city=data["city"],
            region=data["region"],
            postal_code=data["postal_code"],
            country=data["country"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            timezone=data["timezone"],
            cutoff_time=data["cutoff_time"],
            shipping_weekdays="".join(data["shipping_weekdays"]),
            is_active=data["is_active"],
            external_id=data["external_id"],
        )


class SupplierForm(forms.Form):
    code = forms.CharField(max_length=32, strip=True, help_text="E.g. ACME. No spaces.")
    name = forms.CharField(max_length=200, strip=True)
    email = forms.CharField(
        label="E-mail", max_length=254, required=False, strip=True, help_text="Where purchase orders go."
    )
    external_id = forms.CharField(label="External id", max_length=100, required=False, strip=True)
    is_active = forms.BooleanField(label="Active", required=False, initial=True)

    def __init__(self, data: Any, *, supplier: Supplier | None = None) -> None:
        initial: dict[str, object] = {}
        if supplier is not None:
            initial = {name: getattr(supplier, name) for name in self.base_fields}
        super().__init__(data, initial=initial)
        if supplier is not None:
            self.fields["code"].disabled = True


class SupplierProductForm(forms.Form):
    sku = forms.CharField(label="SKU", max_length=64, strip=True)
    supplier_sku = forms.CharField(label="Supplier's SKU", max_length=64, required=False, strip=True)
    lead_time_days = forms.IntegerField(label="Lead time (days)", min_value=0, max_value=3650, initial=3)
    can_dropship = forms.BooleanField(
        label="Ships straight to customers (drop-ship)", required=False, initial=True
    )


class RemoveSupplierProductForm(forms.Form):
    sku = forms.CharField(max_length=64, strip=True, widget=forms.HiddenInput)


class AssignmentForm(forms.Form):
    warehouse = forms.ModelChoiceField(queryset=Warehouse.objects.none(), to_field_name="code")
    ships_for = forms.ChoiceField(label="Ships for", help_text="A branch's priority wins for its accounts.")
    priority = forms.IntegerField(min_value=0, max_value=1_000_000, initial=100, help_text="Lower first.")

    def __init__(self, data: Any, *, warehouses: list[Warehouse], organization_id: int) -> None:
        super().__init__(data)
        field = self.fields["warehouse"]
        field.queryset = Warehouse.objects.filter(pk__in=[w.pk for w in warehouses])  # type: ignore[attr-defined]  # a ModelChoiceField
        field.choices = [("", "---------"), *((w.code, f"{w.code} {w.name}") for w in warehouses)]  # type: ignore[attr-defined]  # a ChoiceField
        self.fields["ships_for"].choices = [  # type: ignore[attr-defined]  # a ChoiceField
            ("", "---------"),
            *(
                (f"website:{w.pk}", f"Website {w.name}")
                for w in list_websites(organization_id=organization_id)
            ),
            *((f"branch:{b.pk}", f"Branch {b.name}") for b in list_branches(organization_id=organization_id)),
        ]


class PriorityForm(forms.Form):
    priority = forms.IntegerField(min_value=0, max_value=1_000_000)


class ProductPolicyForm(forms.Form):
    sku = forms.CharField(label="SKU", max_length=64, strip=True)
    policy = forms.ChoiceField(label="Backorder policy", choices=POLICY_CHOICES, required=False)


class AccountPolicyForm(forms.Form):
    account = forms.CharField(
        max_length=110, strip=True, help_text="The account's id or ext:<external id>; children inherit."
    )
    policy = forms.ChoiceField(label="Backorder policy", choices=POLICY_CHOICES, required=False)


class WebsiteSettingsForm(forms.Form):
    website = forms.TypedChoiceField(coerce=int)
    allocation_strategy = forms.ChoiceField(
        label="Allocation", choices=AllocationStrategy.choices, initial=AllocationStrategy.PRIORITY
    )
    default_backorder_policy = forms.ChoiceField(
        label="Default backorder policy",
        choices=BackorderPolicy.choices,
        initial=BackorderPolicy.DENY,
        help_text="For products with no policy of their own or of the ordering account.",
    )

    def __init__(self, data: Any, *, websites: list[Website]) -> None:
        super().__init__(data)
        self.fields["website"].choices = [  # type: ignore[attr-defined]  # a ChoiceField
            ("", "---------"),
            *((w.pk, w.name) for w in websites),
        ]


def _policy(form: forms.Form) -> BackorderPolicy | None:
    value = form.cleaned_data["policy"]
    return BackorderPolicy(value) if value else None


# --- the set-up page --------------------------------------------------------------------------


def setup_page(request: HttpRequest, *, status: int = 200, **bound: forms.Form) -> HttpResponse:
    """The set-up page: every list (any staff member) and, for warehouse managers, the forms
    (`bound` replaces a form with the one just posted, errors and all)."""
    actor = actor_of(request)
    organization_id = access.require_stock_viewer(actor)
    product_policies, account_policies = queries.list_backorder_policies(organization_id=organization_id)
    # warehouses+supplier; suppliers; assignments+warehouse+website+branch; product policies+product;
    # account policies+account (a manager's forms: + websites, branches)
    warehouses = list(queries.list_warehouses(organization_id=organization_id, include_inactive=True))
    websites = list(list_websites(organization_id=organization_id))
    settings = queries.website_inventory_settings(organization_id=organization_id)
    can_edit = _can_manage(actor)
    context: dict[str, object] = {
        "warehouses": warehouses,
        "suppliers": list(queries.list_suppliers(organization_id=organization_id)[:SETUP_ROWS]),
        "assignments": list(queries.list_warehouse_assignments(organization_id=organization_id)[:SETUP_ROWS]),
        "product_policies": list(product_policies[:SETUP_ROWS]),
        "account_policies": list(account_policies[:SETUP_ROWS]),
        "can_edit_stock": access.can_edit_stock(actor),
        "can_edit_setup": can_edit,
        "website_settings": [
            (
                website,
                AllocationStrategy(settings[website.pk].allocation_strategy).label
                if website.pk in settings
                else AllocationStrategy(queries.DEFAULT_STRATEGY.value).label,
                BackorderPolicy(settings[website.pk].default_backorder_policy).label
                if website.pk in settings
                else BackorderPolicy(queries.DEFAULT_POLICY.value).label,
            )
            for website in websites
        ],
    }
    if can_edit:
        context |= {
            "assignment_form": AssignmentForm(None, warehouses=warehouses, organization_id=organization_id),
            "product_policy_form": ProductPolicyForm(),
            "account_policy_form": AccountPolicyForm(),
            "website_settings_form": WebsiteSettingsForm(None, websites=websites),
            **bound,
        }
    return render(request, "console/stock_setup.html", context, status=status)


def _can_manage(actor: Actor) -> bool:
    return (
        actor.is_staff and actor.staff_role in access.WAREHOUSE_MANAGERS and actor.organization_id is not None
    )


def _product(organization_id: int, sku: str) -> Product | None:
    return queries.products_by_sku(organization_id=organization_id, skus=[sku]).get(sku)


SETUP_URL = "console:inventory_setup"


@require_POST
@staff_required
def assign_warehouse(request: HttpRequest) -> HttpResponse:
    """Let a website or a branch ship from a warehouse, or change that assignment's priority."""
    actor = actor_of(request)
    organization_id = access.require_warehouse_manager(actor)
    warehouses = list(queries.list_warehouses(organization_id=organization_id, include_inactive=True))
    form = AssignmentForm(request.POST, warehouses=warehouses, organization_id=organization_id)
    if form.is_valid():
        kind, _, pk = form.cleaned_data["ships_for"].partition(":")
        website = branch = None
        if kind == "website":
            website = list_websites(organization_id=organization_id).filter(pk=int(pk)).first()
        else:
            branch = list_branches(organization_id=organization_id).filter(pk=int(pk)).first()
        warehouse = form.cleaned_data["warehouse"]
        try:
            services.assign_warehouse(
                warehouse=warehouse,
                website=website,
                branch=branch,
                priority=form.cleaned_data["priority"],
                user_id=actor.user_id,
            )
        except (Conflict, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{warehouse.code} now ships for {(website or branch)}.")
            return redirect(SETUP_URL)
    return setup_page(request, assignment_form=form)


@require_POST
@staff_required
def edit_warehouse_assignment(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Change an assignment's priority."""
    actor = actor_of(request)
    organization_id = access.require_stock_viewer(actor)
    assignment = queries.get_warehouse_assignment(
        organization_id=organization_id, assignment_id=assignment_id
    )
    access.require_warehouse_manager(actor)
    form = PriorityForm(request.POST)
    if form.is_valid():
        try:
            services.assign_warehouse(
                warehouse=assignment.warehouse,
                website=assignment.website,
                branch=assignment.branch,
                priority=form.cleaned_data["priority"],
                user_id=actor.user_id,
            )
        except (Conflict, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, f"Priority of {assignment.warehouse.code} set to {form.cleaned_data['priority']}."
            )
            return redirect(SETUP_URL)
    messages.error(request, f"Priority of {assignment.warehouse.code} not changed: {_first_error(form)}")
    return setup_page(request, status=422)


@require_POST
@staff_required
def remove_warehouse_assignment(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Stop a website or branch shipping from a warehouse."""
    actor = actor_of(request)
    organization_id = access.require_stock_viewer(actor)
    assignment = queries.get_warehouse_assignment(
        organization_id=organization_id, assignment_id=assignment_id
    )
    access.require_warehouse_manager(actor)
    services.unassign_warehouse(
        organization=get_organization(organization_id=organization_id),
        assignment=assignment,
        user_id=actor.user_id,
    )
    messages.success(
        request, f"{assignment.warehouse.code} no longer ships for {assignment.website or assignment.branch}."
    )
    return redirect(SETUP_URL)


@require_POST
@staff_required
def set_product_backorder_policy(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    organization_id = access.require_warehouse_manager(actor)
    form = ProductPolicyForm(request.POST)
    if form.is_valid():
        product = _product(organization_id, form.cleaned_data["sku"])
        if product is None:
            form.add_error("sku", f"No product with SKU {form.cleaned_data['sku']}.")
        else:
            try:
                services.set_product_backorder_policy(
                    product=product, policy=_policy(form), user_id=actor.user_id
                )
            except (Conflict, RuleViolation) as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Backorder policy of {product.sku} saved.")
                return redirect(SETUP_URL)
    return setup_page(request, product_policy_form=form)


@require_POST
@staff_required
def set_account_backorder_policy(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    access.require_warehouse_manager(actor)
    form = AccountPolicyForm(request.POST)
    if form.is_valid():
        try:
            account = customers.get_account(actor=actor, reference=form.cleaned_data["account"])
        except AccountNotFound:  # another organization's account looks like a missing one
            form.add_error("account", f"No account {form.cleaned_data['account']}.")
        else:
            try:
                services.set_account_backorder_policy(
                    account=account, policy=_policy(form), user_id=actor.user_id
                )
            except (Conflict, RuleViolation) as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Backorder policy of {account.name} saved.")
                return redirect(SETUP_URL)
    return setup_page(request, account_policy_form=form)


@require_POST
@staff_required
def configure_website(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    organization_id = access.require_warehouse_manager(actor)
    websites = list(list_websites(organization_id=organization_id))
    form = WebsiteSettingsForm(request.POST, websites=websites)
    if form.is_valid():  # the choices are this organization's websites: another's is a form error
        website = next(w for w in websites if w.pk == form.cleaned_data["website"])
        try:
            services.configure_website(
                website=website,
                allocation_strategy=AllocationStrategy(form.cleaned_data["allocation_strategy"]),
                default_backorder_policy=BackorderPolicy(form.cleaned_data["default_backorder_policy"]),
                user_id=actor.user_id,
            )
        except (Conflict, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Allocation of {website.name} saved.")
            return redirect(SETUP_URL)
    return setup_page(request, website_settings_form=form)


def _first_error(form: forms.Form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return ""


# --- warehouses -------------------------------------------------------------------------------


def _warehouse_page(request: HttpRequest, warehouse: Warehouse | None) -> HttpResponse:
    actor = actor_of(request)
    organization_id = access.require_warehouse_manager(actor)
    suppliers = queries.list_suppliers(organization_id=organization_id)
    form = WarehouseForm(
        request.POST if request.method == "POST" else None, suppliers=suppliers, warehouse=warehouse
    )
    if request.method == "POST" and form.is_valid():
        data = form.to_input()
        if warehouse is None and queries.warehouses_by_reference(
            organization_id=organization_id, references=[data.code]
        ):
            form.add_error("code", f"A warehouse {data.code} exists already.")
        else:
            try:
                saved, created = services.upsert_warehouse(
                    organization=get_organization(organization_id=organization_id),
                    data=data,
                    user_id=actor.user_id,
                )
            except (Conflict, RuleViolation) as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Warehouse {saved.code} {'created' if created else 'saved'}.")
                return redirect(SETUP_URL)
    return render(request, "console/stock_warehouse.html", {"form": form, "warehouse": warehouse})


@staff_required
def new_warehouse(request: HttpRequest) -> HttpResponse:
    return _warehouse_page(request, None)


@staff_required
def edit_warehouse(request: HttpRequest, code: str) -> HttpResponse:
    """A warehouse's name, kind, address and coordinates, timezone, cutoff and shipping days."""
    organization_id = access.require_stock_viewer(actor_of(request))
    warehouse = queries.get_warehouse(organization_id=organization_id, reference=code)
    return _warehouse_page(request, warehouse)


# --- suppliers --------------------------------------------------------------------------------


def _supplier(organization_id: int, code: str) -> Supplier:
    supplier = queries.find_supplier(organization_id=organization_id, reference=code)
    if supplier is None:
        raise SupplierNotFound(code)
    return supplier


def _supplier_page(
    request: HttpRequest,
    supplier: Supplier,
    *,
    supplier_form: SupplierForm | None = None,
    product_form: SupplierProductForm | None = None,
) -> HttpResponse:
    actor = actor_of(request)
    organization_id = access.require_stock_viewer(actor)
    can_edit = _can_manage(actor)
    # supplier products+product
    context = {
        "supplier": supplier,
        "products": list(
            queries.list_supplier_products(organization_id=organization_id, supplier_id=supplier.pk)[
                :SETUP_ROWS
            ]
        ),
        "can_edit_setup": can_edit,
        "can_edit_stock": access.can_edit_stock(actor),
        "supplier_form": (supplier_form or SupplierForm(None, supplier=supplier)) if can_edit else None,
        "product_form": (product_form or SupplierProductForm()) if can_edit else None,
        "remove_form": RemoveSupplierProductForm(),
    }
    has_errors = any(
        form is not None and form.is_bound and form.errors for form in (supplier_form, product_form)
    )
    return render(request, "console/stock_supplier.html", context, status=422 if has_errors else 200)


@staff_required
def new_supplier(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    organization_id = access.require_warehouse_manager(actor)
    form = SupplierForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if queries.find_supplier(organization_id=organization_id, reference=data["code"]) is not None:
            form.add_error("code", f"A supplier {data['code']} exists already.")
        else:
            try:
                supplier = services.upsert_supplier(
                    organization=get_organization(organization_id=organization_id),
                    code=data["code"],
                    name=data["name"],
                    email=data["email"],
                    external_id=data["external_id"],
                    is_active=data["is_active"],
                    user_id=actor.user_id,
                )
            except (Conflict, RuleViolation) as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Supplier {supplier.code} created: add the products it sells.")
                return redirect("console:supplier", code=supplier.code)
    return render(request, "console/stock_supplier_new.html", {"form": form})


@staff_required
def supplier_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A supplier and the products it sells (any staff member); POST edits it (warehouse managers)."""
    actor = actor_of(request)
    organization_id = access.require_stock_viewer(actor)
    supplier = _supplier(organization_id, code)
    if request.method != "POST":
        return _supplier_page(request, supplier)
    access.require_warehouse_manager(actor)
    form = SupplierForm(request.POST, supplier=supplier)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.upsert_supplier(
                organization=get_organization(organization_id=organization_id),
                code=supplier.code,
                name=data["name"],
                email=data["email"],
                external_id=data["external_id"],
                is_active=data["is_active"],
                user_id=actor.user_id,
            )
        except (Conflict, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Supplier {supplier.code} saved.")
            return redirect("console:supplier", code=supplier.code)
    return _supplier_page(request, supplier, supplier_form=form)


@require_POST
@staff_required
def set_supplier_product(request: HttpRequest, code: str) -> HttpResponse:
    """Add a product the supplier sells, or change its SKU, lead time or drop-ship flag."""
    actor = actor_of(request)
    organization_id = access.require_stock_viewer(actor)
    supplier = _supplier(organization_id, code)
    access.require_warehouse_manager(actor)
    form = SupplierProductForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        product = _product(organization_id, data["sku"])
        if product is None:
            form.add_error("sku", f"No product with SKU {data['sku']}.")
        else:
            try:
                services.set_supplier_product(
                    supplier=supplier,
                    product=product,
                    supplier_sku=data["supplier_sku"],
                    lead_time_days=data["lead_time_days"],
                    can_dropship=data["can_dropship"],
                    user_id=actor.user_id,
                )
            except (Conflict, RuleViolation) as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"{supplier.code} sells {product.sku}.")
                return redirect("console:supplier", code=supplier.code)
    return _supplier_page(request, supplier, product_form=form)


@require_POST
@staff_required
def remove_supplier_product(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_of(request)
    organization_id = access.require_stock_viewer(actor)
    supplier = _supplier(organization_id, code)
    access.require_warehouse_manager(actor)
    form = RemoveSupplierProductForm(request.POST)
    product = _product(organization_id, form.cleaned_data["sku"]) if form.is_valid() else None
    if product is None or not services.remove_supplier_product(
        supplier=supplier, product=product, user_id=actor.user_id
    ):
        messages.error(request, f"{supplier.code} does not sell {request.POST.get('sku', '')[:64]}.")
    else:
        messages.success(request, f"{supplier.code} no longer sells {product.sku}.")
    return redirect("console:supplier", code=supplier.code)
