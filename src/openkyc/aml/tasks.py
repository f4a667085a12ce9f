"""The AML job: screening again, after a list load, the customers a changed entry could
match. A load queues them in batches; every worker (`openkyc serve`, `openkyc worker`)
takes batches, so a large rescreening is shared."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from openkyc.aml import flows
from openkyc.db.models import Job
from openkyc.jobs.worker import Handler
from openkyc.wire import Links


def rescreen_handler(sessions: sessionmaker[Session], links: Callable[[], Links]) -> Handler:
    def run(job: Job) -> None:
        with sessions.begin() as session:
            flows.rescreen_customers(
                session, job.organization_id, job.payload["customerIds"], links()
            )

    return Handler(run)
