"""The buyer's ordering pages: the cart (live prices, availability, coupons, totals), shopping lists,
quick order and checkout. Orders, reorder and approvals are in `orders.py`.

Everything goes through the ordering services and queries (docs/ordering.md): prices come from the
preview (`preview_order`, pricing's engine), stock from inventory, orders from `place_order`. A cart
or list outside the buyer's scope answers 404 (the services raise NotFound); a domain refusal is
shown on the page (a form or line error), never a 500.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from meridian.core.actor import Actor
from meridian.core.errors import Conflict, InvalidInput, RuleViolation
from meridian.core.idempotency import IdempotencyKeyInUse
from meridian.customers import queries as customers
from meridian.ordering import queries as ordering
from meridian.ordering import services
from meridian.ordering.models import Cart, CartLine, Order
from meridian.ordering.services import OneTimeAddress, OrderPreview, Payment, PricedOrderLine
from meridian.portal.availability import AvailabilityText, availability_texts
from meridian.portal.forms import (
    ONE_TIME,
    AddToCartForm,
    AddToListForm,
    CheckoutForm,
    CouponForm,
    LineQuantityForm,
    QuickOrderForm,
    ShoppingListForm,
)
from meridian.portal.ui import actor_of, add_domain_error, buyer_required
from meridian.pricing.engine import SourceKind

# Coupon statuses the buyer reads (pricing's CouponOutcome.status).
COUPON_STATUS = {
    "applied": "Applied",
    "not_applicable": "Valid, but nothing in the cart qualifies yet",
    "unknown": "Unknown code",
    "inactive": "Not active",
    "exhausted": "Used up",
    "account_limit_reached": "Already used by your company",
}


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- prices as the buyer reads them -------------------------------------------------------------


def price_source_label(kind: str, price_list_code: str = "", contract_number: str = "") -> str:
    """Where a price comes from, in a word or two: "Contract K-100", "Your price", "List WEB"."""
    if kind == SourceKind.CONTRACT:
        return f"Contract {contract_number}".strip()
    if kind == SourceKind.CUSTOMER_PRICE:
        return "Your price"
    if kind in (SourceKind.ACCOUNT, SourceKind.GROUP):
        return f"Your price list {price_list_code}".strip()
    if kind == SourceKind.WEBSITE:
        return f"List price {price_list_code}".strip()
    return ""


@dataclass(frozen=True, slots=True)
class CartRow:
    """One cart line with what the preview said about it (None when the cart could not be priced)."""

    line: CartLine
    priced: PricedOrderLine | None
    availability: AvailabilityText | None
    error: str = ""

    @property
    def source_label(self) -> str:
        source = self.priced.priced.source if self.priced is not None else None
        if source is None:
            return ""
        return price_source_label(source.kind, source.price_list_code, source.contract_number)

    @property
    def is_contract_price(self) -> bool:
        source = self.priced.priced.source if self.priced is not None else None
        return source is not None and source.kind == SourceKind.CONTRACT


def _session_key(cart: Cart) -> str:
    return f"portal-coupons-{cart.pk}"


def cart_coupons(request: HttpRequest, cart: Cart) -> list[str]:
    """The coupon codes the buyer entered for this cart (kept in their session until the order)."""
    codes = request.session.get(_session_key(cart), [])
    return [str(code) for code in codes] if isinstance(codes, list) else []


def _set_coupons(request: HttpRequest, cart: Cart, codes: Sequence[str]) -> None:
    if codes:
        request.session[_session_key(cart)] = list(dict.fromkeys(codes))
    else:
        request.session.pop(_session_key(cart), None)


def _preview(
    actor: Actor,
    cart: Cart,
    coupon_codes: Sequence[str],
    *,
    ship_to: int | OneTimeAddress | None = None,
    shipping_method: str = "",
) -> tuple[OrderPreview | None, str]:
    """The cart priced live, or why it cannot be (no shipping address, an inactive account ...)."""
    try:
        preview = services.preview_order(
            actor=actor,
            cart=cart,
            coupon_codes=coupon_codes,
            ship_to=ship_to,
            shipping_method=shipping_method,
            website_id=actor.website_id,
        )
    except (RuleViolation, Conflict) as exc:
        return None, str(exc)
    return preview, ""


def cart_rows(
    actor: Actor, lines: list[CartLine], preview: OrderPreview | None, errors: dict[int, str]
) -> list[CartRow]:
    """Each line beside the preview's line for it (one per product and unit) and its availability."""
    texts = availability_texts(
        actor=actor, product_ids=sorted({line.product_id for line in lines}), now=timezone.now()
    )
    priced = preview.lines_by_product_unit() if preview is not None else {}
    return [
        CartRow(
            line,
            priced.get((line.product.sku, line.uom)),
            texts.get(line.product_id),
            errors.get(line.pk, ""),
        )
        for line in lines
    ]


