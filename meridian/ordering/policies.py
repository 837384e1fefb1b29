"""The approval seam. `place_order` asks an `ApprovalPolicy` whether an order must wait for an approver,
and `approve_order`/`reject_order` ask it who may decide. The default, `BuyerControlsPolicy`, applies
the buyer-side controls of this app (a per-buyer order limit, a monthly budget per account) and lets
the account's approvers (and its ancestors') decide. The workflows app plugs data-defined policies
in here by passing its own policy (or naming it in `settings.ORDERING_APPROVAL_POLICY`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from meridian.core.actor import Actor, BuyerRole
from meridian.ordering import engine


@dataclass(frozen=True, slots=True)
class ApprovalContext:
    """What a policy knows about an order being placed (loaded by place_order, under the account lock)."""

    organization_id: int
    account_id: int
    account_path: str
    placed_by_user_id: int | None
    placed_by_buyer: bool  # False: seller staff placed it on the account's behalf
    channel: str
    currency: str
    order_total: Decimal
    buyer_order_limit: Decimal | None
    monthly_budget: Decimal | None
    spent_this_month: Decimal


@dataclass(frozen=True, slots=True)
class DecisionSubject:
    """The order an actor wants to approve or reject."""

    organization_id: int
    account_path: str
    placed_by_user_id: int | None
    order_total: Decimal
    currency: str


class ApprovalPolicy(Protocol):
    def review(self, context: ApprovalContext) -> tuple[str, ...]:
        """Reasons the order must wait for an approver (stable codes); empty when it need not."""
        ...

    def may_decide(self, *, actor: Actor, subject: DecisionSubject) -> bool:
        """Whether `actor` may approve or reject the order."""
        ...


class BuyerControlsPolicy:
    """Over the placing buyer's order limit, or over the account's monthly budget: an approver of the
    account or of one of its ancestors decides; nobody approves their own order. The budget applies to
    every order of the account, a rep's included; the order limit to the buyer who places it."""

    def review(self, context: ApprovalContext) -> tuple[str, ...]:
        return tuple(
            str(reason)
            for reason in engine.approval_reasons(
                engine.BuyerControls(
                    order_total=context.order_total,
                    buyer_order_limit=context.buyer_order_limit if context.placed_by_buyer else None,
                    monthly_budget=context.monthly_budget,
                    spent_this_month=context.spent_this_month,
                )
            )
        )

    def may_decide(self, *, actor: Actor, subject: DecisionSubject) -> bool:
        return (
            actor.has_buyer_role(BuyerRole.APPROVER)
            and actor.organization_id == subject.organization_id
            and bool(actor.account_path)
            and subject.account_path.startswith(actor.account_path)
            and actor.user_id != subject.placed_by_user_id
        )


def approval_policy() -> ApprovalPolicy:
    path = getattr(settings, "ORDERING_APPROVAL_POLICY", "")
    return import_string(path)() if path else BuyerControlsPolicy()
