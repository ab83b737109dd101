"""What invokes a function in a real template is read as a flow into it, so that AC311 ("nothing invokes
function") fires only when nothing does: each way a template can invoke a function, one resource each, beside
one function `Fn` that nothing else touches."""

from __future__ import annotations

import json

import pytest

from archcase.checks.engine import check
from archcase.importer import import_template
from archcase.models.flows import Authorizes, Invokes, Subscribes, Targets, Transforms, Triggers

from .templates import imported

FN = {"Type": "AWS::Lambda::Function", "Properties": {
    "Runtime": "python3.12", "Handler": "app.handler", "Role": "arn:aws:iam::123456789012:role/r",
    "Code": {"ZipFile": "def handler(event, context): pass"}}}
SAM_FN = {"Type": "AWS::Serverless::Function", "Properties": {"Runtime": "python3.12", "Handler": "app.handler",
                                                              "CodeUri": "src/"}}
ARN = {"Fn::GetAtt": ["Fn", "Arn"]}


def sam_event(kind: str, **properties: object) -> dict:
    return {"Fn": {**SAM_FN, "Properties": {**SAM_FN["Properties"], "Events": {"Ev": {"Type": kind, "Properties": properties}}}}}


INVOKERS: dict[str, dict] = {
    "eventbridge rule": {"Fn": FN, "Rule": {"Type": "AWS::Events::Rule", "Properties": {
        "ScheduleExpression": "rate(1 hour)", "Targets": [{"Arn": ARN, "Id": "fn"}]}}},
    "scheduler": {"Fn": FN, "Schedule": {"Type": "AWS::Scheduler::Schedule", "Properties": {
        "ScheduleExpression": "rate(1 hour)", "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": {"Arn": ARN, "RoleArn": "arn:aws:iam::123456789012:role/s"}}}},
    "custom resource": {"Fn": FN, "Seed": {"Type": "Custom::Seeder", "Properties": {"ServiceToken": ARN}}},
    "state machine": {"Fn": FN, "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
        "RoleArn": "arn:aws:iam::123456789012:role/m",
        "DefinitionString": {"Fn::Sub": '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${Fn.Arn}", "End": true}}}'}}}},
    "iot rule": {"Fn": FN, "TopicRule": {"Type": "AWS::IoT::TopicRule", "Properties": {"TopicRulePayload": {
        "Sql": "SELECT * FROM 'a'", "Actions": [{"Lambda": {"FunctionArn": ARN}}]}}}},
    "http api integration": {"Fn": FN, "Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": "a", "ProtocolType": "HTTP"}},
                             "Integration": {"Type": "AWS::ApiGatewayV2::Integration", "Properties": {
                                 "ApiId": {"Ref": "Api"}, "IntegrationType": "AWS_PROXY", "IntegrationUri": ARN,
                                 "PayloadFormatVersion": "2.0"}}},
    "user pool trigger": {"Fn": FN, "Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {"LambdaConfig": {"PreSignUp": ARN}}}},
    "log subscription": {"Fn": FN, "Other": {**FN}, "Filter": {"Type": "AWS::Logs::SubscriptionFilter", "Properties": {
        "LogGroupName": {"Fn::Sub": "/aws/lambda/${Other}"}, "FilterPattern": "", "DestinationArn": ARN}}},
    "permission naming its source": {"Fn": FN, "Rule": {"Type": "AWS::Events::Rule", "Properties": {"ScheduleExpression": "rate(1 hour)"}},
                                     "Allow": {"Type": "AWS::Lambda::Permission", "Properties": {
                                         "FunctionName": {"Ref": "Fn"}, "Action": "lambda:InvokeFunction",
                                         "Principal": "events.amazonaws.com", "SourceArn": {"Fn::GetAtt": ["Rule", "Arn"]}}}},
    "ses receipt rule": {"Fn": FN, "Receipt": {"Type": "AWS::SES::ReceiptRule", "Properties": {
        "RuleSetName": "s", "Rule": {"Enabled": True, "Actions": [{"LambdaAction": {"FunctionArn": ARN}}]}}}},
    "macro": {"Fn": FN, "Macro": {"Type": "AWS::CloudFormation::Macro", "Properties": {"Name": "m", "FunctionName": ARN}}},
    "sam schedule event": sam_event("Schedule", Schedule="rate(1 hour)"),
    "sam schedule v2 event": sam_event("ScheduleV2", ScheduleExpression="rate(1 hour)"),
    "sam eventbridge event": sam_event("EventBridgeRule", Pattern={"source": ["aws.ec2"]}),
    "sam cloudwatch event": sam_event("CloudWatchEvent", Pattern={"source": ["aws.ec2"]}),
    "sam iot rule event": sam_event("IoTRule", Sql="SELECT * FROM 'a'"),
    "sam implicit http api": sam_event("HttpApi"),
    "sam cognito event": {**sam_event("Cognito", UserPool={"Ref": "Pool"}, Trigger="PreSignUp"),
                          "Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {}}},
    "sam mq event": {**sam_event("MQ", Broker={"Fn::GetAtt": ["Broker", "Arn"]}, Queues=["q"]),
                     "Broker": {"Type": "AWS::AmazonMQ::Broker", "Properties": {}}},
    "log subscription through a log group": {"Fn": FN, "Other": {**FN}, "Filter": {"Type": "AWS::Logs::SubscriptionFilter", "Properties": {
        "LogGroupName": {"Ref": "Group"}, "FilterPattern": "", "DestinationArn": ARN}},
        "Group": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": {"Fn::Sub": "/aws/lambda/${Other}"}}}},
    "log subscription to access logs": {"Fn": FN, "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "a"}},
                                        "Stage": {"Type": "AWS::ApiGateway::Stage", "Properties": {
                                            "RestApiId": {"Ref": "Api"}, "StageName": "prod", "DeploymentId": "d",
                                            "AccessLogSetting": {"DestinationArn": {"Fn::GetAtt": ["Group", "Arn"]}}}},
                                        "Filter": {"Type": "AWS::Logs::SubscriptionFilter", "Properties": {
                                            "LogGroupName": {"Ref": "Group"}, "FilterPattern": "", "DestinationArn": ARN}},
                                        "Group": {"Type": "AWS::Logs::LogGroup", "Properties": {}}},
    "kinesis analytics output": {"Fn": FN, "App": {"Type": "AWS::KinesisAnalytics::Application", "Properties": {"Inputs": []}},
                                 "Output": {"Type": "AWS::KinesisAnalytics::ApplicationOutput", "Properties": {
                                     "ApplicationName": {"Ref": "App"}, "Output": {"DestinationSchema": {"RecordFormatType": "JSON"},
                                                                                   "LambdaOutput": {"ResourceARN": ARN, "RoleARN": "r"}}}}},
    "kinesis analytics v2 output": {"Fn": FN, "App": {"Type": "AWS::KinesisAnalyticsV2::Application", "Properties": {
        "RuntimeEnvironment": "SQL-1_0", "ServiceExecutionRole": "r"}},
                                    "Output": {"Type": "AWS::KinesisAnalyticsV2::ApplicationOutput", "Properties": {
                                        "ApplicationName": {"Ref": "App"}, "Output": {"DestinationSchema": {"RecordFormatType": "JSON"},
                                                                                      "LambdaOutput": {"ResourceARN": ARN}}}}},
    "kinesis analytics preprocessor": {"Fn": FN, "App": {"Type": "AWS::KinesisAnalytics::Application", "Properties": {"Inputs": [{
        "NamePrefix": "in", "InputSchema": {"RecordColumns": [], "RecordFormat": {"RecordFormatType": "JSON"}},
        "InputProcessingConfiguration": {"InputLambdaProcessor": {"ResourceARN": ARN, "RoleARN": "r"}}}]}}},
    "sam cloudwatch logs event": {**sam_event("CloudWatchLogs", LogGroupName={"Fn::Sub": "/aws/lambda/${Other}"}, FilterPattern=""),
                                  "Other": {**FN}},
}
INVOKING = (Invokes, Triggers, Subscribes, Transforms, Targets, Authorizes)


@pytest.mark.parametrize("name", sorted(INVOKERS))
def test_a_function_invoked_in_the_template_has_a_flow_in_and_no_ac311(name, tmp_path):
    body = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": INVOKERS[name]}
    if any(r["Type"].startswith("AWS::Serverless::") for r in INVOKERS[name].values()):
        body["Transform"] = "AWS::Serverless-2016-10-31"
    path = tmp_path / "template.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    case = import_template(path).architecture
    assert [f for f in case.flows if f.target == "fn" and isinstance(f, INVOKING)], [f.model_dump() for f in case.flows]
    assert [f.message for f in check(case).findings if f.rule_id == "AC311" and f.target == "fn"] == []


def test_a_function_nothing_invokes_is_still_found(tmp_path):
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Resources": {"Fn": FN}}), encoding="utf-8")
    findings = check(import_template(path).architecture).findings
    assert [f.message for f in findings if f.rule_id == "AC311"] == ["nothing invokes function 'fn'"]


def test_a_function_told_only_a_distributions_domain_calls_it(tmp_path):
    cdn = {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {"Enabled": True}}}
    told = {**FN, "Properties": {**FN["Properties"], "Environment": {"Variables": {"SITE": {"Fn::GetAtt": ["Cdn", "DomainName"]}}}}}
    case = imported(tmp_path, {"Fn": told, "Cdn": cdn})
    assert [(f.kind, f.target) for f in case.flows if f.source == "fn"] == [("calls", "cdn")]
    signer = {**FN, "Properties": {**FN["Properties"], "Environment": {"Variables": {
        "SITE": {"Fn::GetAtt": ["Cdn", "DomainName"]}, "KEY_PAIR_ID": "K2JCJMDEHXQW5F"}}}}
    case = imported(tmp_path, {"Fn": signer, "Cdn": cdn})
    assert [(f.kind, f.target) for f in case.flows if f.source == "fn"] == [("signs", "cdn")]


def test_a_function_with_sqs_star_on_the_queue_it_consumes_does_not_enqueue(tmp_path):
    role = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                    "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
            {"Effect": "Allow", "Action": "sqs:*", "Resource": {"Fn::GetAtt": ["Jobs", "Arn"]}}]}}]}}
    consumer = {**FN, "Properties": {**FN["Properties"], "Role": {"Fn::GetAtt": ["Role", "Arn"]}}}
    mapping = {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
        "FunctionName": {"Ref": "Fn"}, "EventSourceArn": {"Fn::GetAtt": ["Jobs", "Arn"]}}}
    resources = {"Fn": consumer, "Role": role, "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {}}, "Map": mapping}
    kinds = sorted((f.source, f.kind, f.target) for f in imported(tmp_path, resources).flows)
    assert kinds == [("jobs", "triggers", "fn")]
    sends = {"Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"], "Resource": {"Fn::GetAtt": ["Jobs", "Arn"]}}
    policies = [{"PolicyName": "p", "PolicyDocument": {"Statement": [sends]}}]
    explicit = {**resources, "Role": {**role, "Properties": {**role["Properties"], "Policies": policies}}}
    kinds = sorted((f.source, f.kind, f.target) for f in imported(tmp_path, explicit).flows)
    assert kinds == [("fn", "enqueues", "jobs"), ("jobs", "triggers", "fn")]


