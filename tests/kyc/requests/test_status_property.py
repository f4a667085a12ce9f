"""Random sequences of document actions through the API: the request's status is always what
the rules give, and a permanent status never moves."""

from __future__ import annotations

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures import kyc

TYPES = ("identity-proof", "address-proof")
PERMANENT = {"fulfilled", "failed", "abandoned", "expired"}

# An action: (what, which document type, which earlier document of that type).
ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["upload", "accept", "reject"]), st.sampled_from(TYPES), st.integers(0, 3)
    ),
    min_size=1,
    max_size=10,
)


def expected_status(max_attempts: int, documents: dict[str, list[str]]) -> str:
    """An independent statement of the rules for identity and address proof."""
    accepted = {t for t, statuses in documents.items() if "accepted" in statuses}
    if accepted == set(TYPES):
        return "fulfilled"
    for t, statuses in documents.items():
        if t not in accepted and len(statuses) >= max_attempts and "pending" not in statuses:
            return "failed"
    if accepted:
        return "partial"
    if any("pending" in statuses for statuses in documents.values()):
        return "pending-review"
    return "attempted" if any(documents.values()) else "gathering"


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=ACTIONS, max_attempts=st.integers(1, 3))
def test_status_always_follows_the_rules(api: TestClient, actions: list, max_attempts: int) -> None:
    customer_id = kyc.customer(api)
    request = kyc.kyc_request(api, customer_id, *TYPES, maxAttempts=max_attempts)
    ids: dict[str, list[str]] = {t: [] for t in TYPES}
    model: dict[str, list[str]] = {t: [] for t in TYPES}
    frozen: str | None = None
    for action, document_type, which in actions:
        if action == "upload":
            body = {
                "customerId": customer_id,
                "documentType": document_type,
                "requestId": request["id"],
                "fileIds": [
                    kyc.upload(
                        api, ["kyc", "id-front"] if document_type == "identity-proof" else ["kyc"]
                    )
                ],
            }
            response = api.post("/kyc-documents", json=body)
            if response.status_code == 201:
                ids[document_type].append(response.json()["id"])
                model[document_type].append("pending")
            else:
                # Refused only when the request is closed or the type has no attempts left.
                assert response.status_code == 409, response.text
                assert frozen is not None or len(model[document_type]) >= max_attempts
        elif ids[document_type]:
            index = which % len(ids[document_type])
            target = "accepted" if action == "accept" else "rejected"
            path = "acceptance" if action == "accept" else "rejection"
            response = api.post(
                f"/kyc-documents/{ids[document_type][index]}/{path}",
                json=None if action == "accept" else {"type": "other"},
            )
            if model[document_type][index] == target:
                assert response.status_code == 409
            else:
                assert response.status_code == 201, response.text
                model[document_type][index] = target
        status = kyc.status_of(api, request["id"])
        if frozen is not None:
            assert status == frozen
        else:
            assert status == expected_status(max_attempts, model)
            if status in PERMANENT:
                frozen = status
