"""Defects the generated cases (test_generated.py) found, kept as examples: each case here once emitted a
template cfn-lint rejected, or one that did not import back as the case."""

from __future__ import annotations

import pytest

from archcase.importer import import_template
from archcase.models import Architecture
from archcase.render.cloudformation import lint
from archcase.render.cloudformation.emit import template, template_text

from ...importer.test_round_trip import differences
from ...strategies import HANDLERS

FOUND = {
    # a label reading like a substitution, written outside Fn::Sub (E1029) in DisplayName and in Metadata
    "substitution-in-labels": {"services": [
        {"id": "alerts", "kind": "sns", "label": "${AWS::Region} alerts", "description": "in ${AWS::AccountId}"},
        {"id": "jobs", "kind": "sqs", "label": "${Jobs}"}]},
    # a DAX cluster read by an Auto Scaling group: the group's own security group was added a second time
    "dax-read-by-instances": {"services": [
        {"id": "web", "kind": "autoscaling-group", "instance_type": "t3.micro"},
        {"id": "items", "kind": "dynamodb", "partition_key": {"name": "pk", "type": "S"}},
        {"id": "cache", "kind": "dax"}],
        "flows": [{"from": "web", "to": "cache", "kind": "reads"}, {"from": "cache", "to": "items", "kind": "caches"}]},
    # S3 notifying an SNS topic was written as a queue notification (GetAtt Topic.Arn, E1010) depending on a
    # queue policy that does not exist (E3005)
    "bucket-notifies-topic": {"services": [
        {"id": "uploads", "kind": "s3"}, {"id": "uploaded", "kind": "sns"}],
        "flows": [{"from": "uploads", "to": "uploaded", "kind": "notifies"}]},
    # a DAX cluster caching no table: its role has no policy, yet the cluster depended on one (E3005)
    "dax-caching-nothing": {"services": [{"id": "cache", "kind": "dax"}]},
    # an SNS topic's dead-letter queue: subscriptions now redrive to it, and the queue admits the topic
    "topic-dead-letters": {"services": [
        {"id": "events", "kind": "sns"}, {"id": "work", "kind": "sqs"}, {"id": "failed", "kind": "sqs"}],
        "flows": [{"from": "events", "to": "work", "kind": "subscribes"},
                  {"from": "events", "to": "failed", "kind": "dead-letter"}]},
    # two workgroups querying one Glue database: each created it (one name per account), and on import
    # neither owned it, so both read back as querying `default`
    "workgroups-sharing-a-database": {"services": [
        {"id": "results", "kind": "s3"},
        {"id": "adhoc", "kind": "athena", "database": "sales"}, {"id": "reports", "kind": "athena", "database": "sales"}],
        "flows": [{"from": "adhoc", "to": "results", "kind": "writes", "prefix": "adhoc/"},
                  {"from": "reports", "to": "results", "kind": "writes", "prefix": "reports/"}]},
    # signed URLs and no signer: the private key's parameter was declared and used by nothing (W2001)
    "signed-urls-without-signer": {"services": [
        {"id": "cdn", "kind": "cloudfront", "signed_urls": {"key_group": "k"}}, {"id": "site", "kind": "s3"}],
        "flows": [{"from": "cdn", "to": "site", "kind": "origin"}]},
    # found by deploying generated cases (tests/deploy): a FIFO topic or queue needs a name ending in .fifo
    "fifo-topic-and-queue": {"services": [{"id": "orders", "kind": "sns", "fifo": True}, {"id": "work", "kind": "sqs", "fifo": True}],
                             "flows": [{"from": "orders", "to": "work", "kind": "subscribes"}]},
}


@pytest.mark.parametrize("name", sorted(FOUND))
def test_a_case_the_generator_found_emits_a_clean_template(name):
    case = Architecture.model_validate({"name": name, "title": name, **FOUND[name]})
    assert [str(p) for p in lint.problems(template_text(case, HANDLERS))] == []


@pytest.mark.parametrize("name", sorted(FOUND))
def test_a_case_the_generator_found_imports_back_from_its_template(name, tmp_path):
    case = Architecture.model_validate({"name": name, "title": name, **FOUND[name]})
    path = tmp_path / "template.yaml"
    path.write_text(template_text(case, HANDLERS), encoding="utf-8")
    assert differences(case, import_template(path).architecture) == []


def test_workgroups_sharing_a_database_create_it_once():
    case = Architecture.model_validate({"name": "t", "title": "t", **FOUND["workgroups-sharing-a-database"]})
    resources = template(case, HANDLERS)["Resources"]
    assert [lid for lid, r in resources.items() if r["Type"] == "AWS::Glue::Database"] == ["AdhocDatabase"]


def test_a_topic_dead_letter_queue_is_each_subscription_redrive_and_admits_the_topic():
    case = Architecture.model_validate({"name": "t", "title": "t", **FOUND["topic-dead-letters"]})
    resources = template(case, HANDLERS)["Resources"]
    assert resources["EventsToWork"]["Properties"]["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": ["Failed", "Arn"]}}
    (admits,) = [s for s in resources["FailedPolicy"]["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert admits["Principal"] == {"Service": "sns.amazonaws.com"} and admits["Action"] == "sqs:SendMessage"
    assert admits["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Ref": "Events"}}}


def test_a_bucket_notifying_a_topic_publishes_under_the_topic_policy():
    case = Architecture.model_validate({"name": "t", "title": "t", **FOUND["bucket-notifies-topic"]})
    resources = template(case, HANDLERS)["Resources"]
    (config,) = resources["Uploads"]["Properties"]["NotificationConfiguration"]["TopicConfigurations"]
    assert config == {"Event": "s3:ObjectCreated:*", "Topic": {"Ref": "Uploaded"}}
    assert "UploadedPolicy" in resources["Uploads"]["DependsOn"]
    (statement,) = resources["UploadedPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert (statement["Principal"], statement["Action"]) == ({"Service": "s3.amazonaws.com"}, "sns:Publish")


@pytest.mark.parametrize(("source", "target"), [("sqs", "sns"), ("sns", "sns")])
def test_a_queue_or_topic_cannot_dead_letter_to_a_topic(source, target):
    with pytest.raises(ValueError, match="dead-letter"):
        Architecture.model_validate({"name": "t", "title": "t", "services": [
            {"id": "a", "kind": source}, {"id": "b", "kind": target}],
            "flows": [{"from": "a", "to": "b", "kind": "dead-letter"}]})


def test_fifo_topics_and_queues_are_named_with_the_fifo_suffix():
    case = Architecture.model_validate({"name": "t", "title": "t", **FOUND["fifo-topic-and-queue"]})
    resources = template(case, HANDLERS)["Resources"]
    assert resources["Orders"]["Properties"]["TopicName"]["Fn::Sub"].endswith(".fifo")
    assert resources["Work"]["Properties"]["QueueName"]["Fn::Sub"].endswith(".fifo")