def _coupon_rows(preview: OrderPreview | None, codes: Sequence[str]) -> list[tuple[str, str, bool]]:
    """(code, what it did, usable) for each entered code."""
    outcomes = dict(preview.coupons) if preview is not None else {}
    rows = []
    for code in codes:
        status = outcomes.get(code.upper(), "")
        rows.append((code, COUPON_STATUS.get(status, status), status in ("applied", "not_applicable")))
    return rows


# --- the cart ----------------------------------------------------------------------------------


def _add_product(actor: Actor, cart: Cart | int, data: dict[str, object]) -> None:
    """An AddToCartForm's product into a cart or list (raises the service's errors)."""
    services.add_to_cart(
        actor=actor,
        cart=cart,
        reference=str(data["reference"]),
        quantity=Decimal(str(data["quantity"])),
        uom=str(data.get("uom") or ""),
    )


def _cart_context(
    request: HttpRequest,
    actor: Actor,
    cart: Cart,
    *,
    errors: dict[int, str] | None = None,
    add_form: AddToCartForm | None = None,
    coupon_form: CouponForm | None = None,
) -> dict[str, object]:
    lines = ordering.cart_lines(cart=cart)
    codes = cart_coupons(request, cart)
    preview, preview_error = _preview(actor, cart, codes) if lines else (None, "")
    return {
        "cart": cart,
        "rows": cart_rows(actor, lines, preview, errors or {}),
        "preview": preview,
        "preview_error": preview_error,
        "coupons": _coupon_rows(preview, codes),
        "add_form": add_form or AddToCartForm(),
        "coupon_form": coupon_form or CouponForm(),
    }


def _render_cart(request: HttpRequest, cart: Cart, **kwargs: object) -> HttpResponse:
    actor = actor_of(request)
    context = _cart_context(request, actor, cart, **kwargs)  # type: ignore[arg-type]  # the keywords above
    template = "portal/ordering/_cart.html" if _is_htmx(request) else "portal/ordering/cart.html"
    return render(request, template, context)


@buyer_required
def cart_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    cart = services.current_cart(actor=actor)
    return render(request, "portal/ordering/cart.html", _cart_context(request, actor, cart))


@require_POST
@buyer_required
def add_to_cart(request: HttpRequest) -> HttpResponse:
    """Add a product (by SKU or part number) to the current cart, from the cart or a product page."""
    actor = actor_of(request)
    cart = services.current_cart(actor=actor)
    form = AddToCartForm(request.POST)
    if form.is_valid():
        try:
            _add_product(actor, cart, form.cleaned_data)
        except (RuleViolation, Conflict) as exc:
            add_domain_error(form, exc)
        else:
            if not _is_htmx(request):
                messages.success(request, f"{form.cleaned_data['reference']} is in your cart.")
                return redirect("portal:cart")
            form = AddToCartForm()
    if not _is_htmx(request) and request.POST.get("next") == "product":
        # from a product page: say why, on the cart page where the buyer can fix it
        messages.error(request, "; ".join(str(error) for error in form.errors.values()))
        return redirect("portal:cart")
    return _render_cart(request, cart, add_form=form)


