"""DynamoDB tables (global tables where the model is global), DAX clusters, and S3 buckets with their
policies and event notifications."""

from __future__ import annotations

from ...models import Service
from ...models.text import cfn_text
from . import iam
from .compute import permission_id, security_group
from .context import Emit
from .refs import bucket_arn, bucket_name
from .template import Json, get_att, ref

RETAIN = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}


def emit_dynamodb(emit: Emit, table: Service) -> None:
    keys = [("HASH", table.partition_key)] + ([("RANGE", table.sort_key)] if table.sort_key else [])  # type: ignore[attr-defined]
    properties: Json = {
        "AttributeDefinitions": [{"AttributeName": k.name, "AttributeType": k.type} for _, k in keys],
        "KeySchema": [{"AttributeName": k.name, "KeyType": role} for role, k in keys],
        "BillingMode": table.billing_mode,  # type: ignore[attr-defined]
    }
    if table.billing_mode == "PROVISIONED":  # type: ignore[attr-defined]
        properties["ProvisionedThroughput"] = {"ReadCapacityUnits": max(1, int(table.expected_reads_per_s or 5)),  # type: ignore[attr-defined]
                                               "WriteCapacityUnits": max(1, int(table.expected_writes_per_s or 5))}  # type: ignore[attr-defined]
    if table.stream:  # type: ignore[attr-defined]
        properties["StreamSpecification"] = {"StreamViewType": table.stream}  # type: ignore[attr-defined]
    if table.ttl_attribute:  # type: ignore[attr-defined]
        properties["TimeToLiveSpecification"] = {"AttributeName": table.ttl_attribute, "Enabled": True}  # type: ignore[attr-defined]
    encryption = table.encryption  # type: ignore[attr-defined]
    sse: Json = {"SSEEnabled": encryption != "aws-owned"}
    if encryption == "customer-managed":
        sse.update(SSEType="KMS", KMSMasterKeyId=emit.template.parameter(emit.lid(table, "KmsKeyArn"), {
            "Type": "String", "Description": f"Customer-managed KMS key for the {table.id} table."}))
    pitr = {"PointInTimeRecoveryEnabled": table.point_in_time_recovery}  # type: ignore[attr-defined]
    if table.replica_regions:  # type: ignore[attr-defined]
        replicas = [ref("AWS::Region"), *table.replica_regions]  # type: ignore[attr-defined]
        local_key = {"SSESpecification": {"KMSMasterKeyId": sse["KMSMasterKeyId"]}} if "KMSMasterKeyId" in sse else {}
        properties.pop("BillingMode")
        global_properties: Json = {**properties, "BillingMode": table.billing_mode,  # type: ignore[attr-defined]
                                   "SSESpecification": {"SSEEnabled": encryption != "aws-owned",
                                                        **({"SSEType": "KMS"} if encryption != "aws-owned" else {})},
                                   "Replicas": [{"Region": region, "PointInTimeRecoverySpecification": pitr,
                                                 "DeletionProtectionEnabled": table.deletion_protection,  # type: ignore[attr-defined]
                                                 **(local_key if index == 0 else {})}
                                                for index, region in enumerate(replicas)]}
        if "ProvisionedThroughput" in global_properties:
            raise emit.fail(table, "a global table here is PAY_PER_REQUEST only: set billing_mode: PAY_PER_REQUEST")
        emit.template.resource(emit.lid(table), "AWS::DynamoDB::GlobalTable", global_properties, **RETAIN)
    else:
        properties.update(SSESpecification=sse, PointInTimeRecoverySpecification=pitr,
                          DeletionProtectionEnabled=table.deletion_protection)  # type: ignore[attr-defined]
        emit.template.resource(emit.lid(table), "AWS::DynamoDB::Table", properties, **RETAIN)
    emit.template.output(emit.lid(table, "TableName"), emit.ref(table), f"Name of the {table.id} table")


