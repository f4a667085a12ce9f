"""What one credential may hand on to another: never more than it holds.

A credential yields API keys (``POST``/``PUT /api-keys``) and tokens (``POST /sessions``). Each
of them may do at most what its maker may do, from at most the addresses its maker works
from. "Every operation" is never implied by an empty or unknown request: it is ``"*"``, given
only by a credential that holds every operation itself.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from openkyc.errors import Forbidden, ValidationFailed
from openkyc.principal import ALL_OPERATIONS, Principal


def token_permissions(
    holder: Principal, requested: Sequence[str] | None, known: frozenset[str]
) -> list[str]:
    """The operations of a new token: what was asked (the holder's own when nothing was), each
    one known and held by the holder, or 422 naming ``permissions``."""
    if requested is None:
        return sorted(holder.permissions) if holder.permissions is not None else [ALL_OPERATIONS]
    wanted = _checked("permissions", holder, set(requested), known)
    return [ALL_OPERATIONS] if ALL_OPERATIONS in wanted else sorted(wanted)


def check_key_grant(
    holder: Principal,
    acl_permissions: Iterable[str] | None,
    allowed_ips: Sequence[str] | None,
    known: frozenset[str],
) -> None:
    """A key the holder creates or rewrites: its ACL (``None``: every operation) and its
    addresses (``None``: anywhere) within the holder's, or 422 naming the field."""
    if acl_permissions is None:
        if holder.permissions is not None:
            raise ValidationFailed.field(
                "acl", "a key with limited permissions can only create keys with an ACL"
            )
    else:
        _checked("acl", holder, set(acl_permissions), known)
    if not _networks_within(holder.allowed_ips, allowed_ips):
        raise ValidationFailed.field(
            "allowedIps",
            "must list only addresses this key is allowed from: "
            + ", ".join(holder.allowed_ips or ()),
        )


def check_may_manage(
    holder: Principal, acl_permissions: Iterable[str] | None, allowed_ips: Sequence[str] | None
) -> None:
    """A restricted holder may change or delete only keys that can do no more than itself."""
    if not _permissions_within(holder.permissions, acl_permissions) or not _networks_within(
        holder.allowed_ips, allowed_ips
    ):
        raise Forbidden("This key can do more than the credentials used to change it")


def _checked(field: str, holder: Principal, wanted: set[str], known: frozenset[str]) -> set[str]:
    if not wanted:
        raise ValidationFailed.field(field, "must name at least one operation, or '*' for all")
    unknown = sorted(wanted - known - {ALL_OPERATIONS})
    if unknown:
        raise ValidationFailed.field(field, "unknown operations: " + ", ".join(unknown))
    if not _permissions_within(holder.permissions, wanted):
        not_held = sorted(wanted - (holder.permissions or frozenset()))
        raise ValidationFailed.field(
            field, "the credentials used do not hold: " + ", ".join(not_held)
        )
    return wanted


def _permissions_within(held: frozenset[str] | None, wanted: Iterable[str] | None) -> bool:
    if held is None or ALL_OPERATIONS in held:
        return True
    return wanted is not None and set(wanted) <= held


def _networks_within(held: Sequence[str] | None, wanted: Sequence[str] | None) -> bool:
    if held is None:
        return True
    if not wanted:
        return False
    outer = [ipaddress.ip_network(n, strict=False) for n in held]
    return all(
        any(_subnet(ipaddress.ip_network(n, strict=False), o) for o in outer) for n in wanted
    )


def _subnet(
    inner: ipaddress.IPv4Network | ipaddress.IPv6Network,
    outer: ipaddress.IPv4Network | ipaddress.IPv6Network,
) -> bool:
    """Whether ``inner`` lies within ``outer`` (never across IPv4 and IPv6)."""
    if isinstance(inner, ipaddress.IPv4Network) and isinstance(outer, ipaddress.IPv4Network):
        return inner.subnet_of(outer)
    if isinstance(inner, ipaddress.IPv6Network) and isinstance(outer, ipaddress.IPv6Network):
        return inner.subnet_of(outer)
    return False
