"""The query strings and headers a route reads: checked names, and how API Gateway sees them.

A proxy integration hands the function every query string and header whatever the method
declares, but API Gateway validates only the declared ones, and its stage cache keys a
response on the declared ones alone (with the method and the resource path). A cached
route that reads an undeclared parameter is answered with another request's response.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType

#: Where a declared parameter is sent, and its ``method.request.<location>`` prefix.
LOCATIONS = {"query_strings": "querystring", "headers": "header"}

# URL-unreserved characters: a name that needs no percent-encoding in any client.
_QUERY_STRING = re.compile(r"^[A-Za-z0-9._~-]{1,128}$")
# An HTTP field name (RFC 9110 "token"), the names API Gateway can match on.
_HEADER = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$")
_ALLOWED = {
    "query_strings": (_QUERY_STRING, "1-128 letters, digits or '._~-'"),
    "headers": (_HEADER, "1-128 letters, digits or !#$%&'*+.^_`|~-"),
}


def check_parameters(
    argument: str, value: Sequence[str] | Mapping[str, bool], route: str
) -> Mapping[str, bool]:
    """``value`` as a read-only ``{name: required}``; a sequence of names declares them
    optional. ``TypeError``/``ValueError`` name the route, the argument and the value."""
    if isinstance(value, str) or not isinstance(value, (Sequence, Mapping)):
        raise TypeError(
            f"route {route}: {argument} must be a sequence of names or a mapping of name to "
            f"required (bool), got {value!r}"
        )
    declared = dict(value) if isinstance(value, Mapping) else dict.fromkeys(value, False)
    if len(declared) != len(value):
        raise ValueError(f"route {route}: {argument} names must be unique, got {list(value)!r}")
    pattern, allowed = _ALLOWED[argument]
    seen: dict[str, str] = {}
    for name, required in declared.items():
        if not isinstance(name, str):
            raise TypeError(f"route {route}: {argument} names must be strings, got {name!r}")
        if not pattern.match(name):
            raise ValueError(f"route {route}: {argument} name {name!r} must be {allowed}")
        if not isinstance(required, bool):
            raise TypeError(
                f"route {route}: {argument}[{name!r}] must be True (required) or False "
                f"(optional), got {required!r}"
            )
        # Header names are case-insensitive, so two spellings would be one header twice.
        folded = name.lower() if argument == "headers" else name
        if folded in seen:
            raise ValueError(
                f"route {route}: {argument} {seen[folded]!r} and {name!r} are the same header"
            )
        seen[folded] = name
    return MappingProxyType(declared)


def method_request_parameters(
    path_parameters: Sequence[str],
    declared: Mapping[str, Mapping[str, bool]],
) -> dict[str, bool]:
    """``{"method.request.path.sku": True, "method.request.querystring.cursor": False}``:
    path parameters are always required; ``declared`` maps argument name to names."""
    parameters = {f"method.request.path.{name}": True for name in path_parameters}
    for argument, names in declared.items():
        for name, required in names.items():
            parameters[f"method.request.{LOCATIONS[argument]}.{name}"] = required
    return parameters
