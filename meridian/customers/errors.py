from __future__ import annotations

from meridian.core.errors import Conflict, Forbidden, NotFound, RuleViolation


class AccountNotFound(NotFound):
    code = "account_not_found"

    def __init__(self, reference: object) -> None:
        super().__init__(f"account {reference} not found")
        self.reference = reference


class NotAllowed(Forbidden):
    code = "not_allowed"

    def __init__(self, action: str) -> None:
        super().__init__(f"your role may not {action}")
        self.action = action


class DuplicateExternalId(Conflict):
    code = "duplicate_external_id"

    def __init__(self, external_id: str) -> None:
        super().__init__(
            f"external_id {external_id!r} is already used", fields={"external_id": ["already used"]}
        )
        self.external_id = external_id


class EmailTaken(Conflict):
    code = "email_taken"

    def __init__(self, email: str) -> None:
        super().__init__(f"{email} already has a login", fields={"email": ["already has a login"]})
        self.email = email


class InvalidParent(RuleViolation):
    code = "invalid_parent"

    def __init__(self, message: str) -> None:
        super().__init__(message, fields={"parent": [message]})


class LastAdmin(Conflict):
    code = "last_admin"

    def __init__(self) -> None:
        super().__init__(
            "an account keeps at least one admin", fields={"roles": ["the last admin keeps admin"]}
        )
