"""The quality gate in front of the analyser: the files a customer sends are checked in about
a second before they become a document. A picture that cannot be analysed (blurred, dark,
glare, cut off, no document of the kind asked for, a selfie where a document is asked, its
text not legible) is refused with the hint for a better one: nothing is created, no attempt
is used, and no person ever sees it. Merchants' own uploads (``POST /kyc-documents``) are
not gated: a merchant sends what it has."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from openkyc.analysis import AnalysisError, CaptureCheck, InputFile, check_capture
from openkyc.config import Settings
from openkyc.errors import InvalidField, RetakeNeeded
from openkyc.files import service as file_service
from openkyc.jobs.pool import InlineRunner, LimitExceeded, ProcessDied, Runner, runner_for
from openkyc.kyc.enums import ANALYSED_TYPES, IDENTITY_FILE_ROLES
from openkyc.metrics import GATE_SECONDS
from openkyc.storage import Storage, StoredObjectMissing

log = logging.getLogger(__name__)


class CaptureGate:
    """Where the gate's checks run: processes of its own (models loaded once in each, with
    the analyses' memory limit and a time limit), or the caller's thread, one at a time
    (the face models are not safe in concurrent threads)."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self._one_at_a_time = threading.Lock() if isinstance(runner, InlineRunner) else None

    def start(self) -> None:
        """Start the processes (their models load in the background); again is a no-op."""
        self.runner.start()

    def shutdown(self) -> None:
        self.runner.shutdown()

    def check(
        self, files: tuple[InputFile, ...], document_type: str, subtype: str | None
    ) -> CaptureCheck | None:
        """The gate's answer, or None when it could not answer in time (the full analysis
        then judges the files)."""
        started = time.perf_counter()
        try:
            if self._one_at_a_time is None:
                result = self.runner.run(check_capture, files, document_type, subtype)
            else:
                with self._one_at_a_time:
                    result = check_capture(files, document_type, subtype)
        except (LimitExceeded, ProcessDied, AnalysisError) as error:
            log.warning("the quality gate gave up, the analysis will judge: %s", error)
            GATE_SECONDS.labels("skipped").observe(time.perf_counter() - started)
            return None
        outcome = "passed" if result.passed else "retake"
        GATE_SECONDS.labels(outcome).observe(time.perf_counter() - started)
        return result


@dataclass(frozen=True)
class Screening:
    """What the gate needs besides the files' ids: where it runs and where the bytes are."""

    gate: CaptureGate
    storage: Storage


def _role(tags: list[str]) -> str | None:
    return next((t for t in tags if t in IDENTITY_FILE_ROLES), None)


def ensure_analysable(
    session: Session,
    screening: Screening,
    organization_id: str,
    document_type: str,
    subtype: str | None,
    file_ids: list[str],
) -> None:
    """Refuse (RetakeNeeded, with a hint per file) files the analyser could not judge."""
    if document_type not in ANALYSED_TYPES or not file_ids:
        return
    rows = file_service.by_id(session, organization_id, file_ids)
    try:
        files = tuple(
            InputFile(screening.storage.get(rows[f].storage_key), _role(rows[f].tags), rows[f].name)
            for f in file_ids
        )
    except (KeyError, StoredObjectMissing):
        return  # the document's own checks name what is missing
    result = screening.gate.check(files, document_type, subtype)
    if result is None or result.passed:
        return
    fields: list[InvalidField] = []
    hints: list[dict[str, object]] = []
    for problem in result.problems:
        file_id = file_ids[problem.file_index]
        fields.append(InvalidField(f"fileIds.{problem.file_index}", problem.message))
        hints.append(
            {
                "fileId": file_id,
                "code": problem.code,
                "message": problem.message,
                "retake": problem.retake,
            }
        )
    raise RetakeNeeded(fields, hints)


def capture_gate_for(settings: Settings) -> CaptureGate | None:
    """The deployment's gate: off with ``quality_gate`` or ``auto_analysis`` off."""
    if not (settings.quality_gate and settings.auto_analysis):
        return None
    return CaptureGate(
        runner_for(
            settings.gate_processes,
            settings.gate_timeout_seconds,
            settings.analysis_memory_limit_mb,
        )
    )
