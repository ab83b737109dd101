"""How a template refers to each kind of service: its ARN (`@arn_of`), its name, and an SES sender."""

from __future__ import annotations

from ...models.analytics import Athena, Firehose, KinesisStream
from ...models.base import Service
from ...models.compute import LambdaFunction
from ...models.data import DaxCluster, DynamoDbTable, S3Bucket
from ...models.edge import CloudFront
from ...models.events import EventRule
from ...models.flows import Signs
from ...models.identity import CognitoUserPool
from ...models.messaging import Ses, SnsTopic, SqsQueue
from ...models.text import sub_literal
from .context import Fragment, att_of, lid, ref_of
from .marks import arn_of
from .template import EmitError, Json, get_att, sub


def bucket_name(out: Fragment, bucket: Service) -> Json:
    return sub(out.physical_name(bucket))


def bucket_arn(out: Fragment, bucket: Service, path: str = "") -> Json:
    """ARN of a bucket (or of objects under it, with `path` such as `/uploads/*`), built from its name so that
    it can be used before the bucket exists."""
    return sub(f"arn:${{AWS::Partition}}:s3:::{out.physical_name(bucket)}{path}")


@arn_of(S3Bucket)
def _bucket(out: Fragment, bucket: S3Bucket) -> Json:
    return bucket_arn(out, bucket)


@arn_of(SnsTopic)
def _topic(out: Fragment, topic: SnsTopic) -> Json:
    return ref_of(topic)


@arn_of(Ses)
def _identity(out: Fragment, identity: Ses) -> Json:
    return sub(f"arn:${{AWS::Partition}}:ses:${{AWS::Region}}:${{AWS::AccountId}}:identity/{sub_literal(identity.identity)}")


@arn_of(Athena)
def _workgroup(out: Fragment, workgroup: Athena) -> Json:
    return sub(f"arn:${{AWS::Partition}}:athena:${{AWS::Region}}:${{AWS::AccountId}}:workgroup/${{{lid(workgroup)}}}")


@arn_of(LambdaFunction, DynamoDbTable, DaxCluster, SqsQueue, KinesisStream, Firehose, CognitoUserPool)
def _arn_attribute(out: Fragment, service: Service) -> Json:
    return att_of(service, "Arn")


def bus_arn(rule: EventRule) -> Json:
    """The ARN of the bus a rule is on, which `events:PutEvents` names."""
    if rule.custom_bus:
        return get_att(lid(rule, "Bus"), "Arn")
    return sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default")


def ssm_parameter_arn(parameter: str) -> Json:
    """ARN of the SSM parameter whose name is in the template parameter `parameter` (names start with `/`)."""
    return sub(f"arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter${{{parameter}}}")


def sender(identity: Ses) -> Json:
    """The From address for an SES identity: the address itself, or no-reply@ a domain identity (written as a
    reference to the identity, so the template says which identity a function sends from)."""
    if "@" in identity.identity:
        return ref_of(identity)
    return sub(f"no-reply@${{{lid(identity)}}}")


def signing_key_parameter(cdn: CloudFront, flow: Signs) -> str:
    """The template parameter naming the SSM parameter that holds the private key a `signs` flow signs with.
    Only a distribution with `signed_urls` has a key group, public key and private-key parameter (edge.py); a
    signer of one without has nothing to sign with, and the case is refused (AC109 reports the missing signed
    URLs of paid content as a finding, so the model accepts such a case for checking)."""
    if cdn.signed_urls is None:
        raise EmitError(
            f"`signs` flow '{flow.key}': '{flow.source}' signs URLs for '{cdn.id}', which has no `signed_urls`, so "
            f"the template has no key for '{flow.source}' to sign with (paid content without signed URLs)",
            flow.key, f"set `signed_urls: {{key_group: ...}}` on '{cdn.id}', or remove the `signs` flow")
    return lid(cdn, "PrivateKeyParameter")
