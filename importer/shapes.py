"""A template's shape checked up front, where the importer relies on it, with the position of what is wrong.

CloudFormation and SAM say what each property holds (a mapping of event names to events, a list of origins,
...). A template that gives something else (a list where a mapping belongs, text where a list belongs) would
deploy with an error, and would otherwise send the importer down a path it does not expect. Each such value
is left out here, with a located note saying what it is, what was expected and how to fix it, and the import
goes on without it. Values given by an intrinsic function (`Ref`, `Fn::If`, ...) are not judged: what they
give is known only when the stack deploys.

`Fn::ForEach` loops (AWS::LanguageExtensions) are expanded here too, where the collection they loop over is
a literal list or a parameter's default; other loops, and `Fn::Transform` snippets that stand for whole
resources, are left out with a note.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..models import CaseError, Diagnostic, limits
from ..models.contract import METADATA_KEY
from ..models.yamlsafe import Document
from .flows import FIREHOSE_DESTINATIONS

Path_ = tuple[str | int, ...]
Note = Callable[[Path_, str, str], None]


@dataclass(frozen=True)
class Shape:
    """What a value must be: a mapping (with known fields, or `each` value of one shape), a list (`each` item
    of one shape; `single` when one item may stand for the list), or text (a scalar)."""

    kind: str
    expects: str
    fields: dict[str, Shape] = field(default_factory=dict)
    each: Shape | None = None
    single: bool = False


def mapping(expects: str, each: Shape | None = None, **fields: Shape) -> Shape:
    return Shape("mapping", expects, fields, each)


def listing(expects: str, each: Shape | None = None, single: bool = False) -> Shape:
    return Shape("list", expects, {}, each, single)


TEXT = Shape("text", "a single value (text, number or boolean)")
SSE = mapping("a mapping of encryption settings (SSEEnabled, ...)")
ENVIRONMENT = mapping("a mapping with `Variables`", Variables=mapping("a mapping of variable names to values"))
EVENT = mapping("an event: a mapping with `Type` and `Properties`", Type=TEXT,
                Properties=mapping("a mapping of the event's properties (Bucket, Queue, Path, ...)"))
BEHAVIOUR = mapping("a cache behaviour: a mapping (TargetOriginId, ViewerProtocolPolicy, ...)")
OPENAPI = mapping("an OpenAPI document: a mapping (openapi, paths, ...)",
                  paths=mapping("a mapping of paths to operations", each=mapping("a mapping of methods to operations")),
                  components=mapping("a mapping (securitySchemes, ...)",
                                     securitySchemes=mapping("a mapping of scheme names to schemes",
                                                             each=mapping("a security scheme: a mapping"))),
                  securityDefinitions=mapping("a mapping of scheme names to schemes", each=mapping("a security scheme: a mapping")))
AUTH = mapping("a mapping (Authorizers, DefaultAuthorizer, ...)",
               Authorizers=mapping("a mapping of authorizer names to authorizers", each=mapping("an authorizer: a mapping")))
S3_DESTINATION = mapping("an S3 destination: a mapping (BucketARN, Prefix, BufferingHints, ...)")
PROCESSING = mapping("a mapping (Enabled, Processors)",
                     Processors=listing("a list of processors", each=mapping("a processor: a mapping (Type, Parameters)")))
DESTINATION = mapping("a destination: a mapping (BucketARN, DomainARN, S3Configuration, BufferingHints, ...)",
                      S3Configuration=S3_DESTINATION, S3BackupConfiguration=S3_DESTINATION, ProcessingConfiguration=PROCESSING,
                      BufferingHints=mapping("a mapping (IntervalInSeconds, SizeInMBs)"))
FUNCTION = {"Events": mapping("a mapping of event names to events", each=EVENT), "Environment": ENVIRONMENT,
            "VpcConfig": mapping("a mapping (SecurityGroupIds, SubnetIds)"),
            "DeadLetterQueue": mapping("a mapping with `Type` and `TargetArn`")}
METHOD_SETTINGS = listing("a list of method settings", each=mapping("a mapping (HttpMethod, ...)"), single=True)
API = {"DefinitionBody": OPENAPI, "Auth": AUTH, "EndpointConfiguration": Shape("any", "")}

PROPERTIES: dict[str, dict[str, Shape]] = {
    "AWS::Serverless::Function": FUNCTION,
    "AWS::Lambda::Function": {"Environment": ENVIRONMENT, "TracingConfig": mapping("a mapping with `Mode`"),
                              "DeadLetterConfig": mapping("a mapping with `TargetArn`")},
    "AWS::Serverless::SimpleTable": {"PrimaryKey": mapping("a mapping with `Name` and `Type`"), "SSESpecification": SSE},
    "AWS::DynamoDB::Table": {"SSESpecification": SSE},
    "AWS::DynamoDB::GlobalTable": {"SSESpecification": SSE,
                                   "Replicas": listing("a list of replicas", each=mapping("a replica: a mapping (Region, ...)",
                                                                                         SSESpecification=SSE))},
    "AWS::CloudFront::Distribution": {"DistributionConfig": mapping(
        "a mapping (Origins, DefaultCacheBehavior, ...)", DefaultCacheBehavior=BEHAVIOUR,
        ViewerCertificate=mapping("a mapping (AcmCertificateArn, MinimumProtocolVersion, ...)"),
        CacheBehaviors=listing("a list of cache behaviours", each=BEHAVIOUR, single=True),
        Origins=listing("a list of origins", each=mapping("an origin: a mapping (Id, DomainName, ...)"), single=True))},
    "AWS::CloudFront::CachePolicy": {"CachePolicyConfig": mapping("a mapping (DefaultTTL, MaxTTL, ...)")},
    "AWS::ApiGateway::RestApi": {"Body": OPENAPI},
    "AWS::Serverless::Api": API,
    "AWS::ApiGateway::Deployment": {"StageDescription": mapping("a mapping of the stage's settings", MethodSettings=METHOD_SETTINGS)},
    "AWS::ApiGateway::Stage": {"MethodSettings": METHOD_SETTINGS},
    "AWS::S3::Bucket": {"NotificationConfiguration": mapping("a mapping (LambdaConfigurations, QueueConfigurations, ...)"),
                        "PublicAccessBlockConfiguration": mapping("a mapping of the four block settings")},
    "AWS::KinesisFirehose::DeliveryStream": dict.fromkeys(FIREHOSE_DESTINATIONS, DESTINATION),
    "AWS::Athena::WorkGroup": {"WorkGroupConfiguration": mapping("a mapping (ResultConfiguration, ...)")},
    "AWS::EC2::LaunchTemplate": {"LaunchTemplateData": mapping("a mapping (InstanceType, MetadataOptions, ...)")},
}
"""The properties the importer reads as mappings or lists, by resource type, and what each must hold."""

GLOBALS = {"Function": "AWS::Serverless::Function", "Api": "AWS::Serverless::Api", "SimpleTable": "AWS::Serverless::SimpleTable"}
"""SAM's `Globals` sections and the resource type whose properties each gives."""

