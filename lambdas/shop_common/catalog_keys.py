"""The data catalog's single-table layout, shared by the indexer and the search API.

Per object ``s3://bucket/key``:

- the object item: ``pk=OBJECT#bucket/key``, ``sk=META``, with ``gsi1pk=DATASET#<dataset>``
  and ``gsi1sk=<date>#bucket/key`` (index ``by_dataset``: a dataset's objects by date);
- one item per tag: ``pk=OBJECT#bucket/key``, ``sk=TAG#<key>=<value>``, with
  ``gsi2pk=TAG#<key>=<value>`` and ``gsi2sk=DATASET#<dataset>#bucket/key`` (index
  ``by_tag``: the datasets that have a tag).
"""

from __future__ import annotations

BY_DATASET = "by_dataset"
BY_TAG = "by_tag"
META = "META"


def object_pk(bucket: str, key: str) -> str:
    return f"OBJECT#{bucket}/{key}"


def dataset_pk(dataset: str) -> str:
    return f"DATASET#{dataset}"


def tag_value(name: str, value: str) -> str:
    return f"{name}={value}"


def tag_sk(tag: str) -> str:
    return f"TAG#{tag}"


def tag_pk(tag: str) -> str:
    return f"TAG#{tag}"


def dataset_prefix(dataset: str) -> str:
    """Sort-key prefix of a dataset's entries in ``by_tag``."""
    return f"DATASET#{dataset}#"


def date_sk(date: str, bucket: str, key: str) -> str:
    return f"{date}#{bucket}/{key}"