@pytest.mark.parametrize(("statement", "broad"), [
    ({"Action": "dynamodb:*", "Resource": "*"}, ["dynamodb:* on *"]),
    ({"Action": ["s3:GetObject", "xray:PutTraceSegments"], "Resource": "*"}, ["s3:GetObject on *"]),
    ({"Action": "s3:Get*", "Resource": {"Fn::Sub": "${Data.Arn}/*"}}, []),  # reads only, of one bucket: as naming them would
    ({"Action": "s3:Put*", "Resource": {"Fn::Sub": "${Data.Arn}/*"}}, ["s3:Put* on ${Data.Arn}/*"]),  # PutObjectAcl too
    ({"Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments"], "Resource": "*"}, []),
    ({"Action": "s3:GetObject", "Resource": {"Fn::Sub": "${Data.Arn}/*"}}, []),
    ({"Action": "ses:SendEmail", "Resource": "*"}, ["ses:SendEmail on *"]),
])
def test_a_role_allowing_more_than_named_actions_on_named_resources_is_read(tmp_path, statement, broad):
    role = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                    "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [{"Effect": "Allow", **statement}]}}]}}
    function = {**FN, "Properties": {**FN["Properties"], "Role": {"Fn::GetAtt": ["Role", "Arn"]}}}
    case = imported(tmp_path, {"Fn": function, "Role": role, "Data": {"Type": "AWS::S3::Bucket", "Properties": {}}})
    assert case.service("fn").broad_permissions == broad
    assert [f.message for f in check(case).findings if f.rule_id == "AC805"] == (
        [f"the role of 'fn' allows {', '.join(broad)}"] if broad else [])