CASE_META = mapping(
    "a mapping of archcase's case fields (case, title, requirements, services, flows, ...)",
    case=TEXT, title=TEXT, summary=TEXT, seed_section=TEXT,
    requirements=listing("a list of requirements", each=mapping("a requirement: a mapping (id, question, rules, ...)")),
    suppressions=listing("a list of suppressions", each=mapping("a suppression: a mapping (rule, target, reason)")),
    settings=mapping("a mapping of settings (read_heavy_ratio, ...)"),
    services=listing("a list of services", each=mapping("a service: a mapping with `id` and `kind`", id=TEXT, kind=TEXT)),
    flows=listing("a list of flows",
                  each=mapping("a flow: a mapping with `from`, `to` and `kind`", **{"from": TEXT, "to": TEXT}, kind=TEXT)),
)
RESOURCE_META = mapping("a mapping of the service's case fields (id, intent, ...)", id=TEXT)

INTRINSIC = re.compile(r"^(Ref|Condition|Fn::[A-Za-z]+)$")


def is_intrinsic(value: Any) -> bool:
    """A value given by an intrinsic function: known only when the stack deploys."""
    return isinstance(value, dict) and len(value) == 1 and bool(INTRINSIC.match(next(iter(value))))


def describe(value: Any) -> str:
    """What a value is, in a user's words."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value!r}"[:60]
    text = str(value)
    return f"the text '{text[:40]}{'...' if len(text) > 40 else ''}'"


def _fits(value: Any, shape: Shape) -> bool:
    if value is None or shape.kind == "any" or is_intrinsic(value):
        return True
    if shape.kind == "mapping":
        return isinstance(value, dict)
    if shape.kind == "list":
        return isinstance(value, list) or shape.single
    return not isinstance(value, dict | list)


def check(container: dict[str, Any], key: str, shape: Shape, path: Path_, owner: str, note: Note, prefix: str = "",
          authority: str = "CloudFormation") -> None:
    """Hold `container[key]` (at `path`) and what it holds to `shape`; each value that does not fit is removed,
    with a note naming it by its dotted path (`prefix` and `key` on) and its `owner` ("`Properties.Events` of
    'Fn'"), and saying what `authority` (CloudFormation, SAM, archcase) expects there."""
    pending: list[tuple[Any, str | int, Shape, Path_, str]] = [(container, key, shape, path, f"{prefix}{key}")]
    holes = False
    while pending:
        parent, name, expected, where, dotted = pending.pop()
        value = parent[name]
        if not _fits(value, expected):
            label = f"`{dotted}`" + (f" of {owner}" if owner else "")
            note(where, f"{label} is {describe(value)}; {_authority(where, authority)} expects {expected.expects}: left out of the import",
                 f"give {expected.expects} there, or remove it")
            if isinstance(parent, dict):
                del parent[name]
            else:
                parent[name] = _HOLE
                holes = True
            continue
        if value is None or is_intrinsic(value):
            continue
        if isinstance(value, dict):
            for sub, sub_shape in expected.fields.items():
                if sub in value:
                    pending.append((value, sub, sub_shape, (*where, sub), f"{dotted}.{sub}"))
            if expected.each is not None:
                for sub in value:
                    pending.append((value, sub, expected.each, (*where, sub), f"{dotted}.{sub}"))
        elif isinstance(value, list) and expected.each is not None:
            for index in range(len(value)):
                pending.append((value, index, expected.each, (*where, index), f"{dotted}[{index}]"))
    if holes:
        _drop_holes(container.get(key))


_HOLE = object()


def _drop_holes(value: Any) -> None:
    """Lists lose the items left out."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(v for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            item[:] = [v for v in item if v is not _HOLE]
            stack.extend(v for v in item if isinstance(v, dict | list))


def _authority(path: Path_, given: str) -> str:
    return "archcase" if METADATA_KEY in path[:4] and "Metadata" in path[:3] else given


# the template -------------------------------------------------------------------------------------------------------

Locate = Callable[[Path_, str, str], Diagnostic]


def prepare(data: dict[str, Any], document: Document, note: Note, error: Locate) -> None:
    """Make a parsed template fit for the importer: sections of the wrong shape and `Fn::Transform` resources
    left out, `Fn::ForEach` loops expanded, and the shape of every property the importer reads checked.
    Raises CaseError (made by `error`) only for what CloudFormation itself could not read: a resource that is
    not a mapping with a type, loops that make too many resources."""
    for section, expected in (("Parameters", mapping("a mapping of parameter names to parameters", each=mapping("a parameter: a mapping"))),
                              ("Globals", mapping("a mapping of sections (Function, Api, ...)",
                                                  **{name: mapping(f"a mapping of the properties every {type_} gets")
                                                     for name, type_ in GLOBALS.items()})),
                              ("Conditions", mapping("a mapping of condition names to conditions")),
                              ("Metadata", mapping("a mapping", **{METADATA_KEY: CASE_META}))):
        if section in data:
            check(data, section, expected, (section,), "", note)
    transform = data.get("Transform")
    if transform is not None and not isinstance(transform, str) and not (
            isinstance(transform, list) and all(isinstance(t, str | dict) for t in transform)):
        note(("Transform",), f"`Transform` is {describe(transform)}; CloudFormation expects a transform name or a list of them: "
             "left out of the import", "give the transform's name, such as AWS::Serverless-2016-10-31")
        del data["Transform"]
    resources = data["Resources"]
    if any(isinstance(k, str) and (k.startswith("Fn::ForEach::") or k == "Fn::Transform") for k in resources) or \
            "Fn::ForEach::" in _keys_text(resources):
        document.complete()
        loops = _Loops(data, document, note, error)
        data["Resources"] = resources = loops.expand(resources, ("Resources",))
        for logical_id, body in resources.items():
            resources[logical_id] = loops.within(body, ("Resources", logical_id))
    for logical_id in list(resources):
        body = resources[logical_id]
        if isinstance(body, dict) and set(body) == {"Fn::Transform"}:
            note(("Resources", logical_id), f"resource '{logical_id}' is given by `Fn::Transform`, which is not applied: "
                 "left out of the import", "import the processed template (`aws cloudformation get-template --template-stage Processed`)")
            del resources[logical_id]
    if not resources:
        raise CaseError([error(("Resources",), "the template's `Resources` is empty once what archcase cannot expand is left out",
                               "import the processed template (`aws cloudformation get-template --template-stage Processed`)")])
    _resources(resources, note, error)
    globals_ = data.get("Globals")
    for name, type_ in GLOBALS.items():
        given = globals_.get(name) if isinstance(globals_, dict) else None
        if isinstance(given, dict):
            for key, shape in PROPERTIES.get(type_, {}).items():
                if key in given:
                    check(given, key, shape, ("Globals", name, key), "", note, f"Globals.{name}.", "SAM")


def _keys_text(resources: dict[str, Any]) -> str:
    """The mapping keys under the resources, as one text (to find loops inside them without walking twice)."""
    keys: list[str] = []
    stack: list[Any] = [resources]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            keys.extend(k for k in item if isinstance(k, str) and k.startswith("Fn::"))
            stack.extend(v for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, dict | list))
    return " ".join(keys)


def _resources(resources: dict[str, Any], note: Note, error: Locate) -> None:
    problems = []
    for logical_id, body in list(resources.items()):
        where: Path_ = ("Resources", logical_id)
        if not isinstance(body, dict):
            problems.append(error(where, f"resource '{logical_id}' is {describe(body)}, not a mapping with a `Type`",
                                  "give every resource a mapping with a `Type`, such as AWS::S3::Bucket"))
            continue
        type_ = body.get("Type")
        if not isinstance(type_, str) or not type_:
            if type_ is None:
                problems.append(error(where, f"resource '{logical_id}' has no `Type`",
                                      "give every resource a `Type`, such as AWS::S3::Bucket"))
            else:
                rain = isinstance(type_, dict) and "Rain::Module" in type_
                problems.append(error((*where, "Type"), f"`Type` of resource '{logical_id}' is {describe(type_)}, not a resource type",
                                      "package the Rain modules first (`rain pkg`) and import the result" if rain
                                      else "give a resource type, such as AWS::S3::Bucket"))
            continue
        owner = f"'{logical_id}'"
        authority = "SAM" if type_.startswith("AWS::Serverless::") else "CloudFormation"
        if "Properties" in body:
            check(body, "Properties", mapping(f"a mapping of the {type_} properties"), (*where, "Properties"), owner, note)
        if "Metadata" in body:
            check(body, "Metadata", mapping("a mapping", **{METADATA_KEY: RESOURCE_META}), (*where, "Metadata"), owner, note)
        properties = body.get("Properties")
        if isinstance(properties, dict):
            for key, shape in PROPERTIES.get(type_, {}).items():
                if key in properties:
                    check(properties, key, shape, (*where, "Properties", key), owner, note, "Properties.", authority)
    if problems:
        raise CaseError(problems)


# Fn::ForEach ---------------------------------------------------------------------------------------------------------

class _Loops:
    """`Fn::ForEach::Name: [Identifier, Collection, {OutputKey: Fragment}]` expanded where the collection is known."""

    def __init__(self, data: dict[str, Any], document: Document, note: Note, error: Locate) -> None:
        parameters = data.get("Parameters")
        self.parameters: dict[str, Any] = parameters if isinstance(parameters, dict) else {}
        self.document = document
        self.note = note
        self.error = error
        self.made = 0
        self.fragments: dict[Path_, list[tuple[bool, Path_, tuple[int, int]]]] = {}

    def expand(self, mapping_: dict[str, Any], path: Path_) -> dict[str, Any]:
        """The mapping with each of its loops replaced by what the loop makes, in place of the loop."""
        result: dict[str, Any] = {}
        for key, value in mapping_.items():
            if not (isinstance(key, str) and key.startswith("Fn::ForEach::")):
                if key in result:
                    self.note((*path, key), f"'{key}' is also made by an `Fn::ForEach` loop above it: the loop's one is left out",
                              "")
                result[key] = value
                continue
            for made_key, made_value, source in self.loop(key, value, (*path, key)):
                if made_key in result or made_key in mapping_:
                    self.note((*path, key), f"`{key}` makes '{made_key}', which the template already has: left out",
                              "give the loop's output key a part that differs")
                    continue
                result[made_key] = made_value
                self.copy_positions(source, (*path, made_key))
        return result

    def within(self, value: Any, path: Path_) -> Any:
        """Loops inside a resource (making properties), expanded the same way."""
        if isinstance(value, dict):
            if any(isinstance(k, str) and k.startswith("Fn::ForEach::") for k in value):
                value = self.expand(value, path)
            return {k: self.within(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.within(v, (*path, i)) for i, v in enumerate(value)]
        return value

    def loop(self, key: str, value: Any, path: Path_) -> list[tuple[str, Any, Path_]]:
        if not (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str) and isinstance(value[2], dict)):
            self.note(path, f"`{key}` is not [identifier, collection, {{output key: template}}]: what it would make is left out",
                      "write the loop as `Fn::ForEach::Name: [Identifier, [A, B], {'Name${Identifier}': {...}}]`")
            return []
        identifier, given, templates = value
        items = self.collection(given)
        if items is None:
            what = f"parameter '{given['Ref']}', which has no `Default`" if isinstance(given, dict) and isinstance(given.get("Ref"), str) \
                else f"{describe(given)}, not a list or a parameter with a `Default`"
            self.note(path, f"`{key}` loops over a collection archcase cannot know before the stack deploys ({what}): "
                      "what it makes is left out of the import",
                      "give the collection as a list, or its parameter a `Default`; or import the processed template")
            return []
        made: list[tuple[str, Any, Path_]] = []
        for item in items:
            for template_key, fragment in templates.items():
                if not isinstance(template_key, str):
                    continue
                name = _substitute_text(template_key, identifier, item)
                body = _substitute(fragment, identifier, item)
                source = (*path, 2, template_key)
                if name.startswith("Fn::ForEach::"):
                    made += self.loop(name, body, source)
                    continue
                self.made += 1
                if self.made > limits.MAX_EXPANDED_RESOURCES:
                    raise CaseError([self.error(path, f"`Fn::ForEach` loops make more than {limits.MAX_EXPANDED_RESOURCES} entries "
                                                      "(the MAX_EXPANDED_RESOURCES limit)",
                                                "loop over shorter collections: CloudFormation itself allows 500 resources a stack")])
                made.append((name, body, source))
        return made

    def collection(self, given: Any) -> list[str] | None:
        if isinstance(given, list):
            if all(isinstance(x, str | int | float) and not isinstance(x, bool) for x in given):
                return [str(x) for x in given]
            return None
        if isinstance(given, dict) and set(given) == {"Ref"} and isinstance(given["Ref"], str):
            parameter = self.parameters.get(given["Ref"])
            default = parameter.get("Default") if isinstance(parameter, dict) else None
            if isinstance(default, str):
                return [part.strip() for part in default.split(",")] if default else []
            if isinstance(default, list) and all(isinstance(x, str | int | float) for x in default):
                return [str(x) for x in default]
        return None

    def copy_positions(self, source: Path_, target: Path_) -> None:
        """What a loop made is placed where its template is written."""
        entries = self.fragments.get(source)
        if entries is None:
            size = len(source)
            entries = [(is_key, path[size:], position) for is_key, table in ((False, self.document.values), (True, self.document.keys))
                       for path, position in table.items() if path[:size] == source and len(path) > size]
            self.fragments[source] = entries
        values, keys = self.document.values, self.document.keys
        values[target] = self.document.position(source)
        keys[target] = self.document.position(source, key=True)
        for is_key, suffix, position in entries:
            (keys if is_key else values)[(*target, *suffix)] = position


def _substitute_text(text: str, identifier: str, item: str) -> str:
    return text.replace("${" + identifier + "}", item).replace("&{" + identifier + "}", re.sub(r"[^A-Za-z0-9]", "", item))


def _substitute(value: Any, identifier: str, item: str) -> Any:
    """A loop's template for one item: `Ref` to the identifier, `${Identifier}` in `Fn::Sub` text and in keys."""
    if isinstance(value, dict):
        if value == {"Ref": identifier}:
            return item
        if set(value) == {"Fn::Sub"}:
            body = value["Fn::Sub"]
            if isinstance(body, str):
                return {"Fn::Sub": _substitute_text(body, identifier, item)}
            if isinstance(body, list) and body and isinstance(body[0], str):
                variables = body[1] if len(body) > 1 else {}
                if not (isinstance(variables, dict) and identifier in variables):
                    return {"Fn::Sub": [_substitute_text(body[0], identifier, item),
                                        *(_substitute(v, identifier, item) for v in body[1:])]}
        return {(_substitute_text(k, identifier, item) if isinstance(k, str) else k): _substitute(v, identifier, item)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, identifier, item) for v in value]
    return value
