"""The request status rules, as a pure function of plain values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openkyc.kyc.status import PERMANENT, Provided, Requested, request_status_from

ID, ADDR, CREDIT = "identity-proof", "address-proof", "credit-file-proof"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def status(requested: list[Requested], documents: list[Provided], **kwargs: object) -> str:
    return request_status_from(requested, documents, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("documents", "expected"),
    [
        ([], "gathering"),
        ([Provided(ID, "rejected")], "attempted"),
        ([Provided(ID, "in-progress")], "attempted"),
        ([Provided(ID, "pending")], "pending-review"),
        ([Provided(ID, "accepted")], "partial"),
        ([Provided(ID, "accepted"), Provided(ADDR, "pending")], "partial"),
        ([Provided(ID, "accepted"), Provided(ADDR, "accepted")], "fulfilled"),
        ([Provided(ID, "rejected")] * 3, "failed"),
        ([Provided(ID, "rejected")] * 2 + [Provided(ID, "pending")], "pending-review"),
        ([Provided(ID, "rejected")] * 3 + [Provided(ADDR, "accepted")], "failed"),
        ([Provided("funds-proof", "accepted")], "gathering"),
    ],
)
def test_status_follows_the_documents(documents: list[Provided], expected: str) -> None:
    assert status([Requested(ID), Requested(ADDR)], documents) == expected


def test_unlimited_attempts_never_fail() -> None:
    assert status([Requested(ID, 0)], [Provided(ID, "rejected")] * 50) == "attempted"


def test_a_credit_file_stands_in_for_identity_and_address() -> None:
    requested = [Requested(CREDIT, 1), Requested(ID), Requested(ADDR)]
    assert status(requested, [Provided(CREDIT, "accepted", proves_identity=True)]) == "fulfilled"
    # A rejected credit file falls back to the documents; its single attempt fails nothing.
    assert status(requested, [Provided(CREDIT, "rejected")]) == "attempted"
    assert (
        status(
            requested,
            [Provided(CREDIT, "rejected"), Provided(ID, "accepted"), Provided(ADDR, "accepted")],
        )
        == "fulfilled"
    )
    # Alone, a credit file is required like any document.
    assert status([Requested(CREDIT, 1)], [Provided(CREDIT, "rejected")]) == "failed"


def test_expiry_abandons_or_expires_temporary_requests() -> None:
    past = NOW - timedelta(seconds=1)
    assert status([Requested(ID)], [], now=NOW, expiration_time=past) == "expired"
    assert (
        status([Requested(ID)], [Provided(ID, "pending")], now=NOW, expiration_time=past)
        == "abandoned"
    )
    assert (
        status([Requested(ID)], [Provided(ID, "accepted")], now=NOW, expiration_time=past)
        == "fulfilled"
    )
    assert (
        status([Requested(ID)], [], now=NOW, expiration_time=NOW + timedelta(seconds=1))
        == "gathering"
    )


@pytest.mark.parametrize("permanent", sorted(PERMANENT))
def test_permanent_statuses_never_move(permanent: str) -> None:
    assert status([Requested(ID)], [Provided(ID, "accepted")], current=permanent) == permanent


DOC_STATUSES = st.sampled_from(["pending", "in-progress", "accepted", "rejected", "archived"])
TYPES = st.sampled_from([ID, ADDR, CREDIT, "funds-proof"])


@given(
    requested=st.lists(
        st.builds(Requested, TYPES, st.integers(0, 4)),
        min_size=1,
        max_size=4,
        unique_by=lambda r: r.type,
    ),
    documents=st.lists(st.builds(Provided, TYPES, DOC_STATUSES, st.booleans()), max_size=12),
)
def test_status_invariants(requested: list[Requested], documents: list[Provided]) -> None:
    result = status(requested, documents)
    wanted = {r.type for r in requested}
    mine = [d for d in documents if d.type in wanted]
    if result == "fulfilled":
        assert any(d.status == "accepted" for d in mine)
    if result == "gathering":
        assert not mine
    if result in ("attempted", "pending-review"):
        assert mine and not any(
            d.status == "accepted" and d.type in wanted - {CREDIT} for d in mine
        )
    if result == "pending-review":
        assert any(d.status == "pending" for d in mine)
    assert result not in ("abandoned", "expired")
    # Adding documents never brings a request back to gathering.
    assert status(requested, [*documents, *mine[:1]]) != "gathering" or not mine