OUTSIDE = {
    "permission with no source": {"Fn": FN, "Allow": {"Type": "AWS::Lambda::Permission", "Properties": {
        "FunctionName": {"Ref": "Fn"}, "Action": "lambda:InvokeFunction", "Principal": "apigateway.amazonaws.com"}}},
    "function url": {"Fn": FN, "Url": {"Type": "AWS::Lambda::Url", "Properties": {
        "TargetFunctionArn": ARN, "AuthType": "AWS_IAM"}}},
    "event source by arn": {"Fn": FN, "Map": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
        "FunctionName": {"Ref": "Fn"}, "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:jobs"}}},
    "sam event by arn": sam_event("SQS", Queue="arn:aws:sqs:us-east-1:123456789012:jobs"),
    "role no service acts as": {"Fn": FN, "Role": {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
                                                    "Action": "sts:AssumeRole"}]}}},
        "Invoke": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "Roles": [{"Ref": "Role"}], "PolicyDocument": {
            "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": ARN}]}}}},
    "event source a remote nested stack gives": {"Fn": FN, "Map": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
        "FunctionName": {"Ref": "Fn"}, "EventSourceArn": {"Fn::GetAtt": ["Streams", "Outputs.StreamArn"]}, "StartingPosition": "LATEST"}},
        "Streams": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "https://example.com/streams.yaml"}}},
    "sam msk event by arn": sam_event("MSK", Stream="arn:aws:kafka:us-east-1:123456789012:cluster/c/1", Topics=["t"],
                                      StartingPosition="LATEST"),
    "sam msk event imported": sam_event("MSK", Stream={"Fn::ImportValue": "cluster-arn"}, Topics=["t"], StartingPosition="LATEST"),
    "sam self-managed kafka event": sam_event("SelfManagedKafka", KafkaBootstrapServers=["b-1.example.com:9092"], Topics=["t"]),
    "sam alexa skill event": sam_event("AlexaSkill"),
    "sam cloudwatch logs event on a group by name": sam_event("CloudWatchLogs", LogGroupName="/aws/apigateway/welcome", FilterPattern=""),
    "log subscription on a group of no other service": {"Fn": FN, "Group": {"Type": "AWS::Logs::LogGroup", "Properties": {}},
                                                        "Filter": {"Type": "AWS::Logs::SubscriptionFilter", "Properties": {
                                                            "LogGroupName": {"Ref": "Group"}, "FilterPattern": "",
                                                            "DestinationArn": ARN}}},
}


