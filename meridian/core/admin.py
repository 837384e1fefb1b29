# mypy: disable-error-code="type-arg"
# (ModelAdmin and the auth forms are generic only in django-stubs; subscripting them at runtime
# needs django_stubs_ext.monkeypatch() in settings.)
"""Django admin for identity: users and API tokens (only seller staff with is_staff open the admin),
and `AuditedAdmin`, which audits admin edits of prices, credit, roles and policies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest

from meridian.core.models import ApiToken, AuditEntry, User
from meridian.core.services import record_audit

ALL_FIELDS = "__all__"
# How an audited row finds its organization when it has no organization of its own: the row it
# hangs from (forward keys), or a user's staff or buyer profile.
ORGANIZATION_PATHS = ("account", "price_list", "promotion", "program", "website", "staff_member", "buyer")
# Where entries about a user with no organization (a platform superuser) are filed.
NO_ORGANIZATION = 0


def organization_id_of(obj: models.Model) -> int | None:
    """The organization an audited row belongs to: its own, or that of the row it hangs from."""
    own = getattr(obj, "organization_id", None)
    if own is not None:
        return int(own)
    for name in ORGANIZATION_PATHS:
        try:
            related = getattr(obj, name, None)
        except ObjectDoesNotExist:  # a user without that profile
            continue
        if isinstance(related, models.Model):
            found = organization_id_of(related)
            if found is not None:
                return found
    return None


def plain(value: object) -> object:
    """A form value as the audit log stores it: rows by pk, many rows as sorted pks."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted(plain(item) for item in value)  # type: ignore[type-var]  # pks: all ints
    return value


def _audited(form: ModelForm, fields: Iterable[str] | str) -> list[str]:
    names = list(form.fields) if fields == ALL_FIELDS else [name for name in fields if name in form.fields]
    return [name for name in names if name != "DELETE"]


def _record(
    request: HttpRequest,
    obj: models.Model,
    verb: str,
    before: Mapping[str, object],
    after: Mapping[str, object],
) -> None:
    record_audit(
        organization_id=organization_id_of(obj) or NO_ORGANIZATION,
        actor_user_id=request.user.pk,
        action=f"admin.{obj._meta.model_name}.{verb}",
        object_type=str(obj._meta.model_name),
        object_id=obj.pk,
        before=before,
        after=after,
    )


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes of `audited_fields` (and of `audited_inlines`' fields)
    write an audit entry, as the services do for the same changes.

    Admin views run in a transaction (`changeform_view`, `delete_view` are atomic), so the entry is
    committed with the change or not at all. Actions: `admin.<model>.created|changed|deleted`,
    `before`/`after` hold the audited fields that changed (all of them on create and delete).
    """

    audited_fields: tuple[str, ...] | str = ALL_FIELDS
    audited_inlines: Mapping[type[models.Model], tuple[str, ...] | str] = {}

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        names = _audited(form, self.audited_fields)
        changed = [name for name in names if name in form.changed_data] if change else names
        super().save_model(request, obj, form, change)
        if changed:
            before = {name: plain(form.initial.get(name)) for name in changed} if change else {}
            after = {name: plain(form.cleaned_data.get(name)) for name in changed}
            _record(request, obj, "changed" if change else "created", before, after)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._record_deletion(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self._record_deletion(request, obj)
        super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        fields = self.audited_inlines.get(formset.model)
        if fields is None:
            super().save_formset(request, form, formset, change)
            return
        pending = []
        for inline_form, verb, before, after in self._inline_changes(formset, fields):
            if verb == "deleted":  # now: deleting the row clears its pk
                _record(request, inline_form.instance, verb, before, after)
            else:  # after saving: a new row has no pk yet
                pending.append((inline_form.instance, verb, before, after))
        super().save_formset(request, form, formset, change)
        for obj, verb, before, after in pending:
            _record(request, obj, verb, before, after)

    def _record_deletion(self, request: HttpRequest, obj: models.Model) -> None:
        names = [f.name for f in obj._meta.concrete_fields if not f.primary_key]
        if self.audited_fields != ALL_FIELDS:
            names = [name for name in names if name in self.audited_fields]
        before = {name: plain(getattr(obj, name)) for name in names}
        _record(request, obj, "deleted", before, {})

    @staticmethod
    def _inline_changes(
        formset: BaseModelFormSet, fields: tuple[str, ...] | str
    ) -> Iterable[tuple[ModelForm, str, dict[str, object], dict[str, object]]]:
        for inline_form in formset.forms:
            if not inline_form.has_changed():
                continue
            names = _audited(inline_form, fields)
            is_new = inline_form.instance.pk is None
            if formset.can_delete and inline_form.cleaned_data.get("DELETE"):
                if not is_new:
                    before = {name: plain(inline_form.initial.get(name)) for name in names}
                    yield inline_form, "deleted", before, {}
                continue
            changed = names if is_new else [name for name in names if name in inline_form.changed_data]
            if changed:
                before = {} if is_new else {name: plain(inline_form.initial.get(name)) for name in changed}
                after = {name: plain(inline_form.cleaned_data.get(name)) for name in changed}
                yield inline_form, "created" if is_new else "changed", before, after


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")
        field_classes = {"email": forms.EmailField}


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"email": forms.EmailField}


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    # Who may open the admin and what they may do there; never the password.
    audited_fields = ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("full_name",)}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "full_name", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by the API; here they can only be inspected and revoked (set revoked_at)."""

    list_display = (
        "prefix",
        "user",
        "kind",
        "name",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_filter = ("kind",)
    search_fields = ("prefix", "name", "user__email")
    list_select_related = ("user",)
    readonly_fields = ("user", "kind", "prefix", "key_hash", "created_at", "last_used_at")
    fields = (
        "user",
        "kind",
        "name",
        "prefix",
        "key_hash",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log, read-only: entries are written by core.services.record_audit, never edited."""

    list_display = ("at", "organization_id", "actor_user_id", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "action")
    date_hierarchy = "at"
    readonly_fields = tuple(field.name for field in AuditEntry._meta.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
