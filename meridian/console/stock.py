"""Console stock pages: stock by product and warehouse, the ledger, receipts, adjustments and
transfers, expected receipts, and drop-ship purchase orders.

Every staff member may read them; receipts, adjustments and purchase order status changes take an
admin, warehouse or inside sales role (meridian.inventory.access): anyone else gets a 403.
Everything goes through the inventory queries and services, like the API.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from meridian.catalog.models import Product
from meridian.console import stock_setup
from meridian.console.forms import (
    AdjustmentForm,
    IncomingForm,
    MovementFilterForm,
    PurchaseOrderStatusForm,
    ReceiptForm,
    StockFilterForm,
    TransferForm,
)
from meridian.core.errors import Conflict, RuleViolation
from meridian.inventory import access, queries, services
from meridian.inventory.models import StockMovement, SupplierPurchaseOrder
from meridian.portal.ui import PageWindow, actor_of, add_domain_error, page_number, staff_required
from meridian.tenancy.queries import get_organization

STOCK_PER_PAGE = 50
MOVEMENTS_PER_PAGE = 50
PURCHASE_ORDERS_PER_PAGE = 50
INCOMING_PER_PAGE = 200  # the soonest open expected receipts


def _filters_query(data: QueryDict) -> str:
    """The current filters as a query string for pagination links (without `page`)."""
    return urlencode([(key, value) for key, value in data.items() if key != "page" and value])


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _product(organization_id: int, sku: str) -> Product | None:
    return queries.products_by_sku(organization_id=organization_id, skus=[sku]).get(sku)


@staff_required
def stock_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    organization_id = access.require_stock_viewer(actor)
    warehouses = queries.list_warehouses(organization_id=organization_id, include_inactive=True)
    form = StockFilterForm(request.GET, warehouses=warehouses)
    search, warehouse = "", None
    if form.is_valid():
        search, warehouse = form.cleaned_data["q"], form.cleaned_data["warehouse"]
    # count; levels+warehouse+product (and the warehouse filter's choices)
    levels = queries.list_stock_levels(
        organization_id=organization_id, warehouse_id=warehouse.pk if warehouse else None, search=search
    )
    page = PageWindow(number=page_number(request), per_page=STOCK_PER_PAGE, count=levels.count())
    context = {
        "form": form,
        "levels": list(levels[page.offset : page.offset + page.per_page]),
        "page": page,
        "filters": _filters_query(request.GET),
        "can_edit_stock": access.can_edit_stock(actor),
    }
    return render(request, "console/stock.html", context)


@staff_required
def movement_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    organization_id = access.require_stock_viewer(actor)
    warehouses = queries.list_warehouses(organization_id=organization_id, include_inactive=True)
    form = MovementFilterForm(request.GET, warehouses=warehouses)
    movements = StockMovement.objects.none()
    if form.is_valid():
        data = form.cleaned_data
        product = _product(organization_id, data["sku"]) if data["sku"] else None
        if data["sku"] and product is None:
            form.add_error("sku", f"No product with SKU {data['sku']}.")
        else:
            movements = queries.list_movements(
                organization_id=organization_id,
                warehouse_id=data["warehouse"].pk if data["warehouse"] else None,
                product_id=product.pk if product else None,
                kind=StockMovement.Kind(data["kind"]) if data["kind"] else None,
                reference=data["reference"],
                since=_day_start(data["date_from"]) if data["date_from"] else None,
                until=_day_start(data["date_to"] + timedelta(days=1)) if data["date_to"] else None,
            )
    page = PageWindow(number=page_number(request), per_page=MOVEMENTS_PER_PAGE, count=movements.count())
    context = {
        "form": form,
        "movements": list(movements[page.offset : page.offset + page.per_page]),
        "page": page,
        "filters": _filters_query(request.GET),
        "can_edit_stock": access.can_edit_stock(actor),
    }
    return render(request, "console/movements.html", context)


def _stock_form_page(request: HttpRequest, *, adjustment: bool) -> HttpResponse:
    """The receipt and the adjustment form: same warehouses, same SKU lookup, one service call each."""
    actor = actor_of(request)
    organization_id = access.require_stock_editor(actor)
    warehouses = queries.list_warehouses(organization_id=organization_id)
    initial = {key: request.GET[key] for key in ("warehouse", "sku") if key in request.GET}
    form_class = AdjustmentForm if adjustment else ReceiptForm
    form = form_class(
        request.POST if request.method == "POST" else None, warehouses=warehouses, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        product = _product(organization_id, data["sku"])
        if product is None:
            form.add_error("sku", f"No product with SKU {data['sku']}.")
        else:
            organization = get_organization(organization_id=organization_id)
            try:
                if adjustment:
                    movement = services.adjust_stock(
                        organization=organization,
                        warehouse=data["warehouse"],
                        product=product,
                        delta=data["delta"],
                        reason=data["reason"],
                        reference=data["reference"],
                        user_id=actor.user_id,
                    )
                else:
                    movement = services.record_receipt(
                        organization=organization,
                        warehouse=data["warehouse"],
                        product=product,
                        quantity=data["quantity"],
                        reason=data["reason"] or "Receipt",
                        reference=data["reference"],
                        user_id=actor.user_id,
                    )
            except (Conflict, RuleViolation) as exc:  # NotFound/Forbidden: 404/403 via staff_required
                add_domain_error(form, exc)
            else:
                what = "Adjustment" if adjustment else "Receipt"
                messages.success(
                    request,
                    f"{what} recorded: {product.sku} in {data['warehouse'].code} is now "
                    f"{movement.on_hand_after.normalize():f} on hand.",
                )
                query = urlencode({"warehouse": data["warehouse"].code, "sku": product.sku})
                return redirect(f"{reverse('console:movements')}?{query}")
    template = "console/stock_adjust.html" if adjustment else "console/stock_receive.html"
    return render(request, template, {"form": form})


@staff_required
def receive_stock(request: HttpRequest) -> HttpResponse:
    return _stock_form_page(request, adjustment=False)


@staff_required
def adjust_stock(request: HttpRequest) -> HttpResponse:
    return _stock_form_page(request, adjustment=True)


@staff_required
def transfer_stock(request: HttpRequest) -> HttpResponse:
    """Move available stock between two warehouses (stock editors): a transfer-out and a transfer-in."""
    actor = actor_of(request)
    organization_id = access.require_stock_editor(actor)
    warehouses = queries.list_warehouses(organization_id=organization_id)
    initial = {key: request.GET[key] for key in ("source", "sku") if key in request.GET}
    form = TransferForm(
        request.POST if request.method == "POST" else None, warehouses=warehouses, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        product = _product(organization_id, data["sku"])
        if product is None:
            form.add_error("sku", f"No product with SKU {data['sku']}.")
        else:
            try:
                out, _ = services.transfer_stock(
                    organization=get_organization(organization_id=organization_id),
                    source=data["source"],
                    destination=data["destination"],
                    product=product,
                    quantity=data["quantity"],
                    reason=data["reason"] or "Transfer",
                    reference=data["reference"],
                    user_id=actor.user_id,
                )
            except (Conflict, RuleViolation) as exc:  # NotFound/Forbidden: 404/403 via staff_required
                add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    f"Transferred {(-out.on_hand_delta).normalize():f} of {product.sku} from "
                    f"{data['source'].code} to {data['destination'].code}.",
                )
                return redirect(f"{reverse('console:movements')}?{urlencode({'sku': product.sku})}")
    return render(request, "console/stock_transfer.html", {"form": form})


@staff_required
def incoming_stock(request: HttpRequest) -> HttpResponse:
    """Expected receipts, soonest first (every staff member); stock editors add one."""
    actor = actor_of(request)
    organization_id = access.require_stock_viewer(actor)
    can_edit = access.can_edit_stock(actor)
    form = None
    if can_edit:
        warehouses = queries.list_warehouses(organization_id=organization_id)
        form = IncomingForm(request.POST if request.method == "POST" else None, warehouses=warehouses)
    elif request.method == "POST":
        access.require_stock_editor(actor)  # raises NotAllowed: 403
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        product = _product(organization_id, data["sku"])
        if product is None:
            form.add_error("sku", f"No product with SKU {data['sku']}.")
        else:
            try:
                services.expect_stock(
                    organization=get_organization(organization_id=organization_id),
                    warehouse=data["warehouse"],
                    product=product,
                    quantity=data["quantity"],
                    expected_date=data["expected_date"],
                    reference=data["reference"],
                )
            except (Conflict, RuleViolation) as exc:
                add_domain_error(form, exc)
            else:
                messages.success(
                    request, f"Expected receipt of {product.sku} on {data['expected_date']:%b %-d} added."
                )
                return redirect("console:incoming_stock")
    # incoming+warehouse+product
    rows = list(queries.list_incoming_stock(organization_id=organization_id)[:INCOMING_PER_PAGE])
    context = {"form": form, "rows": rows, "can_edit_stock": can_edit}
    return render(request, "console/stock_incoming.html", context)


@staff_required
def inventory_setup(request: HttpRequest) -> HttpResponse:
    """Warehouses, their assignments, suppliers and backorder policies (every staff member);
    warehouse managers edit them there (`meridian.console.stock_setup`)."""
    return stock_setup.setup_page(request)


# --- drop-ship purchase orders ---------------------------------------------------------------


@staff_required
def purchase_order_list(request: HttpRequest) -> HttpResponse:
    organization_id = access.require_stock_viewer(actor_of(request))
    status_text = request.GET.get("status", "")
    status = (
        SupplierPurchaseOrder.Status(status_text)
        if status_text in SupplierPurchaseOrder.Status.values
        else None
    )
    # count; orders+supplier; lines+product
    orders = queries.list_supplier_purchase_orders(organization_id=organization_id, status=status)
    page = PageWindow(number=page_number(request), per_page=PURCHASE_ORDERS_PER_PAGE, count=orders.count())
    context = {
        "orders": list(orders[page.offset : page.offset + page.per_page]),
        "page": page,
        "status": status,
        "statuses": SupplierPurchaseOrder.Status.choices,
        "filters": _filters_query(request.GET),
    }
    return render(request, "console/purchase_orders.html", context)


def _purchase_order_page(
    request: HttpRequest, order: SupplierPurchaseOrder, *, form: PurchaseOrderStatusForm | None = None
) -> HttpResponse:
    actor = actor_of(request)
    context = {
        "order": order,
        "lines": list(order.lines.all()),
        "next_statuses": services.next_purchase_order_statuses(order.status)
        if access.can_edit_stock(actor)
        else [],
        "form": form or PurchaseOrderStatusForm(),
    }
    return render(request, "console/purchase_order.html", context)


@staff_required
def purchase_order_detail(request: HttpRequest, number: str) -> HttpResponse:
    organization_id = access.require_stock_viewer(actor_of(request))
    order = queries.get_supplier_purchase_order(organization_id=organization_id, reference=number)
    return _purchase_order_page(request, order)


@require_POST
@staff_required
def change_purchase_order_status(request: HttpRequest, number: str) -> HttpResponse:
    actor = actor_of(request)
    organization_id = access.require_stock_editor(actor)
    order = queries.get_supplier_purchase_order(organization_id=organization_id, reference=number)
    form = PurchaseOrderStatusForm(request.POST)
    if form.is_valid():
        try:
            order = services.set_purchase_order_status(
                organization=get_organization(organization_id=organization_id),
                purchase_order=order,
                status=SupplierPurchaseOrder.Status(form.cleaned_data["status"]),
                user_id=actor.user_id,
            )
        except (Conflict, RuleViolation) as exc:  # NotFound/Forbidden: 404/403 via staff_required
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{order.number} is now {order.get_status_display().lower()}.")
            return redirect("console:purchase_order", number=order.number)
    order = queries.get_supplier_purchase_order(organization_id=organization_id, reference=number)
    return _purchase_order_page(request, order, form=form)
