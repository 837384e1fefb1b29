"""`Idempotency-Key` on POST /stock/movements: a retry returns the first answer, never a second movement."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from meridian.core import idempotency
from meridian.core.idempotency import IdempotencyKey
from meridian.core.services import issue_token
from meridian.inventory.models import StockMovement
from meridian.inventory.schemas import MovementIn
from tests.api.conftest import ClientFor
from tests.api.test_inventory import JSON, Stockroom, build_stockroom, levels
from tests.inventory.factories import receive

D = Decimal
URL = "/api/v1/stock/movements"
RECEIPT = {"kind": "receipt", "warehouse": "CHI", "sku": "VLV-100", "quantity": "24", "reference": "PO-77"}


@pytest.fixture
def room() -> Stockroom:
    return build_stockroom()


def post(client: Client, body: dict[str, object], key: str) -> object:
    return client.post(URL, body, content_type=JSON, headers={"Idempotency-Key": key})


@pytest.mark.django_db
def test_the_same_key_and_body_answer_the_first_result_and_move_stock_once(
    room: Stockroom, client_for: ClientFor
) -> None:
    client = client_for(room.clerk)

    first = client.post(URL, RECEIPT, content_type=JSON, headers={"Idempotency-Key": "wms-1"})
    # the same content, spelled differently: a JSON number and keys in another order
    retry = client.post(
        URL,
        {**dict(reversed(list(RECEIPT.items()))), "quantity": "24.0"},
        content_type=JSON,
        headers={"Idempotency-Key": "wms-1"},
    )

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert StockMovement.objects.filter(organization=room.org).count() == 1
    assert levels(room.org) == [("CHI", "VLV-100", D(24), D(0))]


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused_and_changes_nothing(
    room: Stockroom, client_for: ClientFor
) -> None:
    client = client_for(room.clerk)
    client.post(URL, RECEIPT, content_type=JSON, headers={"Idempotency-Key": "wms-1"})

    other = client.post(
        URL, {**RECEIPT, "quantity": "25"}, content_type=JSON, headers={"Idempotency-Key": "wms-1"}
    )

    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert list(other.json()["error"]["fields"]) == ["Idempotency-Key"]
    assert levels(room.org) == [("CHI", "VLV-100", D(24), D(0))]


@pytest.mark.django_db
def test_a_key_still_being_worked_on_answers_409(room: Stockroom, client_for: ClientFor) -> None:
    client = client_for(room.clerk)
    fingerprint = idempotency.request_fingerprint("record_stock_movement", MovementIn(**RECEIPT).model_dump())
    IdempotencyKey.objects.create(organization_id=room.org.pk, key="wms-1", request_hash=fingerprint)

    response = client.post(URL, RECEIPT, content_type=JSON, headers={"Idempotency-Key": "wms-1"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_in_use"
    assert levels(room.org) == []


@pytest.mark.django_db
def test_a_claim_left_by_a_dead_request_is_taken_over_after_a_while(
    room: Stockroom, client_for: ClientFor
) -> None:
    client = client_for(room.clerk)
    fingerprint = idempotency.request_fingerprint("record_stock_movement", MovementIn(**RECEIPT).model_dump())
    IdempotencyKey.objects.create(
        organization_id=room.org.pk,
        key="wms-1",
        request_hash=fingerprint,
        created_at=timezone.now() - idempotency.STALE_AFTER - timedelta(seconds=1),
    )

    response = client.post(URL, RECEIPT, content_type=JSON, headers={"Idempotency-Key": "wms-1"})

    assert response.status_code == 201
    assert levels(room.org) == [("CHI", "VLV-100", D(24), D(0))]


@pytest.mark.django_db
def test_a_refusal_is_the_first_result_too_and_is_answered_again(
    room: Stockroom, client_for: ClientFor
) -> None:
    client = client_for(room.clerk)
    adjustment = {
        "kind": "adjustment",
        "warehouse": "CHI",
        "sku": "VLV-100",
        "quantity": "-5",
        "reason": "Lost",
    }

    first = client.post(URL, adjustment, content_type=JSON, headers={"Idempotency-Key": "adj-1"})
    receive(room.chicago, room.valve, 10)  # the stock is there now, but the key already has its answer
    retry = client.post(URL, adjustment, content_type=JSON, headers={"Idempotency-Key": "adj-1"})

    assert (first.status_code, retry.status_code) == (409, 409)
    assert retry.json() == first.json()
    assert first.json()["error"]["code"] == "insufficient_stock"
    assert levels(room.org) == [("CHI", "VLV-100", D(10), D(0))]


@pytest.mark.django_db
def test_keys_belong_to_one_organization(room: Stockroom, client_for: ClientFor) -> None:
    ours = client_for(room.clerk).post(URL, RECEIPT, content_type=JSON, headers={"Idempotency-Key": "k-1"})
    theirs = client_for(room.other_admin).post(
        URL, {**RECEIPT, "quantity": "3"}, content_type=JSON, headers={"Idempotency-Key": "k-1"}
    )

    assert (ours.status_code, theirs.status_code) == (201, 201)
    assert levels(room.other_org) == [("CHI", "VLV-100", D(3), D(0))]


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "tab\there"])
def test_a_malformed_key_is_bad_input(key: str, room: Stockroom, client_for: ClientFor) -> None:
    response = client_for(room.clerk).post(URL, RECEIPT, content_type=JSON, headers={"Idempotency-Key": key})

    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["Idempotency-Key"]
    assert levels(room.org) == []


@pytest.mark.django_db
def test_a_forbidden_caller_leaves_no_key_behind(room: Stockroom, client_for: ClientFor) -> None:
    refused = client_for(room.rep).post(URL, RECEIPT, content_type=JSON, headers={"Idempotency-Key": "k-1"})
    allowed = client_for(room.clerk).post(URL, RECEIPT, content_type=JSON, headers={"Idempotency-Key": "k-1"})

    assert (refused.status_code, allowed.status_code) == (403, 201)


@pytest.mark.django_db
def test_keys_are_kept_24_hours_then_purged(room: Stockroom, client_for: ClientFor) -> None:
    client_for(room.clerk).post(URL, RECEIPT, content_type=JSON, headers={"Idempotency-Key": "k-1"})

    kept = idempotency.purge_idempotency_keys(now=timezone.now() + timedelta(hours=23))
    purged = idempotency.purge_idempotency_keys(now=timezone.now() + timedelta(hours=25))

    assert (kept, purged) == (0, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_make_one_movement() -> None:
    room = build_stockroom()
    secret, _ = issue_token(user=room.clerk.user)
    threads = 8
    barrier = threading.Barrier(threads)
    answers: list[tuple[int, dict[str, object]]] = []
    lock = threading.Lock()

    def send() -> None:
        try:
            client = Client(headers={"Authorization": f"Bearer {secret}"})
            barrier.wait()
            response = client.post(URL, RECEIPT, content_type=JSON, headers={"Idempotency-Key": "burst-1"})
            with lock:
                answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    workers = [threading.Thread(target=send) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    created = [body for status, body in answers if status == 201]
    in_use = [body for status, body in answers if status == 409]
    assert len(answers) == threads
    assert len(created) + len(in_use) == threads
    assert created and all(body == created[0] for body in created)
    assert all(body["error"]["code"] == "idempotency_key_in_use" for body in in_use)  # type: ignore[index]
    assert StockMovement.objects.filter(organization=room.org).count() == 1
    assert levels(room.org) == [("CHI", "VLV-100", D(24), D(0))]