def emit_dax(emit: Emit, cluster: Service) -> None:
    t = emit.template
    statements: list[iam.Statement] = []
    for flow in emit.outgoing(cluster, "caches"):
        table = emit.service(flow.target)
        statements.append(iam.Statement(iam.TABLE_READ + iam.TABLE_WRITE + ("dynamodb:DescribeTable",),
                                        (get_att(emit.lid(table), "Arn"),)))
    role_id = iam.role(emit, emit.lid(cluster, "Role"), "dax.amazonaws.com", statements,
                       f"Lets the {cluster.id} DAX cluster read and write the tables it caches.")
    subnets = t.resource(emit.lid(cluster, "SubnetGroup"), "AWS::DAX::SubnetGroup", {
        "Description": f"Subnets of the {cluster.id} DAX cluster", "SubnetIds": emit.subnets()})
    clients = [emit.service(i) for i in dict.fromkeys(f.source for f in emit.incoming(cluster) if f.kind in ("reads", "writes"))]
    port = 9111 if cluster.tls_in_transit else 8111  # type: ignore[attr-defined]
    ingress = []
    for client in clients:
        ingress.append({"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
                        "SourceSecurityGroupId": ref(security_group(emit, client)), "Description": f"from {client.id}"})
    group = t.resource(emit.lid(cluster, "SecurityGroup"), "AWS::EC2::SecurityGroup", {
        "GroupDescription": f"{cluster.id}: DAX clients only",
        "VpcId": emit.vpc(),
        "SecurityGroupIngress": ingress,
        "SecurityGroupEgress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0",
                                 "Description": "HTTPS to DynamoDB"}],
    })
    for client in clients:
        t.resource(emit.lid(client, f"To{emit.lid(cluster)}Egress"), "AWS::EC2::SecurityGroupEgress", {
            "GroupId": ref(security_group(emit, client)), "IpProtocol": "tcp", "FromPort": port, "ToPort": port,
            "DestinationSecurityGroupId": ref(group), "Description": f"to the {cluster.id} DAX cluster"})
    t.resource(emit.lid(cluster), "AWS::DAX::Cluster", {
        "Description": cfn_text(cluster.label or cluster.id, 255),
        "NodeType": cluster.node_type,  # type: ignore[attr-defined]
        "ReplicationFactor": cluster.nodes,  # type: ignore[attr-defined]
        "IAMRoleARN": get_att(role_id, "Arn"),
        "SubnetGroupName": ref(subnets),
        "SecurityGroupIds": [ref(group)],
        "SSESpecification": {"SSEEnabled": cluster.encryption_at_rest},  # type: ignore[attr-defined]
        "ClusterEndpointEncryptionType": "TLS" if cluster.tls_in_transit else "NONE",  # type: ignore[attr-defined]
    }, DependsOn=[f"{role_id}Policy"])


def emit_s3(emit: Emit, bucket: Service) -> None:
    t = emit.template
    properties: Json = {
        "BucketName": bucket_name(emit, bucket),
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": (
            {"SSEAlgorithm": "aws:kms"} if bucket.encryption == "sse-kms" else {"SSEAlgorithm": "AES256"}),  # type: ignore[attr-defined]
            "BucketKeyEnabled": bucket.encryption == "sse-kms"}]},  # type: ignore[attr-defined]
    }
    block = bool(bucket.block_public_access)  # type: ignore[attr-defined]
    properties["PublicAccessBlockConfiguration"] = {"BlockPublicAcls": block, "BlockPublicPolicy": block,
                                                    "IgnorePublicAcls": block, "RestrictPublicBuckets": block}
    if bucket.website_hosting:  # type: ignore[attr-defined]
        properties["WebsiteConfiguration"] = {"IndexDocument": "index.html", "ErrorDocument": "error.html"}
    if bucket.versioning:  # type: ignore[attr-defined]
        properties["VersioningConfiguration"] = {"Status": "Enabled"}
    if bucket.access_logging:  # type: ignore[attr-defined]
        properties["LoggingConfiguration"] = {"DestinationBucketName": ref(access_log_bucket(emit)),
                                              "LogFilePrefix": f"s3/{bucket.id}/"}
    if bucket.transfer_acceleration:  # type: ignore[attr-defined]
        properties["AccelerateConfiguration"] = {"AccelerationStatus": "Enabled"}
    depends: list[str] = []
    notifications: Json = {}
    for flow in emit.outgoing(bucket, "triggers"):
        function = emit.service(flow.target)
        notifications.setdefault("LambdaConfigurations", []).extend(
            {"Event": event, "Function": get_att(emit.lid(function), "Arn"), **_filter(flow)}
            for event in (flow.events or ["s3:ObjectCreated:*"]))  # type: ignore[attr-defined]
        depends.append(permission_id(emit, function, bucket))
    for flow in emit.outgoing(bucket, "notifies"):
        queue = emit.service(flow.target)
        notifications.setdefault("QueueConfigurations", []).extend(
            {"Event": event, "Queue": get_att(emit.lid(queue), "Arn"), **_filter(flow)}
            for event in flow.events)  # type: ignore[attr-defined]
        depends.append(emit.lid(queue, "Policy"))
    if notifications:
        properties["NotificationConfiguration"] = notifications
    attributes: Json = dict(RETAIN)
    if depends:
        attributes["DependsOn"] = sorted(set(depends))
    t.resource(emit.lid(bucket), "AWS::S3::Bucket", properties, **attributes)
    bucket_policy(emit, bucket)
    t.output(emit.lid(bucket, "BucketName"), ref(emit.lid(bucket)), f"Name of the {bucket.id} bucket")


