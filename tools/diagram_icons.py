"""The official AWS Architecture Icons (npm ``aws-icons``, MIT, pinned in package.json and
installed by ``npm ci``), one per service, embedded in the SVG so that it renders anywhere
(GitHub shows a README's SVG as an image, which may load nothing from outside itself)."""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICON_DIR = ROOT / "node_modules" / "aws-icons" / "icons" / "architecture-service"
#: The size an icon is drawn at, in points (Graphviz's unit and the SVG's).
ICON_SIZE = 24
_SCHEME = "icon:"

#: Resource type -> the service's icon (a file of ICON_DIR, without ``.svg``).
ICONS: dict[str, str] = {
    "AWS::Lambda::Function": "AWSLambda",
    "AWS::DynamoDB::Table": "AmazonDynamoDB",
    "AWS::DynamoDB::GlobalTable": "AmazonDynamoDB",
    "AWS::SNS::Topic": "AmazonSimpleNotificationService",
    "AWS::SQS::Queue": "AmazonSimpleQueueService",
    "AWS::S3::Bucket": "AmazonSimpleStorageService",
    "AWS::Kinesis::Stream": "AmazonKinesisDataStreams",
    "AWS::KinesisFirehose::DeliveryStream": "AmazonDataFirehose",
    "AWS::ApiGateway::RestApi": "AmazonAPIGateway",
    "AWS::ApiGatewayV2::Api": "AmazonAPIGateway",
    "AWS::AppSync::GraphQLApi": "AWSAppSync",
    "AWS::StepFunctions::StateMachine": "AWSStepFunctions",
    "AWS::Events::Rule": "AmazonEventBridge",
    "AWS::Scheduler::Schedule": "AmazonEventBridge",
    "AWS::CloudFront::Distribution": "AmazonCloudFront",
    "AWS::Cognito::UserPool": "AmazonCognito",
    "AWS::Glue::Database": "AWSGlue",
    "AWS::Glue::Crawler": "AWSGlue",
    "AWS::Athena::WorkGroup": "AmazonAthena",
    "AWS::WAFv2::WebACL": "AWSWAF",
    "AWS::EC2::VPC": "AmazonVirtualPrivateCloud",
    "AWS::CloudWatch::Alarm": "AmazonCloudWatch",
    "AWS::CloudWatch::Dashboard": "AmazonCloudWatch",
    "AWS::CodeDeploy::DeploymentGroup": "AWSCodeDeploy",
    "AWS::KMS::Key": "AWSKeyManagementService",
    "AWS::IAM::Policy": "AWSIdentityandAccessManagement",
    "AWS::IAM::ManagedPolicy": "AWSIdentityandAccessManagement",
    "AWS::Logs::LogGroup": "AmazonCloudWatch",
}


def icon_source(kind: str) -> str:
    """What a DOT ``<IMG SRC=...>`` names for the resource type's icon."""
    return _SCHEME + ICONS[kind]


def declared_images() -> list[dict[str, str]]:
    """Every icon with its size, as Graphviz must be told (it cannot open the files)."""
    size = f"{ICON_SIZE}px"
    return [
        {"path": _SCHEME + name, "width": size, "height": size}
        for name in sorted(set(ICONS.values()))
    ]


@cache
def _data_uri(name: str) -> str:
    path = ICON_DIR / f"{name}.svg"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make setup` (npm ci installs aws-icons)")
    return "data:image/svg+xml;base64," + base64.b64encode(path.read_bytes()).decode()


def embed_icons(svg: str) -> str:
    """The SVG with each icon reference replaced by the icon itself."""
    return re.sub(
        rf'xlink:href="{_SCHEME}([A-Za-z0-9]+)"',
        lambda match: f'xlink:href="{_data_uri(match.group(1))}"',
        svg,
    )
