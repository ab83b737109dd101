"""SQS queues (with their dead-letter queues and the policies that let SNS and S3 send to them), SNS topics
and subscriptions, and SES identities."""

from __future__ import annotations

from ...models.flows import DeadLetter, Notifies, Subscribes
from ...models.messaging import Ses, SnsTopic, SqsQueue
from ...models.text import cfn_text
from . import events
from .compute import permission_id
from .context import Context, Fragment, att_of, lid, ref_of
from .marks import emits
from .template import Json, ref, sub


@emits(SqsQueue)
def emit_sqs(queue: SqsQueue, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    properties: Json = {
        "VisibilityTimeout": queue.visibility_timeout_s,
        "MessageRetentionPeriod": queue.retention_s,
    }
    if queue.fifo:  # named here: a FIFO queue's name must end in .fifo
        properties["FifoQueue"] = True
        properties["QueueName"] = sub(f"{out.physical_name(queue)}.fifo")
    if queue.encryption == "sqs-managed":
        properties["SqsManagedSseEnabled"] = True
    elif queue.encryption == "kms":
        properties["KmsMasterKeyId"] = "alias/aws/sqs"
    else:
        properties["SqsManagedSseEnabled"] = False
    dead_letters = ctx.graph.outgoing(queue.id, DeadLetter)
    if dead_letters:
        properties["RedrivePolicy"] = {"deadLetterTargetArn": att_of(dead_letters[0].target, "Arn"),
                                       "maxReceiveCount": queue.max_receive_count}
    out.resource(lid(queue), "AWS::SQS::Queue", properties,
                           DeletionPolicy="Delete", UpdateReplacePolicy="Delete")
    _queue_policy(out, queue)
    out.output(lid(queue, "QueueUrl"), ref(lid(queue)), f"URL of the {queue.id} queue")
    return out


def _queue_policy(out: Fragment, queue: SqsQueue) -> None:
    """Who may send to the queue besides IAM principals of this account: its SNS topics, S3 buckets and EventBridge
    rules."""
    statements: list[Json] = [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "sqs:*",
        "Resource": out.arn(queue), "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]
    for flow in out.ctx.graph.incoming(queue.id, Subscribes):
        statements.append({"Sid": f"From{lid(flow.source)}", "Effect": "Allow",
                           "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                           "Resource": out.arn(queue), "Condition": {"ArnEquals": {"aws:SourceArn": ref_of(flow.source)}}})
    for failed in out.ctx.graph.incoming(queue.id, DeadLetter, frm=SnsTopic):
        statements.append({"Sid": f"DeadLettersFrom{lid(failed.source)}", "Effect": "Allow",
                           "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                           "Resource": out.arn(queue), "Condition": {"ArnEquals": {"aws:SourceArn": ref_of(failed.source)}}})
    for notifies in out.ctx.graph.incoming(queue.id, Notifies):
        bucket = out.ctx.service(notifies.source)
        statements.append({"Sid": f"From{lid(bucket)}", "Effect": "Allow",
                           "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sqs:SendMessage",
                           "Resource": out.arn(queue), "Condition": {
                               "ArnLike": {"aws:SourceArn": out.arn(bucket)},
                               "StringEquals": {"aws:SourceAccount": ref("AWS::AccountId")}}})
    statements += events.sends(out, queue)
    out.resource(lid(queue, "Policy"), "AWS::SQS::QueuePolicy", {
        "Queues": [ref(lid(queue))], "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}})


@emits(SnsTopic)
def emit_sns(topic: SnsTopic, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    properties: Json = {"DisplayName": cfn_text(topic.label or topic.id, 100)}
    if topic.fifo:  # named here: a FIFO topic's name must end in .fifo
        properties["FifoTopic"] = True
        properties["TopicName"] = sub(f"{out.physical_name(topic)}.fifo")
    if topic.encryption:
        properties["KmsMasterKeyId"] = "alias/aws/sns"
    out.resource(lid(topic), "AWS::SNS::Topic", properties)
    dead_letters = ctx.graph.outgoing(topic.id, DeadLetter, to=SqsQueue)
    if dead_letters and not ctx.graph.outgoing(topic.id, Subscribes):
        raise ctx.fail(topic, "a topic's dead-letter queue is set on its subscriptions (each has a redrive policy), and it has "
                       "no `subscribes` flow to set it on: add the subscription, or remove the dead-letter flow")
    for flow in ctx.graph.outgoing(topic.id, Subscribes):
        target = ctx.service(flow.target)
        queue = isinstance(target, SqsQueue)
        subscription: Json = {"TopicArn": ref_of(topic), "Protocol": "sqs" if queue else "lambda",
                              "Endpoint": att_of(target, "Arn")}
        attributes: Json = {}
        if queue:
            subscription["RawMessageDelivery"] = flow.raw_message_delivery
            attributes["DependsOn"] = [lid(target, "Policy")]
        else:
            attributes["DependsOn"] = [permission_id(target, topic)]
        if dead_letters:
            subscription["RedrivePolicy"] = {"deadLetterTargetArn": att_of(dead_letters[0].target, "Arn")}
        out.resource(lid(topic, f"To{lid(target)}"), "AWS::SNS::Subscription", subscription, **attributes)
    _topic_policy(out, topic)
    out.output(lid(topic, "TopicArn"), ref_of(topic), f"ARN of the {topic.id} topic")
    return out


def _topic_policy(out: Fragment, topic: SnsTopic) -> None:
    """Who may publish to the topic besides IAM principals of this account: its S3 buckets' notifications and its
    EventBridge rules."""
    statements: list[Json] = []
    for notifies in out.ctx.graph.incoming(topic.id, Notifies):
        bucket = out.ctx.service(notifies.source)
        statements.append({"Sid": f"From{lid(bucket)}", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
                           "Action": "sns:Publish", "Resource": ref_of(topic), "Condition": {
                               "ArnLike": {"aws:SourceArn": out.arn(bucket)},
                               "StringEquals": {"aws:SourceAccount": ref("AWS::AccountId")}}})
    statements += events.sends(out, topic)
    if statements:
        out.resource(lid(topic, "Policy"), "AWS::SNS::TopicPolicy", {
            "Topics": [ref_of(topic)], "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}})


@emits(Ses)
def emit_ses(identity: Ses, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    properties: Json = {"EmailIdentity": identity.identity}
    if "@" not in identity.identity:
        properties["DkimAttributes"] = {"SigningEnabled": identity.dkim}
    if identity.configuration_set:
        out.resource(lid(identity, "ConfigurationSet"), "AWS::SES::ConfigurationSet",
                               {"Name": identity.configuration_set})
        properties["ConfigurationSetAttributes"] = {"ConfigurationSetName": ref(lid(identity, "ConfigurationSet"))}
    out.resource(lid(identity), "AWS::SES::EmailIdentity", properties)
    out.output(lid(identity, "Identity"), ref_of(identity), f"SES identity of {identity.id}")
    return out
