"""SQS queues (with their dead-letter queues and the policies that let SNS and S3 send to them), SNS topics
and subscriptions, and SES identities."""

from __future__ import annotations

from ...models import Service
from ...models.text import cfn_text
from .compute import permission_id
from .context import Emit
from .refs import arn
from .template import Json, get_att, ref


def emit_sqs(emit: Emit, queue: Service) -> None:
    properties: Json = {
        "VisibilityTimeout": queue.visibility_timeout_s,  # type: ignore[attr-defined]
        "MessageRetentionPeriod": queue.retention_s,  # type: ignore[attr-defined]
    }
    if queue.fifo:  # type: ignore[attr-defined]
        properties["FifoQueue"] = True
    if queue.encryption == "sqs-managed":  # type: ignore[attr-defined]
        properties["SqsManagedSseEnabled"] = True
    elif queue.encryption == "kms":  # type: ignore[attr-defined]
        properties["KmsMasterKeyId"] = "alias/aws/sqs"
    else:
        properties["SqsManagedSseEnabled"] = False
    dead_letters = emit.outgoing(queue, "dead-letter")
    if dead_letters:
        properties["RedrivePolicy"] = {"deadLetterTargetArn": get_att(emit.lid(dead_letters[0].target), "Arn"),
                                       "maxReceiveCount": queue.max_receive_count}  # type: ignore[attr-defined]
    emit.template.resource(emit.lid(queue), "AWS::SQS::Queue", properties,
                           DeletionPolicy="Delete", UpdateReplacePolicy="Delete")
    _queue_policy(emit, queue)
    emit.template.output(emit.lid(queue, "QueueUrl"), ref(emit.lid(queue)), f"URL of the {queue.id} queue")


def _queue_policy(emit: Emit, queue: Service) -> None:
    """Who may send to the queue besides IAM principals of this account: its SNS topics and S3 buckets."""
    statements: list[Json] = [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "sqs:*",
        "Resource": arn(emit, queue), "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]
    for flow in emit.incoming(queue, "subscribes"):
        statements.append({"Sid": f"From{emit.lid(flow.source)}", "Effect": "Allow",
                           "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                           "Resource": arn(emit, queue), "Condition": {"ArnEquals": {"aws:SourceArn": emit.ref(flow.source)}}})
    for flow in emit.incoming(queue, "notifies"):
        bucket = emit.service(flow.source)
        statements.append({"Sid": f"From{emit.lid(bucket)}", "Effect": "Allow",
                           "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sqs:SendMessage",
                           "Resource": arn(emit, queue), "Condition": {
                               "ArnLike": {"aws:SourceArn": arn(emit, bucket)},
                               "StringEquals": {"aws:SourceAccount": ref("AWS::AccountId")}}})
    emit.template.resource(emit.lid(queue, "Policy"), "AWS::SQS::QueuePolicy", {
        "Queues": [ref(emit.lid(queue))], "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}})


def emit_sns(emit: Emit, topic: Service) -> None:
    properties: Json = {"DisplayName": cfn_text(topic.label or topic.id, 100)}
    if topic.fifo:  # type: ignore[attr-defined]
        properties["FifoTopic"] = True
    if topic.encryption:  # type: ignore[attr-defined]
        properties["KmsMasterKeyId"] = "alias/aws/sns"
    emit.template.resource(emit.lid(topic), "AWS::SNS::Topic", properties)
    for flow in emit.outgoing(topic, "subscribes"):
        target = emit.service(flow.target)
        kind = target.kind  # type: ignore[attr-defined]
        subscription: Json = {"TopicArn": emit.ref(topic), "Protocol": "sqs" if kind == "sqs" else "lambda",
                              "Endpoint": get_att(emit.lid(target), "Arn")}
        attributes: Json = {}
        if kind == "sqs":
            subscription["RawMessageDelivery"] = flow.raw_message_delivery  # type: ignore[attr-defined]
            attributes["DependsOn"] = [emit.lid(target, "Policy")]
        else:
            attributes["DependsOn"] = [permission_id(emit, target, topic)]
        emit.template.resource(emit.lid(topic, f"To{emit.lid(target)}"), "AWS::SNS::Subscription", subscription, **attributes)
    emit.template.output(emit.lid(topic, "TopicArn"), emit.ref(topic), f"ARN of the {topic.id} topic")


def emit_ses(emit: Emit, identity: Service) -> None:
    properties: Json = {"EmailIdentity": identity.identity}  # type: ignore[attr-defined]
    if "@" not in identity.identity:  # type: ignore[attr-defined]
        properties["DkimAttributes"] = {"SigningEnabled": identity.dkim}  # type: ignore[attr-defined]
    if identity.configuration_set:  # type: ignore[attr-defined]
        emit.template.resource(emit.lid(identity, "ConfigurationSet"), "AWS::SES::ConfigurationSet",
                               {"Name": identity.configuration_set})  # type: ignore[attr-defined]
        properties["ConfigurationSetAttributes"] = {"ConfigurationSetName": ref(emit.lid(identity, "ConfigurationSet"))}
    emit.template.resource(emit.lid(identity), "AWS::SES::EmailIdentity", properties)
    emit.template.output(emit.lid(identity, "Identity"), emit.ref(identity), f"SES identity of {identity.id}")
