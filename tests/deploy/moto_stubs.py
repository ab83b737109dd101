"""CloudFormation support for the resource types moto does not emulate, loaded into the test's moto_server.

moto skips a resource type it does not know, and then fails on any `!GetAtt` of it, so a template using such
types cannot be created at all. (moto does know `AWS::ApiGateway::Deployment`, but does not read a REST
API's OpenAPI `Body`, so its deployment finds no methods and fails: it is stubbed too.)

Each stub here accepts its type, gives it a physical id and plausible
attribute values, and does nothing else: these types are checked by cfn-lint and checkov only (see
STUBBED). `AWS::DynamoDB::GlobalTable` is the exception: it becomes a real moto table (its first replica)
so that tests can look at it like any other table.
"""

from __future__ import annotations

import hashlib
from typing import Any

from moto.cloudformation import parsing  # defines moto's own models first, so the stubs below override them
from moto.core.common_models import CloudFormationModel
from moto.dynamodb.models.table import Table
from moto.events.models import EventBus

STUBBED: dict[str, str] = {
    "AWS::ApiGateway::Account": "apigateway", "AWS::ApiGateway::Stage": "apigateway",
    "AWS::ApiGateway::Deployment": "apigateway",
    "AWS::Athena::WorkGroup": "athena", "AWS::CloudFront::CloudFrontOriginAccessIdentity": "cloudfront",
    "AWS::CloudFront::Distribution": "cloudfront", "AWS::CloudFront::KeyGroup": "cloudfront",
    "AWS::CloudFront::OriginAccessControl": "cloudfront", "AWS::CloudFront::PublicKey": "cloudfront",
    "AWS::Cognito::IdentityPool": "cognito-identity", "AWS::Cognito::IdentityPoolRoleAttachment": "cognito-identity",
    "AWS::Cognito::UserPool": "cognito-idp", "AWS::Cognito::UserPoolClient": "cognito-idp",
    "AWS::DAX::Cluster": "dax", "AWS::DAX::SubnetGroup": "dax", "AWS::EC2::SecurityGroupEgress": "ec2",
    "AWS::ElasticLoadBalancing::LoadBalancer": "elasticloadbalancing", "AWS::Glue::Database": "glue",
    "AWS::KinesisFirehose::DeliveryStream": "firehose", "AWS::Logs::LogStream": "logs",
    "AWS::S3::BucketPolicy": "s3", "AWS::SES::ConfigurationSet": "ses", "AWS::SES::EmailIdentity": "ses",
    "AWS::SNS::Subscription": "sns", "AWS::SQS::QueuePolicy": "sqs",
    **{f"AWS::ApiGatewayV2::{part}": "apigateway" for part in ("Api", "Integration", "Route", "Authorizer", "Stage")},
    # moto creates DB instances, but gives none of the attributes emitted templates read (an ARN, the master
    # secret, the resource id), and no Aurora clusters at all
    "AWS::RDS::DBInstance": "rds", "AWS::RDS::DBCluster": "rds", "AWS::RDS::DBSubnetGroup": "rds",
    # moto's CloudFormation creates no ElastiCache resources nor secrets, and gives EFS resources no attributes
    **{f"AWS::ElastiCache::{part}": "elasticache" for part in ("ReplicationGroup", "CacheCluster", "ServerlessCache", "SubnetGroup")},
    "AWS::SecretsManager::Secret": "secretsmanager", "AWS::EFS::AccessPoint": "elasticfilesystem",
    "AWS::EFS::FileSystem": "elasticfilesystem", "AWS::EFS::MountTarget": "elasticfilesystem",
    # moto's CloudFormation requires an instance's ImageId and reads no launch template (a real instance takes both
    # from the launch template it names)
    "AWS::EC2::Instance": "ec2",
}
"""Resource types archcase emits that moto does not create, by the service in their ARNs."""

_MODULE = "moto.archcase_stubs"
"""moto's model metaclass files models under the second part of their module name."""

_REF_PROPERTY = {"AWS::ApiGateway::Stage": "StageName", "AWS::SES::EmailIdentity": "EmailIdentity",
                 "AWS::SES::ConfigurationSet": "Name"}


