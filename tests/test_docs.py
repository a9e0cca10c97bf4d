"""The committed API reference documents every public name and is up to date."""

from __future__ import annotations

import inspect
from pathlib import Path

import patterns
from tests.support.cdk_app import ROOT
from tools.docs import render

COMMITTED = ROOT / "docs" / "reference"


def test_reference_is_up_to_date(tmp_path: Path) -> None:
    render(tmp_path)
    for page in ("patterns.html", "index.html"):
        assert (tmp_path / page).read_text() == (COMMITTED / page).read_text(), (
            f"docs/reference/{page} is stale: run `make docs` and commit it"
        )


def test_every_public_name_has_an_entry() -> None:
    page = (COMMITTED / "patterns.html").read_text()
    missing = [name for name in patterns.__all__ if f'id="{name}"' not in page]
    assert missing == []


def test_every_public_class_documents_its_defaults() -> None:
    for name in patterns.__all__:
        member = getattr(patterns, name)
        if not isinstance(member, type):
            continue
        optional = [
            p
            for p in inspect.signature(member.__init__).parameters.values()  # type: ignore[misc]
            if p.default is not inspect.Parameter.empty
        ]
        if optional:
            assert "Default" in (member.__doc__ or ""), f"{name} does not state its defaults"
