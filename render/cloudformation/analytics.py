"""Kinesis data streams, Firehose delivery streams (source stream, Lambda processor, S3 destination), and
Athena workgroups with their Glue database and results location."""

from __future__ import annotations

from ...models.analytics import Athena, Firehose, KinesisStream
from ...models.data import S3Bucket
from ...models.flows import Delivers, Transforms, Writes
from ...models.text import cfn_text, sub_literal
from . import iam
from .context import Context, Fragment, att_of, lid, ref_of
from .marks import emits
from .policy import Statement
from .refs import bucket_arn
from .template import Json, get_att, ref, sub


@emits(KinesisStream)
def emit_kinesis_stream(stream: KinesisStream, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    properties: Json = {"RetentionPeriodHours": stream.retention_h,
                        "StreamModeDetails": {"StreamMode": stream.mode}}
    if stream.mode == "PROVISIONED":
        properties["ShardCount"] = stream.shards  # the model requires shards of a PROVISIONED stream
    if stream.encryption:
        properties["StreamEncryption"] = {"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}
    out.resource(lid(stream), "AWS::Kinesis::Stream", properties)
    out.output(lid(stream, "StreamName"), ref_of(stream), f"Name of the {stream.id} stream")
    return out


@emits(Firehose)
def emit_firehose(delivery: Firehose, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    if delivery.external_destination:
        raise ctx.fail(delivery, "it delivers to a destination outside the case (`external_destination`), and archcase emits "
                                 "delivery streams to a bucket of the case only")
    destinations = ctx.graph.outgoing(delivery.id, Delivers, to=S3Bucket)
    if len(destinations) != 1:
        raise ctx.fail(delivery, "a delivery stream needs exactly one `delivers` flow to an S3 bucket")
    flow = destinations[0]
    bucket = ctx.service(flow.target)
    log_group = out.resource(lid(delivery, "LogGroup"), "AWS::Logs::LogGroup", {
        "LogGroupName": sub(f"/aws/kinesisfirehose/${{AWS::StackName}}-{delivery.id}"), "RetentionInDays": 30},
        DeletionPolicy="Delete", UpdateReplacePolicy="Delete")
    out.resource(lid(delivery, "LogStream"), "AWS::Logs::LogStream",
               {"LogGroupName": ref(log_group), "LogStreamName": "delivery"})
    statements = out.permissions(flow) + [
        Statement(("s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"), (bucket_arn(out, bucket),)),
        Statement(("logs:PutLogEvents",), (get_att(log_group, "Arn"),)),
    ]
    sources = ctx.graph.incoming(delivery.id, Delivers, frm=KinesisStream)
    for source in sources:
        statements.append(Statement(iam.KINESIS_READ, (out.arn(ctx.service(source.source)),)))
    transforms = ctx.graph.outgoing(delivery.id, Transforms)
    for transform in transforms:
        statements += out.permissions(transform)
    processors = [ctx.service(f.target) for f in transforms]
    role_id = iam.role(out, lid(delivery, "Role"), "firehose.amazonaws.com", statements,
                       f"Lets the {delivery.id} delivery stream read its source and write its destination.",
                       condition={"StringEquals": {"sts:ExternalId": ref("AWS::AccountId")}})
    prefix = getattr(flow, "prefix", None) or ""
    destination: Json = {
        "BucketARN": bucket_arn(out, bucket),
        "RoleARN": get_att(role_id, "Arn"),
        "Prefix": prefix,
        "ErrorOutputPrefix": f"{delivery.error_prefix}!{{firehose:error-output-type}}/",
        "BufferingHints": {"IntervalInSeconds": delivery.buffer_interval_s, "SizeInMBs": delivery.buffer_size_mb},
        "CompressionFormat": delivery.compression,
        "CloudWatchLoggingOptions": {"Enabled": True, "LogGroupName": ref(log_group), "LogStreamName": "delivery"},
    }
    if delivery.encryption:
        destination["EncryptionConfiguration"] = {"KMSEncryptionConfig": {
            "AWSKMSKeyARN": sub("arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/s3")}}
    if processors:
        destination["ProcessingConfiguration"] = {"Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": [
            {"ParameterName": "LambdaArn", "ParameterValue": att_of(p, "Arn")}]} for p in processors]}
    properties: Json = {"ExtendedS3DestinationConfiguration": destination}
    if sources:
        properties = {"DeliveryStreamType": "KinesisStreamAsSource", "KinesisStreamSourceConfiguration": {
            "KinesisStreamARN": out.arn(ctx.service(sources[0].source)), "RoleARN": get_att(role_id, "Arn")}, **properties}
    else:
        properties = {"DeliveryStreamType": "DirectPut", **properties}
        if delivery.encryption:
            properties["DeliveryStreamEncryptionConfigurationInput"] = {"KeyType": "AWS_OWNED_CMK"}
    out.resource(lid(delivery), "AWS::KinesisFirehose::DeliveryStream", properties, DependsOn=[f"{role_id}Policy"])
    return out


@emits(Athena)
def emit_athena(workgroup: Athena, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    first = next(s for s in ctx.architecture.services if isinstance(s, Athena) and s.database == workgroup.database)
    if first is workgroup:  # workgroups sharing a database: the first in the case creates it
        out.resource(lid(workgroup, "Database"), "AWS::Glue::Database", {
            "CatalogId": ref("AWS::AccountId"),
            "DatabaseInput": {"Name": workgroup.database, "Description": f"Tables queried by {workgroup.id}"}})
    database = lid(first, "Database")
    if workgroup.external_results:
        raise ctx.fail(workgroup, "its results go to a location outside the case (`external_results`), and archcase emits "
                                  "results to a bucket of the case only")
    results = ctx.graph.outgoing(workgroup.id, Writes, to=S3Bucket)
    if not results:
        raise ctx.fail(workgroup, "an Athena workgroup needs a `writes` flow to the S3 bucket its results go to")
    flow = results[0]
    location = sub(f"s3://{out.physical_name(ctx.service(flow.target))}/{sub_literal(flow.prefix or '')}")
    result_configuration: Json = {"OutputLocation": location}
    if workgroup.results_encryption != "none":
        result_configuration["EncryptionConfiguration"] = {"EncryptionOption": workgroup.results_encryption}
    configuration: Json = {
        "EnforceWorkGroupConfiguration": workgroup.enforce_workgroup_configuration,
        "PublishCloudWatchMetricsEnabled": True,
        "ResultConfiguration": result_configuration,
    }
    if workgroup.bytes_scanned_cutoff:
        configuration["BytesScannedCutoffPerQuery"] = workgroup.bytes_scanned_cutoff
    out.resource(lid(workgroup), "AWS::Athena::WorkGroup", {
        "Name": sub(f"${{AWS::StackName}}-{workgroup.id}"),
        "Description": cfn_text(workgroup.label or workgroup.id, 1024),
        "State": "ENABLED",
        "RecursiveDeleteOption": True,
        "WorkGroupConfiguration": configuration,
    })
    out.output(lid(workgroup, "WorkGroup"), ref_of(workgroup), f"Athena workgroup of {workgroup.id}")
    out.output(lid(workgroup, "DatabaseName"), ref(database), f"Glue database queried by {workgroup.id}")
    return out