@require_POST
@buyer_required
def cart_line(request: HttpRequest, cart_id: int, line_id: int) -> HttpResponse:
    """Change a line's quantity (0, or the remove button, removes it) in the cart or a shopping list.
    The form names the version of the cart it showed: a change made meanwhile (another tab, a
    colleague on a shared list) is refused with `cart_changed` and the fresh lines are shown."""
    actor = actor_of(request)
    cart = ordering.get_cart(actor=actor, cart_id=cart_id)
    form = LineQuantityForm(request.POST)
    version = request.POST.get("version", "")
    expected = int(version) if version.isdigit() else None
    errors: dict[int, str] = {}
    try:
        if "remove" in request.POST:
            services.remove_line(actor=actor, cart=cart.pk, line_id=line_id, expected_version=expected)
        elif form.is_valid():
            services.set_line_quantity(
                actor=actor,
                cart=cart.pk,
                line_id=line_id,
                quantity=form.cleaned_data["quantity"],
                expected_version=expected,
            )
        else:
            errors[line_id] = "; ".join(
                str(message) for messages_ in form.errors.values() for message in messages_
            )
    except (RuleViolation, Conflict) as exc:
        errors[line_id] = str(exc)
    cart = ordering.get_cart(actor=actor, cart_id=cart.pk)  # at its new version
    if cart.kind == Cart.Kind.LIST:
        if _is_htmx(request):
            return render(request, "portal/ordering/_list_lines.html", _list_context(actor, cart, errors))
        for message in errors.values():
            messages.error(request, message)
        return redirect("portal:list", cart_id=cart.pk)
    if _is_htmx(request) or errors:
        return _render_cart(request, cart, errors=errors)
    return redirect("portal:cart")


@require_POST
@buyer_required
def apply_coupon(request: HttpRequest) -> HttpResponse:
    """Keep a coupon for the cart when pricing accepts it; say why when it does not."""
    actor = actor_of(request)
    cart = services.current_cart(actor=actor)
    form = CouponForm(request.POST)
    if form.is_valid():
        code = form.cleaned_data["code"].strip().upper()
        codes = [*cart_coupons(request, cart), code]
        if not ordering.cart_lines(cart=cart):
            form.add_error("code", "Add products to the cart first.")
        else:
            preview, problem = _preview(actor, cart, codes)
            status = dict(preview.coupons).get(code, "") if preview is not None else ""
            if preview is None:
                form.add_error("code", problem)
            elif status not in ("applied", "not_applicable"):
                form.add_error("code", f"{code}: {COUPON_STATUS.get(status, status).lower()}.")
            else:
                _set_coupons(request, cart, codes)
                form = CouponForm()
    if not _is_htmx(request) and not form.errors:
        return redirect("portal:cart")
    return _render_cart(request, cart, coupon_form=form)


@require_POST
@buyer_required
def remove_coupon(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    cart = services.current_cart(actor=actor)
    code = request.POST.get("code", "").strip().upper()
    _set_coupons(request, cart, [kept for kept in cart_coupons(request, cart) if kept != code])
    if _is_htmx(request):
        return _render_cart(request, cart)
    return redirect("portal:cart")


# --- quick order -------------------------------------------------------------------------------


@buyer_required
def quick_order(request: HttpRequest) -> HttpResponse:
    """Pasted lines or an uploaded CSV/XLSX into the cart; every line reported by its number."""
    actor = actor_of(request)
    form = QuickOrderForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        cart = services.current_cart(actor=actor)
        upload = form.cleaned_data["file"]
        try:
            if upload is not None:
                report = services.quick_order_upload(
                    actor=actor, cart=cart, filename=upload.name or "", content=upload.read()
                )
            else:
                report = services.quick_order(actor=actor, cart=cart, text=form.cleaned_data["text"])
        except (RuleViolation, Conflict) as exc:
            add_domain_error(form, exc)
        else:
            form = QuickOrderForm()
    return render(request, "portal/ordering/quick_order.html", {"form": form, "report": report})


# --- shopping lists ----------------------------------------------------------------------------


@buyer_required
def shopping_lists(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = ShoppingListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_list(
                actor=actor,
                name=form.cleaned_data["name"],
                is_shared=form.cleaned_data["is_shared"],
                is_shared_with_subtree=form.cleaned_data["is_shared_with_subtree"],
            )
        except (RuleViolation, Conflict) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"The list {created.name} is created.")
            return redirect("portal:list", cart_id=created.pk)
    # lists+account+owner
    lists = list(ordering.list_shopping_lists(actor=actor))
    return render(request, "portal/ordering/lists.html", {"lists": lists, "form": form})


def _list_context(actor: Actor, cart: Cart, errors: dict[int, str] | None = None) -> dict[str, object]:
    lines = ordering.cart_lines(cart=cart)
    is_owner = cart.owner_id == actor.user_id
    return {
        "cart": cart,
        "rows": cart_rows(actor, lines, None, errors or {}),
        "is_owner": is_owner,
        "can_edit_lines": is_owner or cart.is_shared,
        "edit_form": ShoppingListForm(
            initial={
                "name": cart.name,
                "is_shared": cart.is_shared,
                "is_shared_with_subtree": cart.is_shared_with_subtree,
            }
        ),
        "add_form": AddToCartForm(),
    }


@buyer_required
def shopping_list(request: HttpRequest, cart_id: int) -> HttpResponse:
    actor = actor_of(request)
    cart = ordering.get_cart(actor=actor, cart_id=cart_id)
    if cart.kind != Cart.Kind.LIST:
        return redirect("portal:cart")
    return render(request, "portal/ordering/list.html", _list_context(actor, cart))


@require_POST
@buyer_required
def edit_list(request: HttpRequest, cart_id: int) -> HttpResponse:
    """Rename or (un)share a list (its owner), or add a product to it (anyone who may edit it)."""
    actor = actor_of(request)
    cart = ordering.get_cart(actor=actor, cart_id=cart_id)
    context = _list_context(actor, cart)
    if "reference" in request.POST:
        add_form = AddToCartForm(request.POST)
        if add_form.is_valid():
            try:
                _add_product(actor, cart.pk, add_form.cleaned_data)
            except (RuleViolation, Conflict) as exc:
                add_domain_error(add_form, exc)
            else:
                return redirect("portal:list", cart_id=cart.pk)
        context["add_form"] = add_form
        return render(request, "portal/ordering/list.html", context)
    form = ShoppingListForm(request.POST)
    if form.is_valid():
        try:
            services.update_list(
                actor=actor,
                cart=cart.pk,
                name=form.cleaned_data["name"],
                is_shared=form.cleaned_data["is_shared"],
                is_shared_with_subtree=form.cleaned_data["is_shared_with_subtree"],
            )
        except (RuleViolation, Conflict) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "The list is saved.")
            return redirect("portal:list", cart_id=cart.pk)
    context["edit_form"] = form
    return render(request, "portal/ordering/list.html", context)


