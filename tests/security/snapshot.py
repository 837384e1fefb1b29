"""The whole database as plain values, to prove that a refused request changed nothing.

The security cases run on a world of a few dozen rows, so reading every table (one query per
model, many-to-many tables included) is cheap and catches a write anywhere, in any app, including
outbox events and audit entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps

# Rows that change on every request or login, whatever it does.
VOLATILE_FIELDS = {("core.apitoken", "last_used_at"), ("core.user", "last_login")}
SKIPPED_MODELS = {"sessions.session", "admin.logentry", "contenttypes.contenttype", "auth.permission"}

Rows = dict[object, dict[str, Any]]
Snapshot = dict[str, Rows]


def take() -> Snapshot:
    state: Snapshot = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in SKIPPED_MODELS or not model._meta.managed or model._meta.proxy:
            continue
        rows: Rows = {}
        for row in model._base_manager.values():
            for table_label, name in VOLATILE_FIELDS:
                if table_label == label:
                    row.pop(name, None)
            rows[row[model._meta.pk.attname]] = row
        state[label] = rows
    return state


@dataclass(frozen=True)
class Change:
    model: str
    pk: object
    kind: str  # added, removed, changed
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def __str__(self) -> str:
        if self.kind == "changed" and self.before and self.after:
            fields = {
                k: (self.before[k], self.after[k]) for k in self.after if self.before.get(k) != self.after[k]
            }
            return f"{self.model}#{self.pk} changed {fields}"
        return f"{self.model}#{self.pk} {self.kind}"


def diff(before: Snapshot, after: Snapshot) -> list[Change]:
    changes = []
    for label in sorted(set(before) | set(after)):
        old, new = before.get(label, {}), after.get(label, {})
        for pk in old.keys() - new.keys():
            changes.append(Change(label, pk, "removed", old[pk], None))
        for pk in new.keys() - old.keys():
            changes.append(Change(label, pk, "added", None, new[pk]))
        for pk in old.keys() & new.keys():
            if old[pk] != new[pk]:
                changes.append(Change(label, pk, "changed", old[pk], new[pk]))
    return changes


def describe(changes: Iterable[Change]) -> str:
    return "; ".join(str(change) for change in changes) or "nothing"
