"""What a ``GraphqlApi`` needs to know of its schema file without a GraphQL library: the
object types and their fields, and the mutations each ``@aws_subscribe`` follows.

The reading is deliberately small (comments, strings and descriptions are dropped, then
``type``/``extend type`` blocks are split into fields at depth one); it is enough to refuse
a file that is not a schema, a resolver on a field that does not exist and a subscription
following a mutation that does not exist, at construction rather than at deployment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

#: AppSync's limit on a schema definition (CloudFormation ``Definition``), in bytes.
MAX_SCHEMA_BYTES = 1_000_000
_NAME = r"[_A-Za-z][_0-9A-Za-z]*"
_TYPE_HEAD = re.compile(rf"\b(?:extend\s+)?type\s+({_NAME})[^{{]*\{{")
_SUBSCRIBE = re.compile(r"@aws_subscribe\s*\(\s*mutations\s*:\s*\[([^\]]*)\]\s*\)")


@dataclass
class SchemaOutline:
    """Object types (``Query``, ``Product``...) with their field names, and per
    subscription field the mutations it follows."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    subscriptions: dict[str, list[str]] = field(default_factory=dict)

    def has_field(self, type_name: str, field_name: str) -> bool:
        return field_name in self.fields.get(type_name, [])


def _strip(text: str) -> str:
    """The schema without block strings (descriptions) and comments, whose braces are
    text. One-line strings stay: ``@aws_subscribe`` names its mutations in them."""
    text = re.sub(r'"""[\s\S]*?"""', " ", text)
    return re.sub(r"#[^\n]*", " ", text)


def _body(text: str, start: int, path: Path) -> tuple[str, int]:
    """The text between the brace before ``start`` and its closing brace."""
    depth, index = 1, start
    while index < len(text) and depth:
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        index += 1
    if depth:
        raise ValueError(f"schema {str(path)!r} has an unclosed '{{' (not a GraphQL schema)")
    return text[start : index - 1], index


def _blank_arguments(text: str) -> str:
    """``text`` with what is inside parentheses blanked out (same length, so positions
    still match): a field's arguments and a directive's are not fields."""
    out, depth = [], 0
    for char in text:
        if char == ")":
            depth -= 1
        out.append(char if depth == 0 or char in "\n" else " ")
        if char == "(":
            depth += 1
    return "".join(out)


_FIELD = re.compile(rf"(?:^|(?<=[\s,{{]))({_NAME})\s*(?:\(\s*\))?\s*:")


def _fields(body: str) -> list[tuple[str, int]]:
    """(field name, where it starts) for each field of a type's body."""
    return [(m.group(1), m.start(1)) for m in _FIELD.finditer(_blank_arguments(body))]


def read_schema(path: Path) -> SchemaOutline:
    """Outline of the schema file at ``path``; ``ValueError`` naming the file when it is
    missing, empty, too large, unbalanced or without a ``Query`` type."""
    if not path.is_file():
        raise ValueError(f"schema {str(path)!r} is not a file: give the path of a .graphql file")
    size = path.stat().st_size
    if not 0 < size <= MAX_SCHEMA_BYTES:
        raise ValueError(
            f"schema {str(path)!r} has {size} bytes: AppSync accepts 1 to {MAX_SCHEMA_BYTES}"
        )
    text = _strip(path.read_text(encoding="utf-8"))
    if text.count("{") != text.count("}"):
        raise ValueError(f"schema {str(path)!r} has unbalanced braces (not a GraphQL schema)")
    outline = SchemaOutline()
    position = 0
    while match := _TYPE_HEAD.search(text, position):
        body, position = _body(text, match.end(), path)
        fields = _fields(body)
        outline.fields.setdefault(match.group(1), []).extend(name for name, _ in fields)
        if match.group(1) == "Subscription":
            for subscribe in _SUBSCRIBE.finditer(body):
                before = [name for name, start in fields if start < subscribe.start()]
                if before:
                    mutations = [m.strip().strip("\"'") for m in subscribe.group(1).split(",")]
                    outline.subscriptions[before[-1]] = [m for m in mutations if m]
    if not outline.fields.get("Query"):
        raise ValueError(
            f"schema {str(path)!r} defines no 'type Query' with fields: AppSync requires one"
        )
    for subscription, mutations in outline.subscriptions.items():
        for mutation in mutations:
            if not outline.has_field("Mutation", mutation):
                raise ValueError(
                    f"schema {str(path)!r}: Subscription.{subscription} follows mutation "
                    f"{mutation!r}, which is not a field of type Mutation "
                    f"({', '.join(outline.fields.get('Mutation', [])) or 'none'})"
                )
    return outline
