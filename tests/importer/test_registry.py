"""The importer's tables come from its readers' registrations: CloudFormation type -> service class, derived."""

from __future__ import annotations

import types

import pytest

from archcase.importer.marks import reads
from archcase.importer.registry import NOT_IMPORTED, READS, SETTINGS_READERS, service_readers
from archcase.models.services import SERVICE_CLASSES, DynamoDbTable, LambdaFunction, SqsQueue


def test_sam_and_plain_functions_both_read_as_lambda_functions():
    assert READS["AWS::Serverless::Function"] is LambdaFunction
    assert READS["AWS::Lambda::Function"] is LambdaFunction
    assert {READS[t] for t in ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "AWS::Serverless::SimpleTable")} == {DynamoDbTable}


def test_every_service_class_is_read_or_said_not_to_be_never_both():
    read = set(READS.values())
    assert [c.__name__ for c in SERVICE_CLASSES if (c in read) == (c in NOT_IMPORTED)] == []
    assert read <= set(SETTINGS_READERS)


def test_a_cloudformation_type_registered_twice_is_refused():
    module = types.ModuleType("twice")

    @reads(SqsQueue, "AWS::SQS::Queue")
    def one(t, r):
        return {}

    @reads(LambdaFunction, "AWS::SQS::Queue")
    def two(t, r):
        return {}

    module.one, module.two = one, two
    with pytest.raises(RuntimeError, match="AWS::SQS::Queue is read both as"):
        service_readers([module])
