"""How an imported template's services are named and grouped.

A service's id is made from its logical id (`kebab`), the hash the AWS CDK appends left out (`readable`); ids
never depend on anything else, as flows, suppressions and findings refer to them. A service's `label` is set
only where the logical id is not what a person would call the resource: one a tool made (the AWS CDK's hash
suffix or construct path), one that says only the resource's type (`Function1`, `MyS3Bucket`), or one mostly of
digits. Such a service is labelled, in order, with its own name property, its `Name` tag or its `Description`
(short, on one line), when written as plain text; a CDK logical id with none of them gets its words
(`MyBucketF68F3FF0` -> "My Bucket"). Readable logical ids get no label: the diagram shows the id.

A service's `group` is the value of a tag (`--group-by tag:KEY`), or by default the nested stack or SAM
application whose local template it was read from (importer/nested.py); remote nested stacks are one generic
service each, and what they hold is not known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from .template import Resource, Template
from .values import references

CDK_HASH = re.compile(r"^(?=.*[a-z])([A-Za-z0-9]+?)(?=[0-9A-F]{8}$)(?=[0-9]*[A-F])(?=[A-F]*[0-9])")
"""A logical id the AWS CDK made: the construct's path, then 8 hex digits of its hash, letters and digits mixed
(`DistB3B78991`; `Backup20240101` is a name, kept)."""

BRANDS = ("OAuth|GraphQL|IoT|DynamoDB|ElastiCache|CloudFront|CloudWatch|CloudFormation|CloudTrail|EventBridge|OpenSearch|"
          "AppSync|WebSocket|WebACL|MySQL|PostgreSQL|DocumentDB|MongoDB|GitHub|CodeBuild|CodePipeline|CodeCommit")
"""Names written in mixed case that are one word (`IoTRule` -> `iot-rule`, not `io-t-rule`)."""

GENERIC_PREFIXES = "my|the|main|default|new|aws|lambda|s3|sqs|sns|dynamodb|ddb|serverless|api|cf|cloudfront|ec2|rds|app"
"""Words that say nothing of what a resource is for, when all its id says besides is its type (`MyS3Bucket`)."""

NAME_PROPERTIES = ("Name", "TableName", "ClusterName", "DBClusterIdentifier", "DBInstanceIdentifier", "ClusterIdentifier",
                   "DisplayName")
"""Properties that name a resource, looked at after its type's own `<Type>Name` (`FunctionName` of a function,
`BucketName`, `QueueName`, `TopicName`, `StateMachineName`, ...): those of types whose own name property is
named otherwise (a SAM `SimpleTable`'s `TableName`, an RDS cluster's `DBClusterIdentifier`, a topic's
`DisplayName`). Names of other things a resource refers to (`KeyName`, `DBSubnetGroupName`) are not looked at."""

LABEL_CHARS = 80
"""A label taken from a name or tag is cut to this length."""
DESCRIPTION_CHARS = 60
"""A `Description` is a label only when it is this short, and on one line: longer, it is prose, not a name."""
GROUP_CHARS = 100
"""A group taken from a tag is cut to this length (`Service.group`'s limit; tag values have up to 256)."""
TAG_KEY_CHARS = 128
"""AWS tag keys have at most 128 characters."""

Source = Literal["name property", "Name tag", "Description", "logical id"]
SOURCES: tuple[Source, ...] = ("name property", "Name tag", "Description", "logical id")
"""Where a label is taken from, in the order they are tried."""


def readable(logical_id: str, body: Any) -> str:
    """The name a person gave a resource, where its logical id was made by a tool: the AWS CDK's construct path
    (`aws:cdk:path` `Stack/Orders/Table/Resource` -> `OrdersTable`), else the logical id without the CDK's hash
    suffix (`DistB3B78991` -> `Dist`), else the logical id."""
    path = _cdk_path(body)
    if path is not None:
        parts = [p for p in path.split("/")[1:] if p not in ("Resource", "Default")]
        if parts:
            return "".join(p[:1].upper() + p[1:] for p in parts)
    return _dehashed(logical_id) or logical_id


def _cdk_path(body: Any) -> str | None:
    metadata = body.get("Metadata") if isinstance(body, dict) else None
    path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
    return path if isinstance(path, str) and path.count("/") >= 1 else None


def _dehashed(logical_id: str) -> str | None:
    """The logical id without the AWS CDK's hash suffix; None when it has none."""
    match = CDK_HASH.match(logical_id)
    return match.group(1) if match and len(logical_id) - 8 >= 2 else None


_ONE_WORD = re.compile(r"[A-Z]{2,}[a-z]\d+|" + BRANDS)
"""What is one word though its case changes inside (`IPv6`, `DynamoDB`)."""


def kebab(logical_id: str) -> str:
    """A service id from a logical id: `TodoApi` -> `todo-api`, `MyDDBTable` -> `my-ddb-table`, `RecordIPv6` ->
    `record-ipv6`, `IoTRule` -> `iot-rule`."""
    logical_id = re.sub(r"[^A-Za-z0-9]+", "-", logical_id)[:255]  # bounds the work below: ids have 63 characters
    logical_id = _ONE_WORD.sub(lambda m: m.group().capitalize(), logical_id)  # IPv6: one word
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1-\2", logical_id))
    slug = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")
    slug = slug if slug[:1].isalpha() else f"r-{slug}"
    return slug[:63].rstrip("-") or "resource"


def words(name: str) -> str:
    """A CamelCase name as words, their case kept: `MyBucket` -> "My Bucket", `MyDDBTable` -> "My DDB Table",
    `IoTTopicRule` -> "IoT Topic Rule" (the words `kebab` makes an id of)."""
    name = re.sub(r"[^A-Za-z0-9]+", " ", name[:255]).strip()
    shape = _ONE_WORD.sub(lambda m: m.group().capitalize(), name)  # the same length: cuts found in it apply to `name`
    cuts = [m.start() for m in re.finditer(r"(?<=[a-z0-9])[A-Z]|(?<=[A-Z])[A-Z](?=[a-z])", shape)]
    parts = [name[start:end] for start, end in zip([0, *cuts], [*cuts, len(name)], strict=True)]
    return " ".join(" ".join(parts).split())[:LABEL_CHARS]


def unreadable(logical_id: str, body: Any, service_id: str, resource_type: str) -> Literal["tool", "type", "digits"] | None:
    """Why a logical id is not what a person would call the resource: a tool made it (`tool`: the AWS CDK's hash
    suffix or construct path), it says only the resource's type (`type`: `Function1`, `MyS3Bucket`; judged on
    the service id made of it), or it is mostly digits (`digits`: `R20240101093000`); None when it is readable."""
    if _cdk_path(body) is not None or _dehashed(logical_id) is not None:
        return "tool"
    if _only_type(service_id, resource_type):
        return "type"
    if sum(c.isdigit() for c in logical_id) > sum(c.isalpha() for c in logical_id):
        return "digits"
    return None


def _only_type(service_id: str, resource_type: str) -> bool:
    """Whether a service id (or a name made one) says only the resource's type (`my-s3-bucket`, `function-1`)."""
    word = kebab(resource_type.rsplit("::", 1)[-1])
    return re.fullmatch(rf"(?:(?:{GENERIC_PREFIXES})-)*(?:{word}|resource)(?:-?\d+)?", service_id) is not None


@dataclass(frozen=True)
class Label:
    """A service's label, and where it was taken from."""

    text: str
    source: Source


def label(t: Template, resource: Resource, body: Any, service_id: str) -> Label | None:
    """The label of a service whose logical id is not readable (see `unreadable`), None for one whose logical id
    is: its own name property, its `Name` tag, its `Description` when short and on one line, each when written
    as plain text, and saying more than the service id (not `my-queue` of `my-queue`, nor `MyQueue` of a queue
    whose id is `queue`); else, for a logical id the AWS CDK made, its words."""
    why = unreadable(resource.logical_id, body, service_id, resource.type)
    if why is None:
        return None
    properties = resource.properties
    own = resource.type.rsplit("::", 1)[-1] + "Name"
    names = [properties.get(key) for key in (own, *NAME_PROPERTIES) if key in properties]
    found: list[tuple[Source, str | None]] = [("name property", literal(t, value)) for value in names]
    found.append(("Name tag", literal(t, tag(properties, "Name"))))
    description = literal(t, properties.get("Description"))
    short = description is not None and "\n" not in description and len(description) <= DESCRIPTION_CHARS
    found.append(("Description", description.rstrip(".").strip() if description and short else None))
    if why == "tool":  # the id's words, as written: `My Bucket` of `my-bucket`
        found.append(("logical id", words(readable(resource.logical_id, body))))
    for source, text in found:
        if text and (source == "logical id" or kebab(text) != service_id and not _only_type(kebab(text), resource.type)):
            return Label(text[:LABEL_CHARS].strip(), source)
    return None


def tag(properties: dict[str, Any], key: str) -> Any:
    """The value of a resource's tag `key` as written (None when it has none): from `Tags`, or another property
    of tags (`FileSystemTags`, `UserPoolTags`, ...), as a list of `{Key, Value}` (CloudFormation) or a mapping
    (SAM, and some CloudFormation types); SAM's `Globals` are merged into a resource's properties before."""
    for name, tags in properties.items():
        if not name.endswith("Tags"):
            continue
        if isinstance(tags, dict) and key in tags:
            return tags[key]
        if isinstance(tags, list):
            for item in tags:
                if isinstance(item, dict) and item.get("Key") == key:
                    return item.get("Value")
    return None


def literal(t: Template, value: Any) -> str | None:
    """A value as text when the template writes it as such, stripped; None when it is empty or a value known only
    once deployed (`Ref`, `Fn::GetAtt`, an `Fn::Sub` with placeholders, even of parameters with a default)."""
    if value is None or isinstance(value, list | dict) and any(references(value)):
        return None
    text = t.text(value)
    if text is None or "${" in text:
        return None
    return text.strip() or None


@dataclass(frozen=True)
class Grouping:
    """How the services of an imported template are grouped: by the value of one tag (`tag:KEY`), by the local
    nested stack or SAM application they were read from (`stack`, the default), or not at all (`none`)."""

    by: Literal["stack", "tag", "none"] = "stack"
    key: str = ""
    """The tag's key, for `tag`."""

    @classmethod
    def of(cls, value: str | None) -> Grouping:
        """A `--group-by` value read; ValueError saying what it takes when it is none of them."""
        if value is None or value == "stack":
            return cls()
        if value == "none":
            return cls("none")
        kind, colon, key = value.partition(":")
        if kind != "tag" or not colon:
            raise ValueError(f"{value[:40]!r} is not a grouping: give tag:KEY (by the value of tag KEY), stack (by nested "
                             "stack, the default) or none")
        if not key.strip() or len(key) > TAG_KEY_CHARS:
            raise ValueError(f"{value[:40]!r} names no tag key of 1 to {TAG_KEY_CHARS} characters: write e.g. tag:Service")
        return cls("tag", key)

    def group(self, t: Template, resource: Resource, stack: str | None) -> str | None:
        """The group of a service read from `resource`; `stack`: the logical id of the nested stack or SAM
        application it was read from, if any. A tag's value that is not plain text groups nothing."""
        if self.by == "tag":
            text = literal(t, tag(resource.properties, self.key))
            return text[:GROUP_CHARS].strip() if text else None
        return stack[:GROUP_CHARS] if self.by == "stack" and stack else None