@require_POST
@buyer_required
def delete_list(request: HttpRequest, cart_id: int) -> HttpResponse:
    actor = actor_of(request)
    cart = ordering.get_cart(actor=actor, cart_id=cart_id)
    try:
        services.delete_list(actor=actor, cart=cart.pk)
    except InvalidInput as exc:  # not a list: the current cart is emptied, never deleted
        messages.error(request, str(exc))
        return redirect("portal:cart")
    messages.success(request, f"The list {cart.name} is deleted.")
    return redirect("portal:lists")


@require_POST
@buyer_required
def list_to_cart(request: HttpRequest, cart_id: int) -> HttpResponse:
    """Copy a list into the current cart; lines that cannot be ordered now are named."""
    actor = actor_of(request)
    result = services.add_list_to_cart(actor=actor, source=cart_id)
    refused = [outcome for outcome in result.outcomes if not outcome.is_added]
    messages.success(request, f"{result.added} line(s) added to your cart.")
    for outcome in refused:
        messages.warning(request, f"{outcome.sku or outcome.reference}: {outcome.reason}")
    return redirect("portal:cart")


@require_POST
@buyer_required
def add_to_list(request: HttpRequest) -> HttpResponse:
    """From a product page: add the product to one of the buyer's lists, or to a new one."""
    actor = actor_of(request)
    form = AddToListForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect("portal:lists")
    data = form.cleaned_data
    target: Cart | int = data["list"] or 0
    if not data["list"]:
        target = services.create_list(actor=actor, name=data["new_list"])
    listed = ordering.get_cart(actor=actor, cart_id=target.pk if isinstance(target, Cart) else target)
    try:
        services.add_to_cart(
            actor=actor,
            cart=listed.pk,
            reference=data["reference"],
            quantity=data["quantity"],
            uom=data["uom"],
        )
    except (RuleViolation, Conflict) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{data['reference']} is on the list {listed.name}.")
    return redirect("portal:list", cart_id=listed.pk)


# --- checkout ----------------------------------------------------------------------------------


def _address_label(address: object) -> str:
    parts = [
        getattr(address, name, "")
        for name in ("label", "company", "line1", "city", "region", "postal_code", "country")
    ]
    return ", ".join(str(part) for part in parts if part)


