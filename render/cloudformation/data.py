"""DynamoDB tables (global tables where the model is global), DAX clusters, and S3 buckets with their
policies and event notifications."""

from __future__ import annotations

from ...models.base import Service
from ...models.compute import AutoScalingGroup, Ec2Instance, LambdaFunction
from ...models.data import DaxCluster, DynamoDbTable, S3Bucket
from ...models.flows import Caches, Notifies, Origin, Reads, Triggers, Writes
from ...models.messaging import SqsQueue
from ...models.text import cfn_text
from . import iam
from .compute import permission_id, security_group
from .context import Context, Fragment, att_of, lid, ref_of
from .marks import emits
from .policy import Statement
from .refs import bucket_arn, bucket_name
from .template import Json, get_att, ref

RETAIN: Json = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}


@emits(DynamoDbTable)
def emit_dynamodb(table: DynamoDbTable, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    keys = [("HASH", table.partition_key)] + ([("RANGE", table.sort_key)] if table.sort_key else [])
    properties: Json = {
        "AttributeDefinitions": [{"AttributeName": k.name, "AttributeType": k.type} for _, k in keys],
        "KeySchema": [{"AttributeName": k.name, "KeyType": role} for role, k in keys],
        "BillingMode": table.billing_mode,
    }
    if table.billing_mode == "PROVISIONED":
        properties["ProvisionedThroughput"] = {"ReadCapacityUnits": max(1, int(table.expected_reads_per_s or 5)),
                                               "WriteCapacityUnits": max(1, int(table.expected_writes_per_s or 5))}
    if table.stream:
        properties["StreamSpecification"] = {"StreamViewType": table.stream}
    if table.ttl_attribute:
        properties["TimeToLiveSpecification"] = {"AttributeName": table.ttl_attribute, "Enabled": True}
    encryption = table.encryption
    sse: Json = {"SSEEnabled": encryption != "aws-owned"}
    if encryption == "customer-managed":
        sse.update(SSEType="KMS", KMSMasterKeyId=out.parameter(lid(table, "KmsKeyArn"), {
            "Type": "String", "Description": f"Customer-managed KMS key for the {table.id} table."}))
    pitr = {"PointInTimeRecoveryEnabled": table.point_in_time_recovery}
    if table.replica_regions:
        replicas = [ref("AWS::Region"), *table.replica_regions]
        local_key = {"SSESpecification": {"KMSMasterKeyId": sse["KMSMasterKeyId"]}} if "KMSMasterKeyId" in sse else {}
        properties.pop("BillingMode")
        global_properties: Json = {**properties, "BillingMode": table.billing_mode,
                                   "SSESpecification": {"SSEEnabled": encryption != "aws-owned",
                                                        **({"SSEType": "KMS"} if encryption != "aws-owned" else {})},
                                   "Replicas": [{"Region": region, "PointInTimeRecoverySpecification": pitr,
                                                 "DeletionProtectionEnabled": table.deletion_protection,
                                                 **(local_key if index == 0 else {})}
                                                for index, region in enumerate(replicas)]}
        if "ProvisionedThroughput" in global_properties:
            raise ctx.fail(table, "a global table here is PAY_PER_REQUEST only: set billing_mode: PAY_PER_REQUEST")
        out.resource(lid(table), "AWS::DynamoDB::GlobalTable", global_properties, **RETAIN)
    else:
        properties.update(SSESpecification=sse, PointInTimeRecoverySpecification=pitr,
                          DeletionProtectionEnabled=table.deletion_protection)
        out.resource(lid(table), "AWS::DynamoDB::Table", properties, **RETAIN)
    out.output(lid(table, "TableName"), ref(lid(table)), f"Name of the {table.id} table")
    return out


@emits(DaxCluster)
def emit_dax(cluster: DaxCluster, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    statements: list[Statement] = []
    for flow in ctx.graph.outgoing(cluster.id, Caches):
        statements += out.permissions(flow)
    role_id = iam.role(out, lid(cluster, "Role"), "dax.amazonaws.com", statements,
                       f"Lets the {cluster.id} DAX cluster read and write the tables it caches.")
    subnets = out.resource(lid(cluster, "SubnetGroup"), "AWS::DAX::SubnetGroup", {
        "Description": f"Subnets of the {cluster.id} DAX cluster", "SubnetIds": out.subnets()})
    compute = ctx.graph.incoming(cluster.id, frm=(LambdaFunction, AutoScalingGroup, Ec2Instance))
    clients = [ctx.service(i) for i in dict.fromkeys(f.source for f in compute if isinstance(f, (Reads, Writes)))]
    port = 9111 if cluster.tls_in_transit else 8111
    ingress = []
    for client in clients:
        ingress.append({"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
                        "SourceSecurityGroupId": ref(_client_group(out, client)), "Description": f"from {client.id}"})
    group = out.resource(lid(cluster, "SecurityGroup"), "AWS::EC2::SecurityGroup", {
        "GroupDescription": f"{cluster.id}: DAX clients only",
        "VpcId": out.vpc(),
        "SecurityGroupIngress": ingress,
        "SecurityGroupEgress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0",
                                 "Description": "HTTPS to DynamoDB"}],
    })
    for client in clients:
        out.resource(lid(client, f"To{lid(cluster)}Egress"), "AWS::EC2::SecurityGroupEgress", {
            "GroupId": ref(_client_group(out, client)), "IpProtocol": "tcp", "FromPort": port, "ToPort": port,
            "DestinationSecurityGroupId": ref(group), "Description": f"to the {cluster.id} DAX cluster"})
    attributes: Json = {"DependsOn": [f"{role_id}Policy"]} if statements else {}
    out.resource(lid(cluster), "AWS::DAX::Cluster", {
        "Description": cfn_text(cluster.label or cluster.id, 255),
        "NodeType": cluster.node_type,
        "ReplicationFactor": cluster.nodes,
        "IAMRoleARN": get_att(role_id, "Arn"),
        "SubnetGroupName": ref(subnets),
        "SecurityGroupIds": [ref(group)],
        "SSESpecification": {"SSEEnabled": cluster.encryption_at_rest},
        "ClusterEndpointEncryptionType": "TLS" if cluster.tls_in_transit else "NONE",
    }, **attributes)
    return out


