"""Kinesis data streams, Firehose delivery streams (source stream, Lambda processor, S3 destination), and
Athena workgroups with their Glue database and results location."""

from __future__ import annotations

from ...models import Service
from ...models.text import cfn_text, sub_literal
from . import iam
from .context import Emit
from .refs import arn, bucket_arn
from .template import Json, get_att, ref, sub


def emit_kinesis_stream(emit: Emit, stream: Service) -> None:
    properties: Json = {"RetentionPeriodHours": stream.retention_h,  # type: ignore[attr-defined]
                        "StreamModeDetails": {"StreamMode": stream.mode}}  # type: ignore[attr-defined]
    if stream.mode == "PROVISIONED":  # type: ignore[attr-defined]
        properties["ShardCount"] = stream.shards or 1  # type: ignore[attr-defined]
    if stream.encryption:  # type: ignore[attr-defined]
        properties["StreamEncryption"] = {"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}
    emit.template.resource(emit.lid(stream), "AWS::Kinesis::Stream", properties)
    emit.template.output(emit.lid(stream, "StreamName"), emit.ref(stream), f"Name of the {stream.id} stream")


def emit_firehose(emit: Emit, delivery: Service) -> None:
    t = emit.template
    destinations = emit.outgoing(delivery, "delivers", "s3")
    if len(destinations) != 1:
        raise emit.fail(delivery, "a delivery stream needs exactly one `delivers` flow to an S3 bucket")
    flow = destinations[0]
    bucket = emit.service(flow.target)
    log_group = t.resource(emit.lid(delivery, "LogGroup"), "AWS::Logs::LogGroup", {
        "LogGroupName": sub(f"/aws/kinesisfirehose/${{AWS::StackName}}-{delivery.id}"), "RetentionInDays": 30},
        DeletionPolicy="Delete", UpdateReplacePolicy="Delete")
    t.resource(emit.lid(delivery, "LogStream"), "AWS::Logs::LogStream",
               {"LogGroupName": ref(log_group), "LogStreamName": "delivery"})
    statements = iam.flow_statements(emit, flow) + [
        iam.Statement(("s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"), (bucket_arn(emit, bucket),)),
        iam.Statement(("logs:PutLogEvents",), (get_att(log_group, "Arn"),)),
    ]
    sources = emit.incoming(delivery, "delivers", "kinesis-stream")
    for source in sources:
        statements.append(iam.Statement(iam.KINESIS_READ, (arn(emit, emit.service(source.source)),)))
    processors = [emit.service(f.target) for f in emit.outgoing(delivery, "transforms")]
    for processor in processors:
        statements.append(iam.Statement(("lambda:GetFunctionConfiguration", "lambda:InvokeFunction"), (arn(emit, processor),)))
    role_id = iam.role(emit, emit.lid(delivery, "Role"), "firehose.amazonaws.com", statements,
                       f"Lets the {delivery.id} delivery stream read its source and write its destination.",
                       condition={"StringEquals": {"sts:ExternalId": ref("AWS::AccountId")}})
    prefix = getattr(flow, "prefix", None) or ""
    destination: Json = {
        "BucketARN": bucket_arn(emit, bucket),
        "RoleARN": get_att(role_id, "Arn"),
        "Prefix": prefix,
        "ErrorOutputPrefix": f"{delivery.error_prefix}!{{firehose:error-output-type}}/",  # type: ignore[attr-defined]
        "BufferingHints": {"IntervalInSeconds": delivery.buffer_interval_s, "SizeInMBs": delivery.buffer_size_mb},  # type: ignore[attr-defined]
        "CompressionFormat": delivery.compression,  # type: ignore[attr-defined]
        "CloudWatchLoggingOptions": {"Enabled": True, "LogGroupName": ref(log_group), "LogStreamName": "delivery"},
    }
    if delivery.encryption:  # type: ignore[attr-defined]
        destination["EncryptionConfiguration"] = {"KMSEncryptionConfig": {
            "AWSKMSKeyARN": sub("arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/s3")}}
    if processors:
        destination["ProcessingConfiguration"] = {"Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": [
            {"ParameterName": "LambdaArn", "ParameterValue": get_att(emit.lid(p), "Arn")}]} for p in processors]}
    properties: Json = {"ExtendedS3DestinationConfiguration": destination}
    if sources:
        properties = {"DeliveryStreamType": "KinesisStreamAsSource", "KinesisStreamSourceConfiguration": {
            "KinesisStreamARN": arn(emit, emit.service(sources[0].source)), "RoleARN": get_att(role_id, "Arn")}, **properties}
    else:
        properties = {"DeliveryStreamType": "DirectPut", **properties}
        if delivery.encryption:  # type: ignore[attr-defined]
            properties["DeliveryStreamEncryptionConfigurationInput"] = {"KeyType": "AWS_OWNED_CMK"}
    t.resource(emit.lid(delivery), "AWS::KinesisFirehose::DeliveryStream", properties, DependsOn=[f"{role_id}Policy"])


def emit_athena(emit: Emit, workgroup: Service) -> None:
    t = emit.template
    database = t.resource(emit.lid(workgroup, "Database"), "AWS::Glue::Database", {
        "CatalogId": ref("AWS::AccountId"),
        "DatabaseInput": {"Name": workgroup.database, "Description": f"Tables queried by {workgroup.id}"}})  # type: ignore[attr-defined]
    results = [f for f in emit.outgoing(workgroup, "writes", "s3")]
    if not results:
        raise emit.fail(workgroup, "an Athena workgroup needs a `writes` flow to the S3 bucket its results go to")
    flow = results[0]
    location = sub(f"s3://{emit.physical_name(emit.service(flow.target))}/{sub_literal(getattr(flow, 'prefix', None) or 'results/')}")
    result_configuration: Json = {"OutputLocation": location}
    if workgroup.results_encryption != "none":  # type: ignore[attr-defined]
        result_configuration["EncryptionConfiguration"] = {"EncryptionOption": workgroup.results_encryption}  # type: ignore[attr-defined]
    configuration: Json = {
        "EnforceWorkGroupConfiguration": workgroup.enforce_workgroup_configuration,  # type: ignore[attr-defined]
        "PublishCloudWatchMetricsEnabled": True,
        "ResultConfiguration": result_configuration,
    }
    if workgroup.bytes_scanned_cutoff:  # type: ignore[attr-defined]
        configuration["BytesScannedCutoffPerQuery"] = workgroup.bytes_scanned_cutoff  # type: ignore[attr-defined]
    t.resource(emit.lid(workgroup), "AWS::Athena::WorkGroup", {
        "Name": sub(f"${{AWS::StackName}}-{workgroup.id}"),
        "Description": cfn_text(workgroup.label or workgroup.id, 1024),
        "State": "ENABLED",
        "RecursiveDeleteOption": True,
        "WorkGroupConfiguration": configuration,
    })
    t.output(emit.lid(workgroup, "WorkGroup"), emit.ref(workgroup), f"Athena workgroup of {workgroup.id}")
    t.output(emit.lid(workgroup, "DatabaseName"), ref(database), f"Glue database queried by {workgroup.id}")
