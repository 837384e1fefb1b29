"""Order emails, sent after the order's transaction commits (`transaction.on_commit` ->
`tasks.send_order_email`), through Django's email backend (the console backend in the demo). Plain
text; a failure to send never undoes an order."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection

from meridian.core.models import User
from meridian.core.prepared import prepared_cursor
from meridian.customers.models import Account, BuyerUser
from meridian.ordering.models import Order
from meridian.ordering.queries import convert_column

logger = logging.getLogger(__name__)


def _order(order_id: int) -> Order | None:
    return Order.objects.select_related("account", "placed_by", "decided_by").filter(pk=order_id).first()


@dataclass(frozen=True, slots=True)
class _Placed:
    """What the placement email says of the order."""

    number: str
    status: str
    total: Decimal
    currency: str
    po_number: str
    approval_reasons: list[str]
    account: Account  # its pk, name, path and organization only
    placer_email: str


_PLACED_COLUMNS = ("number", "status", "total", "currency", "po_number", "approval_reasons")


def _placed_order(order_id: int) -> _Placed | None:
    """What the placement email says: the order's number, status, total, PO number and approval
    reasons, its account (name, path, organization) and the placer's email (1 query; hand-written:
    it runs after every placement, inline without a broker, and the ORM's compiling and loading
    whole rows cost more than the database work). Values go through the columns' converters, as
    the ORM's would (SQLite answers a decimal as a float)."""
    order_table, account_table, user_table = (
        connection.ops.quote_name(model._meta.db_table) for model in (Order, Account, User)
    )
    sql = (
        "SELECT o.number, o.status, o.total, o.currency, o.po_number, o.approval_reasons,"
        " o.account_id, a.name, a.path, a.organization_id, u.email"
        f" FROM {order_table} o INNER JOIN {account_table} a ON a.id = o.account_id"
        f" LEFT JOIN {user_table} u ON u.id = o.placed_by_id WHERE o.id = %s"
    )
    with prepared_cursor() as cursor:
        cursor.execute(sql, [order_id])
        row = cursor.fetchone()
    if row is None:
        return None
    values = [convert_column(Order, name, value) for name, value in zip(_PLACED_COLUMNS, row, strict=False)]
    number, status, total, currency, po_number, reasons = values
    account_id, name, path, organization_id, email = row[len(_PLACED_COLUMNS) :]
    return _Placed(
        number=str(number),
        status=str(status),
        total=cast(Decimal, total),  # a decimal column, converted as the ORM does
        currency=str(currency),
        po_number=str(po_number),
        approval_reasons=list(cast(list[str], reasons)),  # a JSON list of strings
        account=Account(pk=account_id, name=name, path=path, organization_id=organization_id),
        placer_email=email or "",
    )


def _send(subject: str, body: str, recipients: list[str]) -> None:
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return
    try:
        send_mail(subject, body, getattr(settings, "DEFAULT_FROM_EMAIL", None), recipients)
    except OSError:  # an SMTP outage must not surface as a failed order: the order is committed
        logger.exception("could not send %r to %s", subject, recipients)


def _summary(order: Order) -> str:
    return _summary_text(
        order.number,
        order.account.name,
        order.get_status_display(),
        order.total,
        order.currency,
        order.po_number,
    )


def _summary_text(
    number: str, account_name: str, status_label: str, total: Decimal, currency: str, po_number: str
) -> str:
    lines = [
        f"Order {number} for {account_name}",
        f"Status: {status_label}",
        f"Total: {total} {currency}",
    ]
    if po_number:
        lines.append(f"PO number: {po_number}")
    return "\n".join(lines)


_STATUS_LABELS = {str(value): str(label) for value, label in Order.Status.choices}


def approver_emails(account: Account) -> list[str]:
    """Active approvers of the account and of its ancestors."""
    paths = [*account.ancestor_paths(), account.path]
    return list(
        BuyerUser.objects.filter(
            account__organization_id=account.organization_id,
            account__path__in=paths,
            is_approver=True,
            user__is_active=True,
        ).values_list("user__email", flat=True)
    )


def order_placed(order_id: int) -> None:
    order = _placed_order(order_id)
    if order is None:
        return
    summary = _summary_text(
        order.number,
        order.account.name,
        _STATUS_LABELS.get(order.status, order.status),  # as get_status_display()
        order.total,
        order.currency,
        order.po_number,
    )
    if order.status == Order.Status.PENDING_APPROVAL:
        _send(f"Order {order.number} is waiting for approval", summary, [order.placer_email])
        _send(
            f"Approval needed: order {order.number}",
            summary + f"\nReasons: {', '.join(order.approval_reasons)}",
            approver_emails(order.account),
        )
        return
    _send(f"Order {order.number} received", summary, [order.placer_email])


def order_decided(order_id: int) -> None:
    order = _order(order_id)
    if order is None:
        return
    verdict = "rejected" if order.status == Order.Status.REJECTED else "approved"
    placer = order.placed_by.email if order.placed_by is not None else ""
    _send(f"Order {order.number} was {verdict}", _summary(order), [placer])


def order_cancelled(order_id: int) -> None:
    order = _order(order_id)
    if order is None or order.placed_by is None:
        return
    _send(f"Order {order.number} was cancelled", _summary(order), [order.placed_by.email])


HANDLERS = {"placed": order_placed, "decided": order_decided, "cancelled": order_cancelled}


def send_order_email(*, order_id: int, event: str) -> None:
    handler = HANDLERS.get(event)
    if handler is not None:
        handler(order_id)