def _client_group(out: Fragment, client: Service) -> str:
    """The security group DAX admits a client from: the instances' own (their emitter writes it), or the
    shared one of a function in the VPC."""
    return lid(client, "SecurityGroup") if isinstance(client, (AutoScalingGroup, Ec2Instance)) else security_group(out, client)


@emits(S3Bucket)
def emit_s3(bucket: S3Bucket, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    properties: Json = {
        "BucketName": bucket_name(out, bucket),
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": (
            {"SSEAlgorithm": "aws:kms"} if bucket.encryption == "sse-kms" else {"SSEAlgorithm": "AES256"}),
            "BucketKeyEnabled": bucket.encryption == "sse-kms"}]},
    }
    block = bool(bucket.block_public_access)
    properties["PublicAccessBlockConfiguration"] = {"BlockPublicAcls": block, "BlockPublicPolicy": block,
                                                    "IgnorePublicAcls": block, "RestrictPublicBuckets": block}
    if bucket.website_hosting:
        properties["WebsiteConfiguration"] = {"IndexDocument": "index.html", "ErrorDocument": "error.html"}
    if bucket.versioning:
        properties["VersioningConfiguration"] = {"Status": "Enabled"}
    if bucket.access_logging:
        properties["LoggingConfiguration"] = {"DestinationBucketName": ref(access_log_bucket(out)),
                                              "LogFilePrefix": f"s3/{bucket.id}/"}
    if bucket.transfer_acceleration:
        properties["AccelerateConfiguration"] = {"AccelerationStatus": "Enabled"}
    depends: list[str] = []
    notifications: Json = {}
    for flow in ctx.graph.outgoing(bucket.id, Triggers):
        function = ctx.service(flow.target)
        notifications.setdefault("LambdaConfigurations", []).extend(
            {"Event": event, "Function": att_of(function, "Arn"), **_filter(flow)}
            for event in flow.events)  # the model fills an S3 trigger's unset events
        depends.append(permission_id(function, bucket))
    for notifies in ctx.graph.outgoing(bucket.id, Notifies):
        target = ctx.service(notifies.target)
        if isinstance(target, SqsQueue):
            notifications.setdefault("QueueConfigurations", []).extend(
                {"Event": event, "Queue": att_of(target, "Arn"), **_filter(notifies)} for event in notifies.events)
        else:
            notifications.setdefault("TopicConfigurations", []).extend(
                {"Event": event, "Topic": ref_of(target), **_filter(notifies)} for event in notifies.events)
        depends.append(lid(target, "Policy"))
    if notifications:
        properties["NotificationConfiguration"] = notifications
    attributes: Json = dict(RETAIN)
    if depends:
        attributes["DependsOn"] = sorted(set(depends))
    out.resource(lid(bucket), "AWS::S3::Bucket", properties, **attributes)
    bucket_policy(out, bucket)
    out.output(lid(bucket, "BucketName"), ref(lid(bucket)), f"Name of the {bucket.id} bucket")
    return out


