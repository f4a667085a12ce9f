"""The base of the domains' closed sets of words (statuses, kinds)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic_core import core_schema


class WireEnum(StrEnum):
    """A ``StrEnum`` that reads, writes and documents itself on the wire as the plain list of
    its words: the same schema, messages and JSON as a ``Literal`` of its values, while the
    code, the stored rows and the rules use the members."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        words = core_schema.literal_schema([member.value for member in cls])
        return core_schema.no_info_after_validator_function(
            cls,
            words,
            serialization=core_schema.plain_serializer_function_ser_schema(
                str, return_schema=words
            ),
        )


class DecisionState(WireEnum):
    """A person's decision on something under review (a KYC document, an AML check):
    proposed (waits for a second person) or effective."""

    PROPOSED = "proposed"
    EFFECTIVE = "effective"
