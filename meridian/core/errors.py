"""Domain errors. The kind decides the HTTP status (api/errors.py); `code` is a stable contract."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str = "", *, fields: Mapping[str, Sequence[str]] | None = None) -> None:
        super().__init__(message or self.code.replace("_", " "))
        self.fields: dict[str, list[str]] = {key: list(value) for key, value in (fields or {}).items()}


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    code = "conflict"


class RuleViolation(DomainError):
    code = "rule_violation"


class InvalidInput(RuleViolation):
    """A value the caller sent cannot be used; `fields` names which."""

    code = "invalid_input"

    @classmethod
    def on(cls, field: str, message: str) -> InvalidInput:
        return cls(f"{field}: {message}", fields={field: [message]})


class NotAllowed(Forbidden):
    """The actor's role may not take this action (the same code as the apps' own NotAllowed)."""

    code = "not_allowed"

    def __init__(self, action: str) -> None:
        super().__init__(f"your role may not {action}")
        self.action = action


class ApiKeyNotFound(NotFound):
    code = "api_key_not_found"

    def __init__(self, key_id: object) -> None:
        super().__init__(f"API key {key_id} not found")
        self.key_id = key_id
