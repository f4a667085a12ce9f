"""How a customer compares with one list entry: names, birth date and place.

Pure functions of plain values (no database, no settings): the screening service feeds them
the customer and the candidates the index found, and turns what they say into confidence
with the organization's settings. Names are compared in ASCII (rigour transliterates
Cyrillic, Greek, Arabic, Chinese and other scripts), token by token in any order, with
initials, typos (a budget that grows with the token's length, two edits at most), sound-alike
spellings (metaphone, or the same consonants: Mohammed, Muhammad) and tokens written
together or apart (Xi Jinping, Xi Jin Ping)."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum

from rapidfuzz.distance import OSA
from rigour.names import remove_person_prefixes
from rigour.text.phonetics import metaphone
from rigour.text.translit import ascii_text

from openkyc.aml.enums import BirthMatch, NameMatch, PlaceMatch

_SPLIT = re.compile(r"[^a-z0-9]+")
_VOWELS = re.compile(r"[aeiouy]")
# Typos forgiven in one token, by its length: none in short tokens, two at most.
MAX_TYPOS = 2


def name_tokens(*parts: str | None) -> tuple[str, ...]:
    """A name as lower-case ASCII tokens, titles (Mr, Dr, …) left out."""
    text = " ".join(p for p in parts if p)
    ascii_name = ascii_text(text).lower()
    cleaned = remove_person_prefixes(" ".join(_SPLIT.split(ascii_name)).strip())
    return tuple(t for t in cleaned.split() if t)


@functools.lru_cache(maxsize=65536)
def skeleton(token: str) -> str:
    """The token's consonants, repeats collapsed: Mohammed, Muhammad and the Arabic
    script's transliteration mhmd all give ``mhmd``."""
    consonants = _VOWELS.sub("", token[1:])
    collapsed = re.sub(r"(.)\1+", r"\1", token[:1] + consonants)
    return collapsed


def sound(token: str) -> str:
    return metaphone(token) if len(token) >= 3 else ""


@functools.lru_cache(maxsize=65536)
def token_keys(token: str) -> tuple[str, ...]:
    """A token's keys: its sound and its consonant skeleton (none for a single letter)."""
    if len(token) < 2:
        return ()
    code = sound(token)
    found = (f"m:{code}"[:40],) if code else ()
    return (*found, f"s:{skeleton(token)}"[:40])


def index_keys(tokens: Iterable[str]) -> set[str]:
    """The keys a name is found by: each token's sound and consonant skeleton. A customer
    and an entry that share a key are compared; those that share none never are."""
    return {key for token in tokens for key in token_keys(token)}


# Pairs are made of a name's first tokens only (a long company name would give hundreds).
PAIRED_TOKENS = 6
# Tokens this long are also paired by their first two and last two letters, and tokens of
# TYPO_LONG_ENDS letters or more by their first three and last three as well.
TYPO_ENDS = 4
TYPO_LONG_ENDS = 5


def _part(key: str) -> str:
    return key.replace(":", "", 1)[:18]


def pair_keys(tokens: Sequence[str]) -> set[str]:
    """The keys of two tokens of one name together: a key of one and a key of the other.
    Few entries share one with a customer (``james`` and ``smith`` are common, the two
    together are not), so candidates sharing two tokens are found without reading every
    entry that shares one."""
    usable = list(dict.fromkeys(t for t in tokens if len(t) >= 2))[:PAIRED_TOKENS]
    keys: set[str] = set()

    def add(one: str, other: str) -> None:
        low, high = sorted((one, other))
        keys.add(f"p:{low}|{high}")

    for a, b in itertools.combinations(usable, 2):
        for key_a in token_keys(a):
            for key_b in token_keys(b):
                add(_part(key_a), _part(key_b))
        # A typo changes a token's sound and consonants, rarely both its first two letters
        # and its last two: one token whole with the other's ends still finds the pair.
        # Three letters (``<<``, ``>>``) are rarer: a first name with a surname's last two
        # letters is shared by thousands of entries of a large list, with its last three by
        # a tenth of them.
        for whole, typed in ((a, b), (b, a)):
            if len(typed) >= TYPO_ENDS:
                add(f"s{skeleton(whole)}"[:18], f"<{typed[:2]}")
                add(f"s{skeleton(whole)}"[:18], f">{typed[-2:]}")
            if len(typed) >= TYPO_LONG_ENDS:
                add(f"s{skeleton(whole)}"[:18], f"<<{typed[:3]}")
                add(f"s{skeleton(whole)}"[:18], f">>{typed[-3:]}")
    return keys


