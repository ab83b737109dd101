"""Least privilege derived from the flows: per flow kind, the role of the service the flow leaves may do
exactly what the flow needs, on exactly the resource it reaches."""

from __future__ import annotations

import json

import pytest

from .conftest import resources_of

# Expected actions, stated from the AWS service authorization reference rather than read from the code under test.
TABLE_READ = {"dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"}
TABLE_WRITE = {"dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
DAX_READ = {"dax:BatchGetItem", "dax:ConditionCheckItem", "dax:GetItem", "dax:Query", "dax:Scan"}
DAX_WRITE = {"dax:BatchWriteItem", "dax:DeleteItem", "dax:PutItem", "dax:UpdateItem"}
STREAM_READ = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"}
KINESIS_READ = {"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator",
                "kinesis:ListShards", "kinesis:SubscribeToShard"}
QUEUE_CONSUME = {"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"}


def policy(templates: dict, case: str, role: str) -> list[dict]:
    return templates[case]["Resources"][f"{role}Policy"]["Properties"]["PolicyDocument"]["Statement"]


def grants(statements: list[dict], resource_text: str) -> set[str]:
    """Actions allowed on resources whose JSON contains `resource_text`."""
    found: set[str] = set()
    for statement in statements:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if any(resource_text in json.dumps(r) for r in resources):
            found |= set(statement["Action"])
    return found


@pytest.mark.parametrize(("case", "role", "resource", "expected"), [
    ("microservices", "OrdersFunctionRole", '"Orders", "Arn"', TABLE_READ | TABLE_WRITE),
    ("microservices", "ShippingWorkerRole", '"Shipments", "Arn"', TABLE_WRITE),
    ("microservices", "OrdersFunctionRole", '"OrderEvents"', {"sns:Publish"}),
    ("microservices", "ShippingWorkerRole", '"ShippingQueue", "Arn"', QUEUE_CONSUME),
    ("microservices", "SearchIndexerRole", '"CatalogEvents", "Arn"', KINESIS_READ),
    ("microservices", "CatalogServersRole", '"CatalogEvents", "Arn"', {"kinesis:PutRecord", "kinesis:PutRecords"}),
    ("myblog", "WelcomeEmailRole", '"Users", "StreamArn"', STREAM_READ),
    ("myblog", "WelcomeEmailRole", "identity/", {"ses:SendEmail", "ses:SendRawEmail"}),
    ("myblog", "WelcomeEmailRole", '"WelcomeEmailDlq", "Arn"', {"sqs:SendMessage"}),
    ("myblog", "ThumbnailerRole", "-photos-${AWS::AccountId}/uploads/*", {"s3:GetObject"}),
    ("myblog", "ThumbnailerRole", "-photos-${AWS::AccountId}/thumbnails/*", {"s3:PutObject", "s3:AbortMultipartUpload"}),
    ("myblog", "BlogFunctionRole", '"PostsCache", "Arn"', DAX_READ | DAX_WRITE),
    ("paid-content", "UrlSignerRole", "parameter${ContentCdnPrivateKeyParameter}", {"ssm:GetParameter"}),
    ("paid-content", "UrlSignerRole", '"PremiumUsers", "Arn"', TABLE_READ),
    ("big-data-ingestion", "QueryRunnerRole", "workgroup/${Analytics}", {
        "athena:GetQueryExecution", "athena:GetQueryResults", "athena:GetWorkGroup", "athena:StartQueryExecution",
        "athena:StopQueryExecution"}),
    ("big-data-ingestion", "QueryRunnerRole", "-reporting-bucket-${AWS::AccountId}/reports/*",
     {"s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"}),
    ("big-data-ingestion", "QueryRunnerRole", "-ingestion-bucket-${AWS::AccountId}/raw/*", {"s3:GetObject"}),
    ("big-data-ingestion", "DeliveryRole", '"Transform", "Arn"', {"lambda:InvokeFunction", "lambda:GetFunctionConfiguration"}),
    ("big-data-ingestion", "DeliveryRole", "-ingestion-bucket-${AWS::AccountId}/raw/*", {"s3:PutObject", "s3:AbortMultipartUpload"}),
    ("myblog", "PostsCacheRole", '"Posts", "Arn"', TABLE_READ | TABLE_WRITE | {"dynamodb:DescribeTable"}),
])
def test_a_flow_gives_exactly_its_actions_on_its_target(templates, case, role, resource, expected):
    assert grants(policy(templates, case, role), resource) == expected


def test_a_prefix_scoped_reader_cannot_touch_other_prefixes(templates):
    statements = policy(templates, "myblog", "ThumbnailerRole")
    assert grants(statements, "/thumbnails/*") == {"s3:PutObject", "s3:AbortMultipartUpload"}  # not GetObject
    assert grants(statements, "/uploads/*") == {"s3:GetObject"}  # not PutObject: it cannot re-trigger itself
    listing = [s for s in statements if s["Action"] == ["s3:ListBucket"]]
    assert listing and listing[0]["Condition"] == {"StringLike": {"s3:prefix": ["uploads/*"]}}


def test_identity_pool_grants_are_scoped_to_the_users_own_prefix(templates):
    statements = policy(templates, "mytodolist", "IdentityPoolAuthenticatedRole")
    text = json.dumps(statements)
    assert "${!cognito-identity.amazonaws.com:sub}/*" in text
    listing = [s for s in statements if "s3:ListBucket" in s["Action"]]
    assert listing[0]["Condition"] == {"StringLike": {"s3:prefix": ["${cognito-identity.amazonaws.com:sub}/*"]}}


def test_a_function_may_do_nothing_its_flows_do_not_need(templates):
    statements = policy(templates, "paid-content", "PremiumRegistrationRole")
    actions = {a for s in statements for a in s["Action"]}
    assert actions == TABLE_WRITE | {"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTelemetryRecords",
                                               "xray:PutTraceSegments"}


@pytest.mark.parametrize("case", ["mytodolist", "myblog", "microservices", "paid-content", "software-updates",
                                  "big-data-ingestion"])
def test_no_wildcard_action_and_wildcard_resources_only_without_resource_level_permissions(templates, case):
    for lid, resource in resources_of(templates[case], "AWS::IAM::Policy").items():
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            assert all("*" not in action for action in statement["Action"]), lid
            if statement["Resource"] == "*":
                assert set(statement["Action"]) <= {"xray:PutTelemetryRecords", "xray:PutTraceSegments",
                                                    "ec2:DescribeNetworkInterfaces"}, lid
