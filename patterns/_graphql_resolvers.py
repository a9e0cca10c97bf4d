"""JavaScript resolvers of a ``GraphqlApi``: the code files, their checks and the data
sources they run against."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from patterns._grants import acknowledged
from patterns._imported import check_invocable
from patterns._types import check_fields, jsii_types

#: AppSync's limit on one resolver's or function's code, in bytes.
MAX_CODE_BYTES = 32 * 1024
_EXPORT = r"export\s+(?:async\s+)?(?:function\s+{0}\s*\(|(?:const|let|var)\s+{0}\s*=)"
_DATA_SOURCE_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,64}$")
DataSourceTarget = dynamodb.ITable | lambda_.IFunction


@dataclass(frozen=True)
class PipelineStep:
    """One function of a pipeline resolver: its JavaScript ``code`` (``request`` and
    ``response`` exported) run against the data source named ``data_source``."""

    name: str
    data_source: str
    code: str | os.PathLike[str]

    def __post_init__(self) -> None:
        check_fields(self, "PipelineStep")
        if not _DATA_SOURCE_NAME.match(self.name):
            raise ValueError(
                f"PipelineStep name must be 1 to 65 letters, digits or '_' not starting with "
                f"a digit, got {self.name!r}"
            )


def read_code(argument: str, code: str | os.PathLike[str]) -> str:
    """The JavaScript of a resolver or function file, checked as AppSync will: ``.js``,
    at most 32 KB, exporting ``request`` and ``response``."""
    path = Path(code)
    if path.suffix not in (".js", ".mjs") or not path.is_file():
        raise ValueError(
            f"{argument} {str(path)!r} is not a .js file: AppSync runs JavaScript resolvers "
            "(APPSYNC_JS) from one file each"
        )
    text = path.read_text(encoding="utf-8")
    size = len(text.encode())
    if not 0 < size <= MAX_CODE_BYTES:
        raise ValueError(
            f"{argument} {str(path)!r} has {size} bytes: AppSync takes 1 to {MAX_CODE_BYTES}"
        )
    missing = [
        name for name in ("request", "response") if not re.search(_EXPORT.format(name), text)
    ]
    if missing:
        raise ValueError(
            f"{argument} {str(path)!r} does not export {' and '.join(missing)}: an APPSYNC_JS "
            "resolver exports both request(ctx) and response(ctx)"
        )
    return text


def check_data_sources(
    data_sources: Mapping[str, DataSourceTarget], read_only_tables: Sequence[str]
) -> None:
    """``ValueError`` on a name AppSync refuses, or a read-only name that is no table."""
    for name, target in data_sources.items():
        if not _DATA_SOURCE_NAME.match(name):
            raise ValueError(
                f"data_sources key {name!r} must be 1 to 65 letters, digits or '_' not "
                "starting with a digit (AppSync's data source names)"
            )
        if not _is_table(target):
            check_invocable(target, f"data_sources[{name!r}]", "AppSync")  # type: ignore[arg-type]
    if isinstance(read_only_tables, str):
        raise TypeError(f"read_only_tables must be a sequence of names, not {read_only_tables!r}")
    for name in read_only_tables:
        found = data_sources.get(name)
        if found is None or not _is_table(found):
            tables = [n for n, t in data_sources.items() if _is_table(t)]
            raise ValueError(
                f"read_only_tables entry {name!r} is not the name of a table in data_sources "
                f"(tables: {', '.join(tables) or 'none'})"
            )


def _is_table(target: object) -> bool:
    return "aws-cdk-lib.aws_dynamodb.ITable" in jsii_types(target)


def add_data_sources(
    scope: Construct,
    api: appsync.GraphqlApi,
    data_sources: Mapping[str, DataSourceTarget],
    read_only_tables: Sequence[str],
) -> dict[str, appsync.BaseDataSource]:
    """One data source per entry, each with its own role holding only its own grant
    (``dynamodb`` read or read/write on that table, ``lambda:InvokeFunction`` on that
    function), the grant's wildcards (indexes, versions) acknowledged."""
    created: dict[str, appsync.BaseDataSource] = {}
    for name, target in data_sources.items():
        role = iam.Role(
            scope,
            f"{name}Role",
            assumed_by=iam.ServicePrincipal("appsync.amazonaws.com"),
            description=f"AppSync data source {name}",
        )

        def make(
            name: str = name, target: DataSourceTarget = target, role: iam.Role = role
        ) -> iam.Grant:
            if _is_table(target):
                created[name] = appsync.DynamoDbDataSource(
                    scope,
                    name,
                    api=api,
                    table=target,  # type: ignore[arg-type]
                    read_only_access=name in read_only_tables,
                    service_role=role,
                    name=name,
                )
            else:
                created[name] = appsync.LambdaDataSource(
                    scope,
                    name,
                    api=api,
                    lambda_function=target,  # type: ignore[arg-type]
                    service_role=role,
                    name=name,
                )
            return iam.Grant.drop(role, f"data source {name}")

        acknowledged(make, role, f"AppSync data source {name}")
    return created


def pipeline_function(
    scope: Construct,
    api: appsync.GraphqlApi,
    step: PipelineStep,
    index: int,
    source: appsync.BaseDataSource,
    built: dict[str, tuple[str, str, appsync.AppsyncFunction]],
) -> appsync.AppsyncFunction:
    """``<name>Function``: the step's function, shared by every pipeline naming the same
    step (``built``: by name, the data source, code and function made so far); another
    step under a name already used is a ``ValueError``."""
    code = read_code(f"steps[{index}].code", step.code)
    if step.name in built:
        data_source, known_code, function = built[step.name]
        if (data_source, known_code) != (step.data_source, code):
            raise ValueError(
                f"steps[{index}] name {step.name!r} is already a pipeline function with "
                "another data source or code: give each different step its own name"
            )
        return function
    function = appsync.AppsyncFunction(
        scope,
        f"{step.name}Function",
        api=api,
        name=step.name,
        data_source=source,
        code=appsync.Code.from_inline(code),
        runtime=appsync.FunctionRuntime.JS_1_0_0,
    )
    built[step.name] = (step.data_source, code, function)
    return function
