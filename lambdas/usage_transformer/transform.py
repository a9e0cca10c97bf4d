"""The Firehose transformation: plain functions, no AWS calls.

Firehose needs one result per record id. A record that raised out of the handler would
make Firehose retry the whole batch and then send every record of it, good ones included,
to the error prefix; so each record is transformed on its own and whatever goes wrong
with it becomes that record's ``ProcessingFailed``.
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Iterable

from aws_lambda_powertools.utilities.data_classes import (
    KinesisFirehoseDataTransformationRecord,
    KinesisFirehoseDataTransformationResponse,
)
from aws_lambda_powertools.utilities.data_classes.kinesis_firehose_event import (
    KinesisFirehoseRecord,
)

from shop_common.observability import logger
from shop_common.usage_events import InvalidUsageEventError, decode_usage_event


def transform_record(record: KinesisFirehoseRecord) -> KinesisFirehoseDataTransformationRecord:
    """One record in normal form as a JSON line, or ``ProcessingFailed`` with its data as is.

    Failed records are not dropped: Firehose writes them, untouched, under the error prefix.
    """
    data = record.raw_event.get("data", "")
    try:
        event = decode_usage_event(data)
    except InvalidUsageEventError:
        return record.build_data_transformation_response(result="ProcessingFailed", data=data)
    except Exception as error:  # a failure parsing does not anticipate: still this record's
        logger.warning(
            "Unexpected error transforming a record", record_id=record.record_id, error=repr(error)
        )
        return record.build_data_transformation_response(result="ProcessingFailed", data=data)
    line = (event.to_json() + "\n").encode()
    return record.build_data_transformation_response(
        result="Ok", data=base64.b64encode(line).decode("ascii")
    )


def transform_records(
    records: Iterable[KinesisFirehoseRecord],
) -> tuple[KinesisFirehoseDataTransformationResponse, Counter[str]]:
    """The response for every record (same ids, same order) and a count per result."""
    response = KinesisFirehoseDataTransformationResponse()
    results: Counter[str] = Counter()
    for record in records:
        transformed = transform_record(record)
        results[transformed.result] += 1
        response.add_record(transformed)
    return response, results
