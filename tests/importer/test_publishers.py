"""What publishes to a topic without being a service of the case (a CloudWatch alarm's actions, an Auto Scaling
group's notifications, a lifecycle hook) is read as the topic's `published_from_outside`, so that AC608
("nothing sends to") does not fire on an alarm topic; an alarm configures what it watches, so it draws no
`publishes` flow from that."""

from __future__ import annotations

import json

import pytest

from archcase.checks.engine import check
from archcase.importer import import_template
from archcase.models import Architecture

FN = {"Type": "AWS::Lambda::Function", "Properties": {
    "Runtime": "python3.12", "Handler": "app.handler", "Role": "arn:aws:iam::123456789012:role/r",
    "Code": {"ZipFile": "def handler(event, context): pass"}}}
TOPIC = {"Ref": "Alarms"}


def imported(tmp_path, resources: dict) -> Architecture:
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Resources": {"Alarms": {"Type": "AWS::SNS::Topic", "Properties": {}}, **resources}}), encoding="utf-8")
    return import_template(path).architecture


def alarm(action: str) -> dict:
    return {"Fn": FN, "Errors": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "MetricName": "Errors", "Namespace": "AWS/Lambda", "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1,
        "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": "Fn"}}], action: [TOPIC]}}}


PUBLISHERS = {
    "alarm action": alarm("AlarmActions"),
    "ok action": alarm("OKActions"),
    "insufficient data action": alarm("InsufficientDataActions"),
    "group notifications": {"Servers": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {
        "MinSize": "1", "MaxSize": "2", "AvailabilityZones": ["us-east-1a"],
        "NotificationConfigurations": [{"TopicARN": TOPIC, "NotificationTypes": ["autoscaling:EC2_INSTANCE_LAUNCH"]}]}}},
}


@pytest.mark.parametrize("name", sorted(PUBLISHERS))
def test_a_topic_an_alarm_or_a_notification_publishes_to_is_used(tmp_path, name):
    case = imported(tmp_path, PUBLISHERS[name])
    assert case.service("alarms").published_from_outside
    assert [f for f in case.flows if f.target == "alarms"] == []  # the watched function does not publish
    assert [f.message for f in check(case).findings if f.rule_id == "AC608"] == []


def test_a_topic_an_alarm_only_watches_is_still_unused(tmp_path):
    watching = {"Fn": FN, "Watch": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "MetricName": "NumberOfMessagesPublished", "Namespace": "AWS/SNS", "Statistic": "Sum", "Period": 60,
        "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "LessThanThreshold",
        "Dimensions": [{"Name": "TopicName", "Value": {"Fn::GetAtt": ["Alarms", "TopicName"]}}]}}}
    case = imported(tmp_path, watching)
    assert not case.service("alarms").published_from_outside
    assert [f.message for f in check(case).findings if f.rule_id == "AC608"] == ["nothing sends to 'alarms'"]
