"""The liveness check job: read the frames, run the check outside any transaction (in the
analysis processes), record the decision. A check that keeps failing fails the session, so
the customer can start another one; it never stays pending."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from openkyc.analysis import AnalysisError, LivenessResult, check_liveness
from openkyc.config import Settings
from openkyc.db.models import Job
from openkyc.jobs.pool import LimitExceeded, Runner
from openkyc.jobs.worker import Handler
from openkyc.kyc.liveness import service
from openkyc.storage import Storage


def run_check(prepared: service.PreparedCheck) -> LivenessResult:
    return check_liveness(prepared.frames, prepared.challenge)


def liveness_handler(
    sessions: sessionmaker[Session], storage: Storage, runner: Runner, settings: Settings
) -> Handler:
    def run(job: Job) -> None:
        organization_id, payload = job.organization_id, job.payload
        try:
            with sessions.begin() as session:
                prepared = service.prepare(session, storage, organization_id, payload)
            if prepared is None:
                return
            result = runner.run(run_check, prepared)
        except (AnalysisError, LimitExceeded) as error:
            with sessions.begin() as session:
                service.unchecked(session, organization_id, payload, str(error))
            return
        with sessions.begin() as session:
            service.apply(session, storage, settings, organization_id, payload, result)

    def gave_up(job: Job, error: str) -> None:
        reason = "the check failed: " + (error.strip().splitlines() or ["unknown error"])[-1]
        with sessions.begin() as session:
            service.unchecked(session, job.organization_id, job.payload, reason)

    return Handler(run, gave_up)
