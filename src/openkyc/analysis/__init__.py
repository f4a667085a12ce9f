"""openkyc.analysis: decide on identity and address documents, offline, in about a second.

A library with no database, no HTTP and no application settings: bytes of images or
PDFs, the person the merchant expects and the scoring settings go in; checks, a score,
a decision, hints for the customer and fingerprints for duplicate search come out.

Public surface
==============

Inputs
    :class:`InputFile` (``data``, ``tag``: ``id-front`` / ``id-back`` / ``face-proof`` /
    None), :class:`Person`, and the settings :class:`IdentitySettings` /
    :class:`AddressSettings` (weights by check name, :class:`Thresholds`,
    :class:`MinimumAgeSettings` with :class:`LocationOverride`), shaped like the
    contract's ``KycSettings.identityProof`` and ``addressProof``, with the defaults
    :data:`DEFAULT_IDENTITY_SETTINGS` and :data:`DEFAULT_ADDRESS_SETTINGS` (see
    :mod:`openkyc.analysis.settings` for why they are what they are).
    :func:`identity_settings_from_contract`, :func:`address_settings_from_contract`
    and :func:`settings_to_contract` convert from and to the contract's JSON.

Analyses
    :func:`analyze_identity` and :func:`analyze_address`. ``today`` is always passed
    in (no hidden clock); ``match_level`` is the contract's 2 strict (default),
    1 moderate, 3 basic.

Results
    :class:`IdentityAnalysis` / :class:`AddressAnalysis`: ``checks`` (:class:`Check`,
    named like the contract's weights), ``score``, ``decision`` (``accepted``,
    ``rejected``, ``pending``), ``rejection`` (:class:`Rejection`), ``hints``
    (:class:`Hint`), ``matches`` (the contract's ``KycIdentityMatches`` /
    ``KycAddressMatches``), ``parsed_data``, ``quality`` (:class:`QualityFinding`)
    and ``fingerprints`` (:class:`Fingerprints`). ``to_dict()`` gives JSON-ready data.

Pure decisions
    :func:`score_document`, :func:`rejection_for`, :func:`find_duplicate` (compare a
    document's fingerprints with other customers'), :func:`with_duplicate` (fold the
    duplicate found into the result),
    :func:`mrz_check_digit`, :func:`parse_mrz`, :func:`name_matches`,
    :func:`minimum_age_for`, :func:`age_on`.

Quality gate
    :func:`check_capture` answers in about a second whether the files of one document are
    worth analysing at all (:class:`CaptureCheck` with each :class:`CaptureProblem` and its
    hint): no picture, blank or noise, blur, glare, darkness, cut off, a selfie where a
    document is asked or the reverse, machine-readable lines or text not legible.

Liveness
    :func:`check_liveness` decides whether camera frames (:class:`LivenessFrame`) show one
    live person meeting a random challenge of :data:`CHALLENGE_STEPS`, and gives a
    :class:`LivenessResult` with each :class:`FramePose`; :func:`pose_of` is the pure
    yaw and roll of five landmarks.

Models
    :class:`Engines` holds a :class:`TextReader` and a :class:`FaceFinder`;
    :func:`default_engines` gives the process-wide ones (rapidocr, dlib), loaded on
    first use; :func:`warm_up` loads them now.

Errors
    :class:`AnalysisError` ← :class:`UnreadableFile`, :class:`UnsupportedInput`,
    :class:`ModelUnavailable`.
"""

from openkyc.analysis.address import analyze_address
from openkyc.analysis.dates import age_on
from openkyc.analysis.engines import (
    Engines,
    Face,
    FaceFinder,
    TextLine,
    TextReader,
    default_engines,
    warm_up,
)
from openkyc.analysis.errors import (
    AnalysisError,
    ModelUnavailable,
    UnreadableFile,
    UnsupportedInput,
)
from openkyc.analysis.fingerprints import find_duplicate
from openkyc.analysis.gate import CaptureCheck, CaptureProblem, check_capture
from openkyc.analysis.identity import analyze_identity
from openkyc.analysis.liveness import (
    CHALLENGE_STEPS,
    FramePose,
    LivenessFrame,
    LivenessResult,
    check_liveness,
    pose_of,
)
from openkyc.analysis.models import (
    AddressAnalysis,
    Check,
    Fingerprints,
    Hint,
    IdentityAnalysis,
    InputFile,
    Person,
    QualityFinding,
    Rejection,
)
from openkyc.analysis.mrz import MrzResult, mrz_check_digit, parse_mrz
from openkyc.analysis.names import name_matches
from openkyc.analysis.scoring import Score, rejection_for, score_document, with_duplicate
from openkyc.analysis.settings import (
    DEFAULT_ADDRESS_SETTINGS,
    DEFAULT_IDENTITY_SETTINGS,
    AddressSettings,
    IdentitySettings,
    LocationOverride,
    MinimumAgeSettings,
    Thresholds,
    address_settings_from_contract,
    identity_settings_from_contract,
    minimum_age_for,
    settings_to_contract,
)

__all__ = [
    "CHALLENGE_STEPS",
    "DEFAULT_ADDRESS_SETTINGS",
    "DEFAULT_IDENTITY_SETTINGS",
    "AddressAnalysis",
    "AddressSettings",
    "AnalysisError",
    "CaptureCheck",
    "CaptureProblem",
    "Check",
    "Engines",
    "Face",
    "FaceFinder",
    "Fingerprints",
    "FramePose",
    "Hint",
    "IdentityAnalysis",
    "IdentitySettings",
    "InputFile",
    "LivenessFrame",
    "LivenessResult",
    "LocationOverride",
    "MinimumAgeSettings",
    "ModelUnavailable",
    "MrzResult",
    "Person",
    "QualityFinding",
    "Rejection",
    "Score",
    "TextLine",
    "TextReader",
    "Thresholds",
    "UnreadableFile",
    "UnsupportedInput",
    "address_settings_from_contract",
    "age_on",
    "analyze_address",
    "analyze_identity",
    "check_capture",
    "check_liveness",
    "default_engines",
    "find_duplicate",
    "identity_settings_from_contract",
    "minimum_age_for",
    "mrz_check_digit",
    "name_matches",
    "parse_mrz",
    "pose_of",
    "rejection_for",
    "score_document",
    "settings_to_contract",
    "warm_up",
    "with_duplicate",
]
