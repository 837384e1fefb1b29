"""The pricing section of the console's account page: the account's contracts and own price lists,
and (for price editors) the forms that add them. Shared by the account page and the pricing views."""

from __future__ import annotations

from meridian.console.price_forms import (
    AccountAssignmentForm,
    ContractForm,
    CustomerPriceForm,
    InheritanceForm,
    RebateProgramForm,
    account_rebate_form,
)
from meridian.core.actor import Actor
from meridian.customers.models import Account
from meridian.pricing import queries, services


def can_edit_prices(actor: Actor) -> bool:
    """Admins, sales managers and inside sales change prices (the services check it again)."""
    return actor.is_staff and actor.staff_role in services.PRICING_EDITORS


def account_pricing(
    actor: Actor,
    account: Account,
    *,
    contract_form: ContractForm | None = None,
    assignment_form: AccountAssignmentForm | None = None,
    customer_price_form: CustomerPriceForm | None = None,
    rebate_form: RebateProgramForm | None = None,
) -> dict[str, object]:
    editor = can_edit_prices(actor)
    price_lists = queries.list_price_lists(actor=actor)
    return {
        # contracts+account, price list; assignments+list (the forms' list choices load when drawn)
        "contracts": list(queries.list_contracts(actor=actor, account=account)),
        "account_assignments": list(queries.list_price_assignments(actor=actor, account=account)),
        "can_edit_prices": editor,
        "contract_form": (contract_form or ContractForm(price_lists=price_lists)) if editor else None,
        "account_assignment_form": (assignment_form or AccountAssignmentForm(price_lists=price_lists))
        if editor
        else None,
        # customer prices+account, product, part number; the inheritance setting; rebate statement
        # (the account again, programs, tiers, accrual totals)
        "customer_prices": list(queries.list_customer_prices(actor=actor, account=account)),
        "customer_price_form": (customer_price_form or CustomerPriceForm()) if editor else None,
        "inheritance_form": InheritanceForm(
            initial={"assignment_inheritance": queries.assignment_inheritance(account=account)}
        ),
        "rebate_statement": queries.rebate_statement(actor=actor, account=account),
        "rebate_form": (rebate_form or account_rebate_form()) if editor else None,
    }