def _stub(type_: str, service: str) -> type:
    def init(self: Any, name: str, properties: dict[str, Any], account_id: str, region: str) -> None:
        self.name, self.properties, self.account_id, self.region = name, properties, account_id, region
        digest = hashlib.sha256(f"{type_}/{name}".encode()).hexdigest()
        self.id = properties.get(_REF_PROPERTY.get(type_, "")) or f"{name.lower()}-{digest[:12]}"
        if type_ == "AWS::Glue::Database":
            self.id = properties["DatabaseInput"]["Name"]
        if type_ == "AWS::Cognito::UserPool":
            self.id = f"{region}_{digest[:9]}"
        if type_ == "AWS::SecretsManager::Secret":  # its Ref is its ARN
            self.id = f"arn:aws:secretsmanager:{region}:{account_id}:secret:{name}-{digest[:6]}"

    def attribute(self: Any, attribute: str) -> Any:
        if attribute == "Arn":
            return f"arn:aws:{service}:{self.region}:{self.account_id}:{type_.split('::')[-1].lower()}/{self.id}"
        if attribute == "DomainName":
            return f"{self.id}.cloudfront.net"
        if attribute == "ProviderName":
            return f"cognito-idp.{self.region}.amazonaws.com/{self.id}"
        if attribute == "ClusterDiscoveryEndpointURL":
            return f"daxs://{self.id}.dax-clusters.{self.region}.amazonaws.com"
        if attribute in ("Endpoint.Address", "Endpoint"):  # moto may cut a dotted attribute at its first dot
            return f"{self.id}.abcdefghijkl.{self.region}.{service}.amazonaws.com"
        if attribute.endswith(("EndPoint.Address", "Endpoint.Address")) or attribute in ("PrimaryEndPoint", "ConfigurationEndPoint",
                                                                                       "RedisEndpoint", "ConfigurationEndpoint"):
            return f"{self.id}.abcdef.0001.use1.cache.amazonaws.com"
        if attribute.endswith(("EndPoint.Port", "Endpoint.Port")):
            return "6379"
        if attribute in ("MasterUserSecret.SecretArn", "MasterUserSecret"):
            return f"arn:aws:secretsmanager:{self.region}:{self.account_id}:secret:rds!{self.id}-AbCdEf"
        if attribute in ("DBInstanceArn", "DBClusterArn"):
            kind = "db" if attribute == "DBInstanceArn" else "cluster"
            return f"arn:aws:rds:{self.region}:{self.account_id}:{kind}:{self.id}"
        if attribute in ("DbiResourceId", "DBClusterResourceId"):
            return f"{'db' if attribute == 'DbiResourceId' else 'cluster'}-{hashlib.sha256(self.id.encode()).hexdigest()[:26].upper()}"
        if attribute == "S3CanonicalUserId":
            return hashlib.sha256(self.id.encode()).hexdigest() * 2
        return self.id

    @classmethod  # type: ignore[misc]
    def create(cls: Any, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
               **_kwargs: Any) -> Any:
        return cls(resource_name, cloudformation_json.get("Properties", {}), account_id, region_name)

    @classmethod  # type: ignore[misc]
    def update(cls: Any, original: Any, new_name: str, cloudformation_json: dict[str, Any], account_id: str,
               region_name: str) -> Any:
        return cls(new_name, cloudformation_json.get("Properties", {}), account_id, region_name)

    namespace = {
        "__module__": _MODULE,
        "__init__": init,
        "cloudformation_name_type": staticmethod(lambda: ""),
        "cloudformation_type": staticmethod(lambda: type_),
        "has_cfn_attr": classmethod(lambda cls, attr: True),
        "create_from_cloudformation_json": create,
        "update_from_cloudformation_json": update,
        "delete_from_cloudformation_json": classmethod(lambda cls, *args, **kwargs: None),
        "is_created": lambda self: True,
        "physical_resource_id": property(lambda self: self.id),
        "get_cfn_attribute": attribute,
    }
    return type(f"Stub{type_.replace('::', '')}", (CloudFormationModel,), namespace)


STUBS = [_stub(type_, service) for type_, service in STUBBED.items()]


class GlobalTable(CloudFormationModel):
    """A global table as a moto table in the stack's Region, with the first replica's settings."""

    __module__ = _MODULE

    @staticmethod
    def cloudformation_name_type() -> str:
        return "TableName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::DynamoDB::GlobalTable"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return Table.has_cfn_attr(attr)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
                                        region_name: str, **kwargs: Any) -> Any:
        properties = dict(cloudformation_json["Properties"])
        replicas = properties.pop("Replicas", [])
        if replicas and "PointInTimeRecoverySpecification" in replicas[0]:
            properties["PointInTimeRecoverySpecification"] = replicas[0]["PointInTimeRecoverySpecification"]
        properties.pop("SSESpecification", None)
        return Table.create_from_cloudformation_json(resource_name, {"Properties": properties}, account_id, region_name, **kwargs)

    @classmethod
    def update_from_cloudformation_json(cls, original: Any, new_name: str, cloudformation_json: dict[str, Any],
                                        account_id: str, region_name: str) -> Any:
        return original

    @classmethod
    def delete_from_cloudformation_json(cls, *args: Any, **kwargs: Any) -> None:
        return None

    def is_created(self) -> bool:
        return True


# moto's event bus has no physical id, so its Ref gives the model object, and a rule on the bus fails: its Ref is its name
setattr(EventBus, "physical_resource_id", property(lambda self: self.name))  # noqa: B010

parsing.get_model_map.cache_clear()
parsing.get_name_type_map.cache_clear()