def _filter(flow: object) -> Json:
    rules = [{"Name": name, "Value": value} for name, value in (("prefix", getattr(flow, "prefix", None)),
                                                               ("suffix", getattr(flow, "suffix", None))) if value]
    return {"Filter": {"S3Key": {"Rules": rules}}} if rules else {}


def bucket_policy(out: Fragment, bucket: S3Bucket) -> None:
    """TLS only, and the distributions that use the bucket as an origin (through their OAC or OAI) may read."""
    statements: list[Json] = []
    if bucket.enforce_tls:
        statements.append({"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                           "Resource": [bucket_arn(out, bucket), bucket_arn(out, bucket, "/*")],
                           "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    for flow in out.ctx.graph.incoming(bucket.id, Origin):
        distribution = lid(flow.source)
        path = bucket_arn(out, bucket, "/*")
        if flow.access == "oai":
            statements.append({"Sid": f"{distribution}OriginAccessIdentity", "Effect": "Allow",
                               "Principal": {"CanonicalUser": get_att(f"{distribution}OriginAccessIdentity", "S3CanonicalUserId")},
                               "Action": "s3:GetObject", "Resource": path})
        elif flow.access == "oac":
            statements.append({"Sid": f"{distribution}OriginAccessControl", "Effect": "Allow",
                               "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
                               "Resource": path, "Condition": {"StringEquals": {"AWS:SourceArn": {"Fn::Sub": (
                                   f"arn:${{AWS::Partition}}:cloudfront::${{AWS::AccountId}}:distribution/${{{distribution}}}")}}}})
    if statements:
        out.resource(lid(bucket, "Policy"), "AWS::S3::BucketPolicy", {
            "Bucket": ref(lid(bucket)), "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}})


def access_log_bucket(out: Fragment) -> str:
    """The one bucket per template that receives S3 server access logs and CloudFront standard logs (shared:
    every service that logs adds it, identically)."""
    logs = "AccessLogs"
    name = out.physical_name("access-logs")
    out.resource(logs, "AWS::S3::Bucket", {
        "BucketName": {"Fn::Sub": name},
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]},
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                           "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
        "VersioningConfiguration": {"Status": "Enabled"},
        "LifecycleConfiguration": {"Rules": [{"Id": "expire-logs", "Status": "Enabled", "ExpirationInDays": 365,
                                              "NoncurrentVersionExpiration": {"NoncurrentDays": 30}}]},
    }, shared=True, **RETAIN)
    arn_bucket = {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{name}"}
    arn_all = {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{name}/*"}
    out.resource(f"{logs}Policy", "AWS::S3::BucketPolicy", {"Bucket": ref(logs), "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [
            {"Sid": "S3ServerAccessLogs", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": arn_all,
             "Condition": {"StringEquals": {"aws:SourceAccount": ref("AWS::AccountId")}}},
            {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [arn_bucket, arn_all], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        ]}}, shared=True)
    return logs