@pytest.mark.parametrize("name", sorted(OUTSIDE))
def test_a_function_something_outside_the_template_invokes_is_invoked(name, tmp_path):
    body = {"Resources": OUTSIDE[name]}
    if name.startswith("sam"):
        body["Transform"] = "AWS::Serverless-2016-10-31"
    path = tmp_path / "template.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    case = import_template(path).architecture
    assert case.service("fn").invoked_from_outside
    assert [f.message for f in check(case).findings if f.rule_id == "AC311"] == []


def test_a_sam_rule_events_dead_letter_queue_is_sent_to_by_the_rule(tmp_path):
    resources = {**sam_event("EventBridgeRule", Pattern={"source": ["aws.ec2"]}, DeadLetterConfig={"Arn": {"Fn::GetAtt": ["Dlq", "Arn"]}}),
                 "Dlq": {"Type": "AWS::SQS::Queue", "Properties": {}}}
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Transform": "AWS::Serverless-2016-10-31", "Resources": resources}), encoding="utf-8")
    case = import_template(path).architecture
    assert sorted((f.source, f.kind, f.target) for f in case.flows) == [("fn-ev", "dead-letter", "dlq"), ("fn-ev", "invokes", "fn")]
    assert [f.message for f in check(case).findings if f.rule_id == "AC608"] == []


@pytest.mark.parametrize(("bisect", "expected"), [(True, True), (False, False), (None, False)])
def test_a_stream_mappings_bisecting_is_read_as_written_and_off_when_left_out(tmp_path, bisect, expected):
    """AWS leaves `BisectBatchOnFunctionError` off; a stream consumer that bisects isolates a bad record (AC305)."""
    mapping = {"FunctionName": {"Ref": "Fn"}, "EventSourceArn": {"Fn::GetAtt": ["Clicks", "Arn"]}, "StartingPosition": "LATEST"}
    if bisect is not None:
        mapping["BisectBatchOnFunctionError"] = bisect
    case = imported(tmp_path, {"Fn": FN, "Clicks": {"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": 1}},
                               "Mapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": mapping}})
    (trigger,) = [f for f in case.flows if isinstance(f, Triggers)]
    assert trigger.bisect_on_error is expected
    assert bool([f for f in check(case).findings if f.rule_id == "AC305"]) is not expected