def is_pair_key(key: str) -> bool:
    return key.startswith("p:")


def name_keys(tokens: Sequence[str]) -> set[str]:
    """Every key a name of a list entry is indexed by: each token's, and each pair's."""
    return index_keys(tokens) | pair_keys(tokens)


class TokenMatch(IntEnum):
    """How two tokens match, the best first."""

    EXACT = 0
    TYPO = 1
    PHONETIC = 2
    INITIAL = 3


def typo_budget(token: str, other: str) -> int:
    shorter = min(len(token), len(other))
    if shorter <= 3:
        return 0
    return 1 if shorter <= 6 else MAX_TYPOS


@functools.lru_cache(maxsize=65536)
def compare_tokens(query: str, candidate: str) -> tuple[TokenMatch, int] | None:
    """How ``query`` matches ``candidate`` and with how many typos, or None."""
    if query == candidate:
        return TokenMatch.EXACT, 0
    if len(query) == 1 or len(candidate) == 1:
        return (TokenMatch.INITIAL, 0) if query[0] == candidate[0] else None
    budget = typo_budget(query, candidate)
    # A swap of two neighbouring letters is one typo.
    edits = OSA.distance(query, candidate)
    if edits <= budget:
        return TokenMatch.TYPO, edits
    same_sound = bool(sound(query)) and sound(query) == sound(candidate)
    # Scripts that write no vowels (Arabic, Hebrew) transliterate to consonants alone.
    vowelless = query == skeleton(query) or candidate == skeleton(candidate)
    same_consonants = skeleton(query) == skeleton(candidate) and (
        len(skeleton(query)) >= 3 or vowelless
    )
    # Sounding alike is not enough when the spelling is mostly different (Jane, John).
    close = vowelless or edits <= max(2, min(len(query), len(candidate)) // 2)
    if (same_sound or same_consonants) and close:
        return TokenMatch.PHONETIC, 0
    return None


@dataclass
class Alignment:
    """Which query token matched which candidate token, and how."""

    pairs: dict[int, tuple[TokenMatch, int]] = field(default_factory=dict)
    unmatched_query: list[int] = field(default_factory=list)
    unmatched_candidate: list[int] = field(default_factory=list)

    @property
    def typos(self) -> int:
        return sum(edits for _, edits in self.pairs.values())

    def count(self, *kinds: TokenMatch) -> int:
        return sum(1 for kind, _ in self.pairs.values() if kind in kinds)


def align(query: Sequence[str], candidate: Sequence[str]) -> Alignment:
    """Pair each query token with at most one candidate token, best matches first, in any
    order; then tokens written together on one side and apart on the other."""
    options = []
    for i, q in enumerate(query):
        for j, c in enumerate(candidate):
            found = compare_tokens(q, c)
            if found is not None:
                options.append((found[0], found[1], i, j))
    options.sort()
    result = Alignment()
    used: set[int] = set()
    for kind, edits, i, j in options:
        if i in result.pairs or j in used:
            continue
        result.pairs[i] = (kind, edits)
        used.add(j)
    result.unmatched_query = [i for i in range(len(query)) if i not in result.pairs]
    result.unmatched_candidate = [j for j in range(len(candidate)) if j not in used]
    _join_split_tokens(query, candidate, result)
    return result


def _join_split_tokens(query: Sequence[str], candidate: Sequence[str], result: Alignment) -> None:
    free = result.unmatched_candidate
    for i in list(result.unmatched_query):
        for a, b in itertools.pairwise(free):
            if b == a + 1 and query[i] == candidate[a] + candidate[b]:
                result.pairs[i] = (TokenMatch.EXACT, 0)
                result.unmatched_query.remove(i)
                free = [j for j in free if j not in (a, b)]
                break
    for a, b in itertools.pairwise(list(result.unmatched_query)):
        if b != a + 1:
            continue
        for j in free:
            if candidate[j] == query[a] + query[b]:
                result.pairs[a] = result.pairs[b] = (TokenMatch.EXACT, 0)
                result.unmatched_query = [i for i in result.unmatched_query if i not in (a, b)]
                free = [k for k in free if k != j]
                break
    result.unmatched_candidate = free


def _initials_agree(alignment: Alignment, query: Sequence[str], candidate: Sequence[str]) -> bool:
    """Every query token left over starts like a candidate token left over."""
    initials = {candidate[j][0] for j in alignment.unmatched_candidate}
    return all(query[i][0] in initials for i in alignment.unmatched_query)


def name_quality(
    alignment: Alignment, query: Sequence[str], candidate: Sequence[str]
) -> NameMatch | None:
    """exact: the same tokens, any order; inexact: every token found, with initials, at most
    two typos in all, sound-alike spellings or middle names missing on either side; weak:
    a token found and the others left over starting with the same letters; else no match."""
    query_length = len(query)
    strong = alignment.count(TokenMatch.EXACT, TokenMatch.TYPO, TokenMatch.PHONETIC)
    missing_query, missing_candidate = alignment.unmatched_query, alignment.unmatched_candidate
    if (
        not missing_query
        and not missing_candidate
        and alignment.count(TokenMatch.EXACT) == (query_length)
    ):
        return NameMatch.EXACT
    initials = alignment.count(TokenMatch.INITIAL)
    needed = 2 if query_length >= 2 else 1
    if (
        strong >= 1
        and strong + initials >= needed
        and alignment.typos <= MAX_TYPOS
        and initials <= 1
        and len(missing_query) <= (1 if query_length >= 3 else 0)
        and len(missing_candidate) <= 2
    ):
        return NameMatch.INEXACT
    if strong >= 1 and query_length >= 2 and _initials_agree(alignment, query, candidate):
        return NameMatch.WEAK
    return None


@dataclass(frozen=True)
class ListName:
    """One name of a list entry (its main name or an alias), as tokens."""

    tokens: tuple[str, ...]
    alias: bool = False


@dataclass(frozen=True)
class NameResult:
    quality: NameMatch
    name: ListName
    criteria: tuple[str, ...]


_QUALITY_RANK = {NameMatch.EXACT: 0, NameMatch.INEXACT: 1, NameMatch.WEAK: 2}


def best_name(
    first: Sequence[str], last: Sequence[str], names: Sequence[ListName]
) -> NameResult | None:
    """The closest of the entry's names to the customer's, with the criteria it met."""
    query = (*first, *last)
    if not query:
        return None
    best: NameResult | None = None
    for name in names:
        alignment = align(query, name.tokens)
        quality = name_quality(alignment, query, name.tokens)
        if quality is None:
            continue
        found = NameResult(quality, name, _name_criteria(first, query, name, alignment, quality))
        if best is None or _rank(found) < _rank(best):
            best = found
    return best


def _rank(result: NameResult) -> tuple[int, int, int]:
    return (_QUALITY_RANK[result.quality], int(result.name.alias), -len(result.criteria))


def _name_criteria(
    first: Sequence[str],
    query: Sequence[str],
    name: ListName,
    alignment: Alignment,
    quality: NameMatch,
) -> tuple[str, ...]:
    prefix = "match_aka_" if name.alias else "match_"
    criteria = []
    if quality == NameMatch.EXACT:
        criteria.append(f"{prefix}exact_name")
        if tuple(query) == name.tokens:
            criteria.append(f"{prefix}exact_full_name")
    first_indexes = range(len(first))
    last_indexes = range(len(first), len(query))
    if any(alignment.pairs.get(i, (None,))[0] == TokenMatch.PHONETIC for i in first_indexes):
        criteria.append(f"{prefix}phonetic_first_name")
    if any(alignment.pairs.get(i, (None,))[0] == TokenMatch.PHONETIC for i in last_indexes):
        criteria.append(f"{prefix}phonetic_last_name")
    return tuple(criteria)


def _year(text: str) -> int | None:
    return int(text[:4]) if len(text) >= 4 and text[:4].isdigit() else None


def compare_birth(dob: date | None, entry_dates: Iterable[str]) -> BirthMatch:
    """The customer's birth date against the entry's (full dates, or a month or year only)."""
    dates = [d for d in entry_dates if _year(d) is not None]
    if dob is None or not dates:
        return BirthMatch.NO_DOB
    if dob.isoformat() in dates:
        return BirthMatch.DOB
    years = {_year(d) for d in dates}
    if dob.year in years:
        return BirthMatch.YOB
    if any(y is not None and abs(y - dob.year) == 1 for y in years):
        return BirthMatch.INEXACT_YOB
    return BirthMatch.MISMATCH


def place_text(value: str | None) -> str:
    return " ".join(name_tokens(value)) if value else ""


@dataclass(frozen=True)
class Place:
    """Where a customer lives, or where a list entry is known to live or have lived."""

    countries: frozenset[str] = frozenset()
    nationalities: frozenset[str] = frozenset()
    cities: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    postal_codes: frozenset[str] = frozenset()
    streets: frozenset[str] = frozenset()
    # Full addresses as one text each, where the list gives no parts.
    texts: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlaceResult:
    address: PlaceMatch
    country: PlaceMatch
    criteria: tuple[str, ...]


def _mentions(texts: Iterable[str], part: str) -> bool:
    return bool(part) and any(f" {part} " in f" {text} " for text in texts)


def compare_place(customer: Place, entry: Place) -> PlaceResult:
    """City or region matched (or not, or nothing to compare), then the country: where the
    entry lives or its nationality."""
    criteria: list[str] = []
    city = next(iter(customer.cities), "")
    region = next(iter(customer.regions), "")
    if city and (city in entry.cities or _mentions(entry.texts, city)):
        criteria.append("match_exact_city")
    if region and (region in entry.regions or _mentions(entry.texts, region)):
        criteria.append("match_exact_region")
    postal = next(iter(customer.postal_codes), "")
    if postal and (postal in entry.postal_codes or _mentions(entry.texts, postal)):
        criteria.append("match_exact_post_code")
    street = next(iter(customer.streets), "")
    if street and (street in entry.streets or _mentions(entry.texts, street)):
        criteria.append("match_exact_address")
    has_entry_address = bool(entry.cities or entry.regions or entry.texts)
    if any(c in criteria for c in ("match_exact_city", "match_exact_region")):
        address = PlaceMatch.ADDRESS_MATCH
    elif (city or region) and has_entry_address:
        address = PlaceMatch.ADDRESS_MISMATCH
    else:
        address = PlaceMatch.NO_ADDRESS
    return PlaceResult(address, _country(customer, entry, criteria), tuple(criteria))


def _country(customer: Place, entry: Place, criteria: list[str]) -> PlaceMatch:
    country = next(iter(customer.countries), "")
    if not country or not (entry.countries or entry.nationalities):
        return PlaceMatch.NO_COUNTRY
    if country in entry.countries:
        criteria.append("match_exact_country")
    if country in entry.nationalities:
        criteria.append("match_fuzzy_nationality")
    if country in entry.countries or country in entry.nationalities:
        return PlaceMatch.MATCHING_COUNTRY
    return PlaceMatch.MISMATCHING_COUNTRY
