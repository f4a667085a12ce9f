"""The quality gate in front of the analyser: the files a customer sends are checked in about
a second before they become a document. A picture that cannot be analysed (blurred, dark,
glare, cut off, no document of the kind asked for, a selfie where a document is asked, its
text not legible) is refused with the hint for a better one: nothing is created, no attempt
is used, and no person ever sees it. Merchants' own uploads (``POST /kyc-documents``) are
not gated: a merchant sends what it has."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from openkyc.analysis import AnalysisError, CaptureCheck, InputFile, check_capture
from openkyc.config import Settings
from openkyc.errors import InvalidField, RetakeNeeded
from openkyc.files import service as file_service
from openkyc.jobs.pool import LimitExceeded, ProcessDied, Runner, runner_for
from openkyc.kyc.enums import ANALYSED_TYPES, IDENTITY_FILE_ROLES
from openkyc.metrics import GATE_SECONDS
from openkyc.storage import Storage, StoredObjectMissing

log = logging.getLogger(__name__)


class CaptureGate:
    """Where the gate's checks run: processes of its own (models loaded once in each, with
    the analyses' memory limit and a time limit), or the caller's thread, one check or
    analysis at a time in the process (the face models and PDFium are not safe in
    concurrent threads). The caller holds no transaction meanwhile (see :func:`screen`)."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner

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
            result = self.runner.run(check_capture, files, document_type, subtype)
        except (LimitExceeded, ProcessDied, AnalysisError) as error:
            log.warning("the quality gate gave up, the analysis will judge: %s", error)
            GATE_SECONDS.labels("skipped").observe(time.perf_counter() - started)
            return None
        outcome = "passed" if result.passed else "retake"
        GATE_SECONDS.labels(outcome).observe(time.perf_counter() - started)
        return result


def _role(tags: list[str]) -> str | None:
    return next((t for t in tags if t in IDENTITY_FILE_ROLES), None)


@dataclass(frozen=True)
class Capture:
    """The files of one document about to be sent, read while a short read session was open:
    the gate judges them after it closed, so that no transaction waits on the analysis."""

    document_type: str
    subtype: str | None
    file_ids: tuple[str, ...]
    files: tuple[InputFile, ...]


def capture_of(
    session: Session,
    storage: Storage,
    organization_id: str,
    document_type: str,
    subtype: str | None,
    file_ids: list[str],
) -> Capture | None:
    """The files the gate will judge, or None when it has nothing to judge (a type the
    analyser does not read, or a file missing: the document's own checks name it)."""
    if document_type not in ANALYSED_TYPES or not file_ids:
        return None
    rows = file_service.by_id(session, organization_id, file_ids)
    try:
        files = tuple(
            InputFile(storage.get(rows[f].storage_key), _role(rows[f].tags), rows[f].name)
            for f in file_ids
        )
    except (KeyError, StoredObjectMissing):
        return None
    return Capture(document_type, subtype, tuple(file_ids), files)


def screen(gate: CaptureGate, capture: Capture | None) -> None:
    """Refuse (RetakeNeeded, with a hint per file) files the analyser could not judge. Call
    it with no transaction open: the check takes about a second of OCR."""
    if capture is None:
        return
    result = gate.check(capture.files, capture.document_type, capture.subtype)
    if result is None or result.passed:
        return
    fields: list[InvalidField] = []
    hints: list[dict[str, object]] = []
    for problem in result.problems:
        file_id = capture.file_ids[problem.file_index]
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
