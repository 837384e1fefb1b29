from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from meridian.core.models import ApiToken
from meridian.core.services import authenticate_token, issue_token, revoke_token
from tests.staff.factories import UserFactory


@pytest.mark.django_db
def test_token_authenticates_until_revoked_and_only_its_hash_is_stored() -> None:
    user = UserFactory()
    secret, token = issue_token(user=user)

    assert authenticate_token(secret=secret) == user
    assert secret not in {token.key_hash, token.prefix}
    assert revoke_token(user=user, token_id=token.pk)
    assert authenticate_token(secret=secret) is None


@pytest.mark.django_db
def test_expired_token_and_inactive_user_do_not_authenticate() -> None:
    user = UserFactory()
    secret, token = issue_token(user=user)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    live_secret, _ = issue_token(user=UserFactory(is_active=False))

    assert authenticate_token(secret=secret) is None
    assert authenticate_token(secret=live_secret) is None
    assert authenticate_token(secret="mrd_guess") is None


def test_production_settings_hash_with_argon2_and_refuse_to_start_without_secret() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MERIDIAN_", "DEBUG", "SECRET_KEY"))}
    code = "import django.conf as c, meridian.settings as s; print(s.PASSWORD_HASHERS[0], s.DEBUG, s.ALLOWED_HOSTS)"

    with_secret = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "SECRET_KEY": "x" * 50},
        capture_output=True,
        text=True,
        check=True,
    )
    without_secret = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)

    assert with_secret.stdout.split() == ["django.contrib.auth.hashers.Argon2PasswordHasher", "False", "[]"]
    assert without_secret.returncode != 0 and "SECRET_KEY must be set" in without_secret.stderr