def _checkout_form(
    request: HttpRequest, actor: Actor, cart: Cart, data: object | None = None
) -> tuple[CheckoutForm, bool]:
    """The checkout form with the account's addresses, shipping methods and ways to pay; and
    whether the account takes one-time addresses."""
    account = ordering.get_orderable_account(actor=actor, reference=cart.account_id)
    settings = getattr(account, "ordering_settings", None)
    allows_one_time = bool(settings and settings.allows_one_time_address)
    addresses = [
        (str(address.pk), _address_label(address))
        for address in customers.list_addresses(actor=actor, account=account)
        if address.is_shipping
    ]
    if allows_one_time:
        addresses.append((ONE_TIME, "A one-time address (below)"))
    website = ordering.get_website(organization_id=account.organization_id, website_id=actor.website_id)
    methods = [(method.code, method.name) for method in ordering.list_shipping_methods(website=website)]
    payments = [(str(Order.PaymentMethod.CARD), "Card")]
    if account.payment_terms is not None:
        payments.insert(0, (str(Order.PaymentMethod.TERMS), f"On account ({account.payment_terms.name})"))
    initial = {
        "token": secrets.token_urlsafe(24),
        "cart": cart.pk,
        "ship_to": addresses[0][0] if addresses else "",
        "shipping_method": methods[0][0] if methods else "",
        "payment_method": payments[0][0],
    }
    form = CheckoutForm(
        data,
        initial=initial,
        addresses=addresses,
        shipping_methods=methods,
        payment_methods=payments,
        requires_po_number=bool(settings and settings.requires_po_number),
    )
    return form, allows_one_time


def _ship_to(form: CheckoutForm) -> int | OneTimeAddress:
    data = form.cleaned_data
    if data["ship_to"] == ONE_TIME:
        return OneTimeAddress(**{name: data[name].strip() for name in CheckoutForm.ADDRESS_FIELDS})
    return int(data["ship_to"])


@buyer_required
def checkout(request: HttpRequest) -> HttpResponse:
    """Ship-to, date, PO, payment, shipping and notes, then `place_order`. A hidden one-time token is
    the Idempotency-Key: a double submit answers the first order, never a second."""
    actor = actor_of(request)
    cart = services.current_cart(actor=actor)
    if request.method == "POST":
        posted = request.POST.get("cart", "")
        if posted.isdigit() and int(posted) != cart.pk:
            # the form of a cart that has become an order (a double submit): place_order answers
            # that order again for the same token
            cart = ordering.get_cart(actor=actor, cart_id=posted)
    form, allows_one_time = _checkout_form(request, actor, cart, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.place_order(
                actor=actor,
                channel=Order.Channel.PORTAL,
                cart=data["cart"],
                ship_to=_ship_to(form),
                po_number=data["po_number"],
                requested_date=data["requested_date"],
                payment=Payment(data["payment_method"], data["card_token"].strip()),
                shipping_method=data["shipping_method"] or "",
                notes=data["notes"],
                coupon_codes=cart_coupons(request, cart),
                idempotency_key=f"portal-{data['token']}",
                website_id=actor.website_id,
            )
        except IdempotencyKeyInUse:
            # the same form is being placed by a first submit this moment: that one makes the order
            messages.info(request, "Your order is being placed; it appears here in a moment.")
            return redirect("portal:orders")
        except (RuleViolation, Conflict) as exc:
            add_domain_error(form, exc)
        else:
            # the cart's coupons stay in the session: a resubmit must ask exactly what the first did
            messages.success(request, f"Thank you: order {order.number} is received.")
            return redirect("portal:order", number=order.number)
    lines = ordering.cart_lines(cart=cart) if cart.status != Cart.Status.ORDERED else []
    if not lines and request.method == "GET":
        messages.info(request, "Your cart is empty.")
        return redirect("portal:cart")
    ship_to: int | OneTimeAddress | None = None
    shipping_method = ""
    if form.is_bound and form.is_valid():  # priced to what the buyer chose
        ship_to, shipping_method = _ship_to(form), form.cleaned_data["shipping_method"] or ""
    preview, preview_error = (
        _preview(actor, cart, cart_coupons(request, cart), ship_to=ship_to, shipping_method=shipping_method)
        if lines
        else (None, "")
    )
    context = {
        "form": form,
        "cart": cart,
        "allows_one_time": allows_one_time,
        "rows": cart_rows(actor, lines, preview, {}),
        "preview": preview,
        "preview_error": preview_error,
    }
    return render(request, "portal/ordering/checkout.html", context)