def _filter(flow: object) -> Json:
    rules = [{"Name": name, "Value": value} for name, value in (("prefix", getattr(flow, "prefix", None)),
                                                               ("suffix", getattr(flow, "suffix", None))) if value]
    return {"Filter": {"S3Key": {"Rules": rules}}} if rules else {}


def bucket_policy(emit: Emit, bucket: Service) -> None:
    """TLS only, and the distributions that use the bucket as an origin (through their OAC or OAI) may read."""
    statements: list[Json] = []
    if bucket.enforce_tls:  # type: ignore[attr-defined]
        statements.append({"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                           "Resource": [bucket_arn(emit, bucket), bucket_arn(emit, bucket, "/*")],
                           "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    for flow in emit.incoming(bucket, "origin"):
        distribution = emit.lid(flow.source)
        path = bucket_arn(emit, bucket, "/*")
        if flow.access == "oai":  # type: ignore[attr-defined]
            statements.append({"Sid": f"{distribution}OriginAccessIdentity", "Effect": "Allow",
                               "Principal": {"CanonicalUser": get_att(f"{distribution}OriginAccessIdentity", "S3CanonicalUserId")},
                               "Action": "s3:GetObject", "Resource": path})
        elif flow.access == "oac":  # type: ignore[attr-defined]
            statements.append({"Sid": f"{distribution}OriginAccessControl", "Effect": "Allow",
                               "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
                               "Resource": path, "Condition": {"StringEquals": {"AWS:SourceArn": {"Fn::Sub": (
                                   f"arn:${{AWS::Partition}}:cloudfront::${{AWS::AccountId}}:distribution/${{{distribution}}}")}}}})
    if statements:
        emit.template.resource(emit.lid(bucket, "Policy"), "AWS::S3::BucketPolicy", {
            "Bucket": ref(emit.lid(bucket)), "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}})


def access_log_bucket(emit: Emit) -> str:
    """The one bucket per template that receives S3 server access logs and CloudFront standard logs."""
    lid = "AccessLogs"
    if lid in emit.template.resources:
        return lid
    name = emit.physical_name("access-logs")
    emit.template.resource(lid, "AWS::S3::Bucket", {
        "BucketName": {"Fn::Sub": name},
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]},
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                           "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
        "VersioningConfiguration": {"Status": "Enabled"},
        "LifecycleConfiguration": {"Rules": [{"Id": "expire-logs", "Status": "Enabled", "ExpirationInDays": 365,
                                              "NoncurrentVersionExpiration": {"NoncurrentDays": 30}}]},
    }, **RETAIN)
    arn_bucket = {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{name}"}
    arn_all = {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{name}/*"}
    emit.template.resource(f"{lid}Policy", "AWS::S3::BucketPolicy", {"Bucket": ref(lid), "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [
            {"Sid": "S3ServerAccessLogs", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": arn_all,
             "Condition": {"StringEquals": {"aws:SourceAccount": ref("AWS::AccountId")}}},
            {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [arn_bucket, arn_all], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        ]}})
    return lid
