"""The Operations stack's wiring: the stage's trigger switch and the alarm routing."""

from __future__ import annotations

import dataclasses

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from stacks.function_settings import function_defaults
from stacks.operations import OperationsStack
from stacks.stages import DEV, STAGING
from tests.support.cdk_app import cli_context
from tests.support.policies import resources_of, role_may_use_key
from tests.support.templates import logical_ids_by_type, with_stage_keys
from tools.assembly import StackArtifact


def synthesize(triggers_enabled: bool) -> Template:
    config = dataclasses.replace(DEV, triggers_enabled=triggers_enabled)
    app = cdk.App(context=cli_context())
    function_defaults(config).apply_to(app)
    return Template.from_stack(OperationsStack(app, "Operations", config=config))


@pytest.mark.parametrize(("enabled", "state"), [(True, "ENABLED"), (False, "DISABLED")])
def test_the_stage_switch_drives_every_trigger(enabled: bool, state: str) -> None:
    template = synthesize(enabled)
    schedules = template.find_resources("AWS::Scheduler::Schedule")
    assert [s["Properties"]["State"] for s in schedules.values()] == [state]
    rules = template.find_resources("AWS::Events::Rule")
    triggers = {k: r for k, r in rules.items() if "FailureRule" not in k}
    assert len(triggers) == 3  # image uploads, open ingress, public bucket
    assert {r["Properties"]["State"] for r in triggers.values()} == {state}
    # Failure notifications keep flowing while triggers are off.
    failure = [r for k, r in rules.items() if "FailureRule" in k]
    assert [r["Properties"]["State"] for r in failure] == ["ENABLED"]


def test_every_alarm_notifies_the_topic_once_and_the_recorder_subscribes() -> None:
    template = synthesize(True)
    topics = list(template.find_resources("AWS::SNS::Topic"))
    assert len(topics) == 1
    alarms = template.find_resources("AWS::CloudWatch::Alarm")
    assert len(alarms) >= 8
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topics[0]}]
    subscriptions = [
        s["Properties"]
        for s in template.find_resources("AWS::SNS::Subscription").values()
        if s["Properties"]["Protocol"] == "lambda"
    ]
    assert len(subscriptions) == 1
    assert "IncidentRecorderAlias" in subscriptions[0]["Endpoint"]["Ref"]


STATEFUL = {
    "AWS::DynamoDB::Table": ["ImageRecognitionMetadata727C89B7", "IncidentsTable307EBBA6"],
    "AWS::S3::Bucket": ["ImageRecognitionAccessLogs59B26B87", "ImageRecognitionImages9016C5E1"],
    "AWS::SQS::Queue": [
        "EbsBackupJobDeadLetterQueueCAB2F6A9",
        "IncidentFailures31FEE0B8",
        "SecurityPoliciesEnforcerDeadLetterQueueBC0E15D2",
    ],
    "AWS::KMS::Key": ["NotificationsKeyADCFA950"],
    "AWS::SNS::Topic": ["NotificationsTopicAE679CBD"],
    "AWS::Logs::LogGroup": [
        "EbsBackupFunctionLogGroupF5EC6D6F",
        "ImageRecognitionThumbnailLogGroupCCDBF5B8",
        "ImageRecognitionWorkflowLogGroupF0D3670E",
        "IncidentRecorderLogGroupB09EF0EB",
        "SecurityPoliciesRemediationLogGroupB4402437",
    ],
}


@pytest.mark.parametrize("stage", ["Dev", "Staging", "Prod"])
def test_stateful_logical_ids_are_pinned(
    stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    found = logical_ids_by_type(stack_artifacts[f"{stage}/Operations"], STATEFUL)
    assert found == with_stage_keys(STATEFUL, stage)


def test_the_thumbnail_function_gets_pillow_and_writes_only_thumbnails() -> None:
    template = synthesize(True)
    layers = template.find_resources("AWS::Lambda::LayerVersion")
    # Pillow, and the stack's shop_common layer that every function gets.
    (layer_id, layer), *others = [(k, v) for k, v in layers.items() if "Pillow" in k]
    assert others == []
    assert [k for k in layers if k != layer_id and not k.startswith("SharedCodeShopCommon")] == []
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.14"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    (thumbnail,) = (
        f["Properties"]
        for f in template.find_resources("AWS::Lambda::Function").values()
        if f["Properties"]["Handler"] == "image_thumbnail.app.handler"
    )
    # The layer's platform is the function's: Python 3.14 on arm64.
    assert (thumbnail["Runtime"], thumbnail["Architectures"]) == ("python3.14", ["arm64"])
    assert {"Ref": layer_id} in thumbnail["Layers"]

    (policy,) = (
        p["Properties"]["PolicyDocument"]["Statement"]
        for k, p in template.find_resources("AWS::IAM::Policy").items()
        if k.startswith("ImageRecognitionThumbnailServiceRoleDefaultPolicy")
    )
    writes = [s for s in policy if any(a.startswith("s3:Put") for a in _list(s["Action"]))]
    assert len(writes) == 1
    assert writes[0]["Resource"] == {
        "Fn::Join": [
            "",
            [{"Fn::GetAtt": ["ImageRecognitionImages9016C5E1", "Arn"]}, "/thumbnails/*"],
        ]
    }


def test_thumbnails_do_not_start_the_workflow() -> None:
    rules = synthesize(True).find_resources("AWS::Events::Rule")
    (pattern,) = (
        r["Properties"]["EventPattern"]
        for r in rules.values()
        if r["Properties"].get("EventPattern", {}).get("detail-type") == ["Object Created"]
    )
    assert pattern["detail"]["object"] == {"key": [{"anything-but": {"prefix": "thumbnails/"}}]}


def _list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


KEY_USE = ("kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt")


def test_prod_backups_are_encrypted_with_the_stacks_own_key(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    template = stack_artifacts["Prod/Operations"].template()
    (vault,) = resources_of(template, "AWS::Backup::BackupVault").values()
    key_id, attribute = vault["Properties"]["EncryptionKeyArn"]["Fn::GetAtt"]
    assert attribute == "Arn"
    key = template["Resources"][key_id]
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True
    (role_id,) = [k for k in resources_of(template, "AWS::IAM::Role") if "TableBackupsRole" in k]
    for action in KEY_USE:
        assert role_may_use_key(template, role_id=role_id, key_id=key_id, action=action)
    # A role with no business in the vault cannot decrypt its recovery points.
    (recorder,) = [
        k for k in resources_of(template, "AWS::IAM::Role") if "IncidentRecorderServiceRole" in k
    ]
    assert not role_may_use_key(template, role_id=recorder, key_id=key_id, action="kms:Decrypt")


def test_backups_without_customer_managed_keys_use_the_aws_managed_key() -> None:
    config = dataclasses.replace(STAGING, table_backups=True)
    app = cdk.App(context=cli_context())
    function_defaults(config).apply_to(app)
    template = Template.from_stack(OperationsStack(app, "Operations", config=config))
    (vault,) = template.find_resources("AWS::Backup::BackupVault").values()
    assert "EncryptionKeyArn" not in vault["Properties"]
    template.resource_count_is("AWS::KMS::Key", 1)  # the topic's own
