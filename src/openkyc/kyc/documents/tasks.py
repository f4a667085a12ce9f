"""The analysis job: claim a document, analyse it outside any transaction, record the
decision; when the analyser cannot decide, or keeps failing, the document waits for a person
with the reason, never stuck ``in-progress``."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from openkyc.analysis import AnalysisError
from openkyc.db.models import Job
from openkyc.jobs.pool import LimitExceeded, Runner
from openkyc.jobs.worker import Handler
from openkyc.kyc.documents import analysis
from openkyc.metrics import analysis_timer
from openkyc.storage import Storage
from openkyc.wire import Links


def analysis_handler(
    sessions: sessionmaker[Session], storage: Storage, runner: Runner, links: Callable[[], Links]
) -> Handler:
    def run(job: Job) -> None:
        organization_id, payload = job.organization_id, job.payload
        try:
            with sessions.begin() as session:
                prepared = analysis.prepare(session, storage, organization_id, payload)
            if prepared is None:
                return  # decided by a person, or superseded by newer files
            with analysis_timer(prepared.document_type) as outcome:
                result = runner.run(analysis.analyse, prepared)
                outcome(str(result.decision))
        except (AnalysisError, LimitExceeded) as error:
            with sessions.begin() as session:
                analysis.unanalysable(session, organization_id, payload, str(error), links())
            return
        with sessions.begin() as session:
            analysis.apply(session, organization_id, payload, result, links())

    def gave_up(job: Job, error: str) -> None:
        reason = "the analyser failed: " + (error.strip().splitlines() or ["unknown error"])[-1]
        with sessions.begin() as session:
            analysis.unanalysable(session, job.organization_id, job.payload, reason, links())

    return Handler(run, gave_up)
