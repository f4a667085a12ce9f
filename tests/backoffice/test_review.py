"""The review queue and the document page through real HTTP on both databases: a reviewer's
action in the back office is the same hold, decision and timeline entry as through the API."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from openkyc.analysis import Fingerprints
from openkyc.clock import FrozenClock
from openkyc.db.models import KycLivenessSession, User
from openkyc.db.session import Database
from openkyc.db.types import utcnow
from openkyc.kyc.documents.fingerprints import FingerprintRepository
from tests.backoffice.findings import store_findings
from tests.backoffice.screen import form_token, screen
from tests.fixtures import kyc
from tests.fixtures.people import Team, add_person, make_team
from tests.fixtures.tenants import Tenant


@pytest.fixture
def team(database: Database, client: TestClient, tenant: Tenant) -> Team:
    return make_team(database, client, tenant.organization_id)


def _waiting(api: TestClient, clock: FrozenClock, count: int) -> list[str]:
    """Documents waiting for a person, one minute apart, oldest first."""
    made = []
    for i in range(count):
        customer = kyc.customer(api, first=f"Person{i}")
        made.append(kyc.document(api, customer)["id"])
        clock.advance(seconds=60)
    return made


def test_the_queue_lists_waiting_documents_oldest_first_with_count_and_age(
    app: FastAPI, api: TestClient, team: Team, clock: FrozenClock
) -> None:
    oldest, middle, newest = _waiting(api, clock, 3)
    kyc.accept(api, middle)  # decided: no longer waiting
    clock.advance(minutes=10)
    with screen(app, team.rita.email) as rita:
        page = rita.get("/backoffice/queue")
    assert page.status_code == 200
    assert 'id="waiting-count">2<' in page.text
    assert 'id="oldest-age">13 min<' in page.text
    assert page.text.index(oldest) < page.text.index(newest)
    assert middle not in page.text


def test_take_next_holds_the_oldest_free_document_as_the_api_does(
    app: FastAPI, api: TestClient, team: Team, clock: FrozenClock
) -> None:
    first, second = _waiting(api, clock, 2)
    with (
        screen(app, team.rita.email) as rita,
        screen(app, team.bob.email) as bob,
        screen(app, team.admin.email) as admin,
    ):
        taken = rita.send("/backoffice/queue", "/backoffice/queue/next")
        assert taken.status_code == 303
        assert taken.headers["location"] == f"/backoffice/documents/{first}"
        # Bob cannot take what Rita holds: he gets the next one.
        assert bob.send("/backoffice/queue", "/backoffice/queue/next").headers["location"] == (
            f"/backoffice/documents/{second}"
        )
        # Taking again gives back one's own document; a third person finds nothing free.
        again = bob.send("/backoffice/queue", "/backoffice/queue/next")
        assert again.headers["location"] == f"/backoffice/documents/{second}"
        empty = admin.send("/backoffice/queue", "/backoffice/queue/next")
        assert empty.status_code == 200 and 'id="nothing-left"' in empty.text
        # Nor may Bob decide Rita's document.
        refused = bob.send(
            f"/backoffice/documents/{first}", f"/backoffice/documents/{first}/accept"
        )
        assert refused.status_code == 409
        assert "Rita Levi is reviewing" in refused.text
    held = api.get(f"/kyc-documents/{first}").json()
    assert (held["reviewerId"], held["reviewerName"], held["status"]) == (
        team.rita.id,
        "Rita Levi",
        "pending",
    )
    assert held["reviewStartTime"] is not None


def test_accept_and_reject_are_the_decisions_and_timeline_entries_of_the_api(
    app: FastAPI, api: TestClient, team: Team, clock: FrozenClock
) -> None:
    accepted, rejected = _waiting(api, clock, 2)
    with screen(app, team.rita.email) as rita:
        page = f"/backoffice/documents/{accepted}"
        assert rita.send(page, f"{page}/accept").status_code == 303
        page = f"/backoffice/documents/{rejected}"
        sent = rita.send(
            page, f"{page}/reject", reason="document-expired", message="Please send a valid one"
        )
        assert sent.status_code == 303
        shown = rita.get(page)
    assert 'id="status" class="status-rejected">rejected<' in shown.text
    assert "Please send a valid one" in shown.text
    document = api.get(f"/kyc-documents/{accepted}").json()
    assert (document["status"], document["reviewerId"]) == ("accepted", team.rita.id)
    document = api.get(f"/kyc-documents/{rejected}").json()
    assert document["status"] == "rejected"
    assert document["rejectionReason"] == {
        "type": "document-expired",
        "message": "Please send a valid one",
    }
    [decision] = team.decisions(rejected)
    assert (decision["authorId"], decision["authorName"], decision["state"]) == (
        team.rita.id,
        "Rita Levi",
        "effective",
    )
    timeline = api.get(
        f"/customers/{document['customerId']}/timeline", params={"sort": "occurredTime"}
    ).json()
    assert timeline[-1]["message"] == (
        f"Rita Levi rejected KYC document {rejected} (document-expired: Please send a valid one)"
    )
    assert timeline[-1]["triggeredBy"] == "app"


def test_a_viewer_sees_but_cannot_decide(
    app: FastAPI, api: TestClient, team: Team, clock: FrozenClock, client: TestClient
) -> None:
    [waiting] = _waiting(api, clock, 1)
    vera = add_person(client, team.admin, "Vera", "Viewer", role="viewer")
    with screen(app, vera.email) as viewer:
        page = viewer.get(f"/backoffice/documents/{waiting}")
        assert page.status_code == 200 and 'id="read-only"' in page.text
        assert 'id="accept"' not in page.text
        assert 'id="take-next"' not in viewer.get("/backoffice/queue").text
        refused = viewer.send(
            f"/backoffice/documents/{waiting}", f"/backoffice/documents/{waiting}/accept"
        )
        assert refused.status_code == 403
        assert viewer.send("/backoffice/queue", "/backoffice/queue/next").status_code == 403
    document = api.get(f"/kyc-documents/{waiting}").json()
    assert (document["status"], document["reviewerId"], document["reviewStartTime"]) == (
        "pending",
        None,
        None,
    )
    assert team.decisions(waiting) == []


def test_a_form_without_its_token_changes_nothing(
    app: FastAPI, api: TestClient, team: Team, clock: FrozenClock
) -> None:
    [waiting] = _waiting(api, clock, 1)
    action = f"/backoffice/documents/{waiting}/accept"
    with screen(app, team.rita.email) as rita, screen(app, team.bob.email) as bob:
        missing = rita.client.post(action, data={}, follow_redirects=False)
        # The token of another person's session is no token of Rita's.
        foreign = form_token(bob.get("/backoffice/queue"))
        wrong = rita.client.post(action, data={"csrf_token": foreign}, follow_redirects=False)
    assert (missing.status_code, wrong.status_code) == (403, 403)
    assert api.get(f"/kyc-documents/{waiting}").json()["status"] == "pending"
    assert team.decisions(waiting) == []


def test_another_organization_is_never_reachable(
    app: FastAPI, api: TestClient, team: Team, clock: FrozenClock, other_tenant: Tenant
) -> None:
    with TestClient(app, base_url="http://openkyc.test", headers=other_tenant.headers) as other:
        customer = kyc.customer(other)
        theirs = kyc.document(other, customer)
    with screen(app, team.admin.email) as admin:
        assert admin.get(f"/backoffice/documents/{theirs['id']}").status_code == 404
        assert admin.get(f"/backoffice/files/{theirs['fileIds'][0]}").status_code == 404
        assert admin.get(f"/backoffice/customers/{customer}").status_code == 404
        queue = admin.get("/backoffice/queue")
        refused = admin.send("/backoffice/queue", f"/backoffice/documents/{theirs['id']}/accept")
    assert theirs["id"] not in queue.text and 'id="waiting-count">0<' in queue.text
    assert refused.status_code == 404
    assert other.get(f"/kyc-documents/{theirs['id']}").json()["status"] == "pending"


def test_the_session_cookie_is_secure_and_ends_when_idle_or_signed_out(
    app: FastAPI, team: Team, clock: FrozenClock
) -> None:
    with screen(app) as rita:
        signed = rita.sign_in(team.rita.email)
        cookie = signed.headers["set-cookie"]
        assert "openkyc_backoffice=" in cookie
        for attribute in ("HttpOnly", "Secure", "SameSite=strict", "Path=/backoffice"):
            assert attribute.lower() in cookie.lower()
        clock.advance(minutes=29)
        assert rita.get("/backoffice/queue").status_code == 200  # renews the idle time
        clock.advance(minutes=29)
        assert rita.get("/backoffice/queue").status_code == 200
        clock.advance(minutes=31)
        idle = rita.get("/backoffice/queue")
        assert (idle.status_code, idle.headers["location"]) == (
            303,
            "/backoffice/signin?next=/backoffice/queue",
        )
    with screen(app, team.rita.email) as rita:
        out = rita.send("/backoffice/queue", "/backoffice/signout")
        assert out.status_code == 303
        assert rita.get("/backoffice/queue").status_code == 303


def test_sign_in_refuses_a_wrong_password_and_counts_it(
    app: FastAPI, team: Team, database: Database
) -> None:
    with screen(app) as stranger:
        refused = stranger.sign_in(team.rita.email, "not the password at all")
        assert refused.status_code == 401
        assert "The email, password or one-time code is wrong" in refused.text
        assert stranger.get("/backoffice/queue").status_code == 303
    with database.sessionmaker() as session:
        user = session.scalars(select(User).where(User.id == team.rita.id)).one()
        assert user.failed_sign_ins == 1


def test_pages_allow_only_their_own_scripts_and_styles(app: FastAPI, team: Team) -> None:
    with screen(app, team.rita.email) as rita:
        page = rita.get("/backoffice/queue")
        script = rita.get("/backoffice/static/backoffice.js")
        style = rita.get("/backoffice/static/backoffice.css")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert (script.status_code, style.status_code) == (200, 200)
    assert "http://" not in page.text and "https://" not in page.text


def test_idle_for_too_long_before_the_sign_in_form_is_sent(app: FastAPI, team: Team) -> None:
    with screen(app) as rita:
        sent = rita.client.post(
            "/backoffice/signin",
            data={"email": team.rita.email, "password": "x", "csrf_token": "made-up"},
            follow_redirects=False,
        )
    assert sent.status_code == 403


def test_the_queue_pages_from_a_document_so_a_decision_meanwhile_skips_nothing(
    app: FastAPI, api: TestClient, team: Team, clock: FrozenClock
) -> None:
    made = _waiting(api, clock, 5)

    def shown(page: str) -> list[str]:
        return [d for d in re.findall(r'href="/backoffice/documents/([^"]+)"', page) if d in made]

    with screen(app, team.rita.email) as rita:
        first = rita.get("/backoffice/queue", size=2).text
        assert shown(first) == made[:2]
        assert 'id="previous-page"' not in first
        following = re.search(r'href="\?size=2&amp;after=([^"]+)" rel="next"', first)
        assert following and following.group(1) == made[1]
        # Someone decides a document of the first page: the next page still starts after it.
        kyc.accept(api, made[0])
        second = rita.get("/backoffice/queue", size=2, after=made[1]).text
        assert shown(second) == made[2:4]
        third = rita.get("/backoffice/queue", size=2, after=made[3]).text
        assert shown(third) == made[4:] and 'id="next-page"' not in third
        back = rita.get("/backoffice/queue", size=2, before=made[4]).text
        assert shown(back) == made[2:4] and 'id="previous-page"' in back
        assert shown(rita.get("/backoffice/queue", size=2, before=made[2]).text) == made[1:2]
        unknown = rita.get("/backoffice/queue", after="kyc_doc_nope")
    assert unknown.status_code == 422 and "after: no such document" in unknown.text


def test_the_queue_filters_by_type_failed_check_score_age_tag_and_holder(
    app: FastAPI,
    api: TestClient,
    team: Team,
    clock: FrozenClock,
    database: Database,
    tenant: Tenant,
) -> None:
    organization = tenant.organization_id
    name, birth, plain = _waiting(api, clock, 3)
    clock.advance(hours=2)
    address = kyc.document(api, kyc.customer(api, first="Late"), "address-proof")["id"]
    store_findings(database, organization, name, {"lastName": "mismatch"})
    store_findings(database, organization, birth, {"dateOfBirth": "mismatch"})
    store_findings(database, organization, plain, {})
    tagged = api.post("/tags/vip/kyc-documents", json={"kycDocumentIds": [birth]})
    assert tagged.status_code == 204, tagged.text
    with screen(app, team.rita.email) as rita:
        rita.send(f"/backoffice/documents/{plain}", f"/backoffice/documents/{plain}/hold")

        def listed(**filters: object) -> set[str]:
            page = rita.get("/backoffice/queue", **filters)
            assert page.status_code == 200, page.text
            return {d for d in (name, birth, plain, address) if d in page.text}

        assert listed() == {name, birth, plain, address}
        counts = rita.get("/backoffice/queue").text
        assert re.findall(r'data-type="([a-z-]+)">(\d+)<', counts) == [
            ("identity-proof", "3"),
            ("address-proof", "1"),
        ]
        assert listed(type="address-proof") == {address}
        assert listed(check="lastName") == {name}
        assert listed(min=100) == {plain}
        assert listed(max=99) == {name, birth}
        assert listed(hours=1) == {name, birth, plain}
        assert listed(tag="vip") == {birth}
        assert listed(mine="true") == {plain}
        assert rita.get("/backoffice/queue", min=101).status_code == 422
        # Taking the next one within a filter takes the oldest of the filter.
        taken = rita.send("/backoffice/queue", "/backoffice/queue/next?check=dateOfBirth")
    assert taken.headers["location"] == f"/backoffice/documents/{birth}"


def test_the_document_page_shows_the_reading_beside_the_customer_and_the_duplicate(
    app: FastAPI, api: TestClient, team: Team, database: Database, tenant: Tenant
) -> None:
    organization = tenant.organization_id
    grace = kyc.customer(api, first="Grace", last="Hopper")
    request = kyc.kyc_request(api, grace, "identity-proof")["id"]
    made = kyc.document(api, grace, request_id=request)
    document, selfie = made["id"], made["fileIds"][2]
    other = kyc.customer(api, first="Ada", last="Lovelace")
    reused = kyc.document(api, other)["id"]
    mrz = {
        "lines": [
            "P<GBRHOPPER<<GRACE<<<<<<<<<<<<<<<<<<<<<<<<<<",
            "X4821937<9GBR8611194F3103016<<<<<<<<<<<<<<0",
        ],
        "checkDigits": {"check_document_number": True, "check_birth_date": False},
        "valid": False,
    }
    parsed = {
        "givenNames": "GRACE",
        "surname": "HOPPEN",
        "documentNumber": "X4821937",
        "mrz": mrz,
        "faceDistance": 0.31,
    }
    failed = {"lastName": "mismatch", "dateOfBirth": "mismatch"}
    store_findings(database, organization, document, failed, parsed, unread={"dateOfBirth"})
    with database.write_sessionmaker() as session:
        fingerprints = FingerprintRepository(session, organization)
        fingerprints.replace(document, grace, Fingerprints(document="same-number-and-birth"))
        fingerprints.replace(reused, other, Fingerprints(document="same-number-and-birth"))
        now = utcnow()
        session.add(
            KycLivenessSession(
                organization_id=organization,
                id="kyc_liv_1",
                customer_id=grace,
                request_id=request,
                status="succeeded",
                challenge=["turn-left", "tilt-right"],
                frames=[],
                reference_file_id=selfie,
                expiration_time=now,
                revision=0,
                created_time=now,
                updated_time=now,
            )
        )
        session.commit()
    with screen(app, team.rita.email) as rita:
        page = rita.get(f"/backoffice/documents/{document}").text
    assert re.findall(r'data-state="([a-z-]+)">\s*<th scope="row">([^<]+)<', page)[:2] == [
        ("same", "First name"),
        ("differs", "Last name"),
    ]
    assert 'class="ok">check_document_number: valid<' in page
    assert 'class="bad">check_birth_date: wrong<' in page
    assert "Similarity 69%" in page
    assert re.search(
        r"<th scope=\"row\">lastName</th><td>failed</td><td>\d+</td><td>\d+</td><td>mismatch</td>",
        page,
    )
    # The birth date's failure was recorded as inconclusive: it could not be confirmed.
    assert re.search(
        r'data-check="dateOfBirth"><th scope="row">dateOfBirth</th><td>not read<', page
    )
    assert f'href="/backoffice/customers/{other}" class="duplicate"' in page
    assert "succeeded (asked: turn-left, tilt-right)" in page
    assert f'src="/backoffice/files/{selfie}" alt="The frontal frame' in page


def test_a_second_factor_is_asked_at_sign_in_once_set_up(
    app: FastAPI, client: TestClient, team: Team
) -> None:
    setup = client.post("/profile/totp", headers=team.rita.headers)
    secret = setup.json()["secret"]
    code = pyotp.TOTP(secret).now()
    confirmed = client.post(
        "/profile/totp/confirmation", json={"otp": code}, headers=team.rita.headers
    )
    assert confirmed.status_code == 201
    with screen(app) as rita:
        assert rita.sign_in(team.rita.email).status_code == 401
        next_code = pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))
        assert rita.sign_in(team.rita.email, otp=next_code).status_code == 303
        assert rita.get("/backoffice/queue").status_code == 200


def test_signing_out_ends_every_session_of_the_person(
    app: FastAPI, team: Team, clock: FrozenClock, client: TestClient
) -> None:
    with screen(app, team.rita.email) as rita:
        copied = rita.client.cookies.get("openkyc_backoffice")
        assert copied
        clock.advance(seconds=2)
        assert rita.send("/backoffice/queue", "/backoffice/signout").status_code == 303
    with screen(app) as someone:
        someone.client.cookies.set(
            "openkyc_backoffice", copied, domain="openkyc.test", path="/backoffice"
        )
        assert someone.get("/backoffice/queue").status_code == 303
    # The token Rita had from POST /signin before signing out ended too.
    assert client.get("/profile", headers=team.rita.headers).status_code == 401
    clock.advance(seconds=1)
    with screen(app, team.rita.email) as rita:
        assert rita.get("/backoffice/queue").status_code == 200
    assert client.get("/profile", headers=team.bob.headers).status_code == 200


def test_a_value_with_a_nul_character_is_refused_and_nothing_is_stored(
    app: FastAPI, api: TestClient, team: Team, clock: FrozenClock
) -> None:
    [waiting] = _waiting(api, clock, 1)
    page = f"/backoffice/documents/{waiting}"
    with screen(app, team.rita.email) as rita:
        refused = rita.send(page, f"{page}/reject", reason="other", message="bad\x00byte")
        listed = rita.get("/backoffice/queue", tag="a\x00b")
    assert (refused.status_code, listed.status_code) == (422, 422)
    assert "message: must not contain the NUL character" in refused.text
    assert api.get(f"/kyc-documents/{waiting}").json()["status"] == "pending"
    with screen(app) as stranger:
        sign_in = stranger.sign_in("rita\x00@example.com")
    assert sign_in.status_code == 422
