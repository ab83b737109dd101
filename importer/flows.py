"""Flows inferred from what a template says: event sources, notifications, subscriptions, origins, API
integrations and authorizers, Firehose sources and destinations, IAM statements (action -> flow kind,
resource -> target), and environment variables that name another resource.

Every flow is a dict in case-file form, with the logical ids of its ends (mapped to service ids later) and
`at`, the resource it was read from."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .template import Isolated, Resource, Template
from .values import as_list, dig, flag, number

Flow = dict[str, Any]

READ_ACTIONS = re.compile(r"^(dynamodb|dax):(Get|BatchGet|Query|Scan|ConditionCheck|PartiQLSelect)|^s3:(Get|List)|:\*$")
WRITE_ACTIONS = re.compile(r"^(dynamodb|dax):(Put|Update|Delete|BatchWrite|PartiQL(Insert|Update|Delete))|^s3:(Put|Delete|Abort)|:\*$")
SAM_POLICIES: dict[str, tuple[str, ...]] = {
    "DynamoDBReadPolicy": ("reads",), "DynamoDBCrudPolicy": ("reads", "writes"), "DynamoDBWritePolicy": ("writes",),
    "S3ReadPolicy": ("reads",), "S3CrudPolicy": ("reads", "writes"), "S3WritePolicy": ("writes",),
    "S3FullAccessPolicy": ("reads", "writes"), "SQSSendMessagePolicy": ("enqueues",),
    "SNSPublishMessagePolicy": ("publishes",), "KinesisCrudPolicy": ("puts-records",),
    "FirehoseWritePolicy": ("puts-records",), "FirehoseCrudPolicy": ("puts-records",),
    "SESCrudPolicy": ("sends-email",), "SESSendBouncePolicy": ("sends-email",), "SESBulkTemplatedCrudPolicy": ("sends-email",),
    "LambdaInvokePolicy": ("invokes",), "AthenaQueryPolicy": ("queries",),
}
"""SAM policy templates, and the flows they grant towards the resource they name."""
BY_TARGET = {"dynamodb": "reads", "dax": "reads", "s3": "reads", "sqs": "enqueues", "sns": "publishes",
             "kinesis-stream": "puts-records", "firehose": "puts-records", "athena": "queries", "lambda": "invokes",
             "ses": "sends-email", "cloudfront": "signs", "api-gateway": "calls"}
"""The flow a function has to a resource named in its environment, when nothing more precise says."""


class Flows:
    """Collects flows; one per (from, to, kind), later sightings merged into the first."""

    def __init__(self, template: Template) -> None:
        self.t = template
        self.found: dict[tuple[str, str, str], Flow] = {}
        self.kinds: dict[tuple[str, str], set[str]] = {}
        """The kinds of flow found between two services, so that asking is not a scan of every flow."""
        self.targets: dict[str, dict[str, set[str]]] = {}
        """Per source service, per kind, the services its flows reach."""

    def add(self, source: str | None, target: str | None, kind: str, at: str, **fields: Any) -> None:
        t = self.t
        source = t.service_of(source) if source in t.resources else None
        target = t.service_of(target) if target in t.resources else None
        if not source or not target or source == target:
            return
        key = (source, target, kind)
        flow = self.found.setdefault(key, {"from": source, "to": target, "kind": kind, "at": at})
        self.kinds.setdefault((source, target), set()).add(kind)
        self.targets.setdefault(source, {}).setdefault(kind, set()).add(target)
        for name, value in fields.items():
            if value is None:
                continue
            if isinstance(value, list) and isinstance(flow.get(name), list):
                flow[name] += [v for v in value if v not in flow[name]]
            else:
                flow.setdefault(name, value)

    def has(self, source: str, target: str, kinds: tuple[str, ...] | None = None) -> bool:
        found = self.kinds.get((source, target))
        return bool(found) and (kinds is None or not found.isdisjoint(kinds))

    def kind_of(self, logical_id: str) -> str | None:
        service = self.t.service_of(logical_id) if logical_id in self.t.resources else None
        return self.t.resources[service].kind or "generic" if service else None

    def first(self, value: Any, *kinds: str) -> str | None:
        """The first resource a value refers to whose service is of one of these kinds."""
        return next((lid for lid, _ in self.t.references(value) if self.kind_of(lid) in kinds), None)


def infer(t: Template, isolated: Isolated | None = None) -> list[Flow]:
    """The flows a template states. `isolated` runs each resource's reading, so that a resource of a shape no
    reader foresaw costs its own flows only (see the importer)."""
    flows = Flows(t)

    def run(resource: Resource, step: Callable[[Flows, Resource], None]) -> None:
        if isolated is None:
            step(flows, resource)
        else:
            isolated(resource, "flows", lambda: step(flows, resource), None)

    for resource in list(t.resources.values()):
        reader = READERS.get(resource.type)
        if reader:
            run(resource, reader)
    for resource in list(t.resources.values()):
        if resource.kind in ("lambda", "autoscaling-group", "api-gateway", "cognito-identity-pool", "dax"):
            run(resource, _iam)
    for resource in list(t.resources.values()):
        if resource.kind == "lambda":
            run(resource, _environment)
    _generic(flows)
    return list(flows.found.values())


# resources that state flows ------------------------------------------------------------------------------------

def _function(flows: Flows, r: Resource) -> None:
    p = r.properties
    dead_letter = dig(p, "DeadLetterConfig", "TargetArn") or dig(p, "DeadLetterQueue", "TargetArn")
    flows.add(r.logical_id, flows.first(dead_letter, "sqs", "sns"), "dead-letter", r.logical_id)
    if r.type != "AWS::Serverless::Function":
        return
    for event in (p.get("Events") or {}).values():
        if isinstance(event, dict):
            _sam_event(flows, r, event.get("Type"), event.get("Properties") or {})


def _sam_event(flows: Flows, r: Resource, kind: Any, p: dict[str, Any]) -> None:
    t, fn = flows.t, r.logical_id
    if kind == "Api":
        api = flows.first(p.get("RestApiId"), "api-gateway") or ("ServerlessRestApi" if not p.get("RestApiId") else None)
        method, path = (t.text(p.get("Method")) or "ANY").upper(), t.text(p.get("Path")) or "/"
        route = f"{'ANY' if method == 'X-AMAZON-APIGATEWAY-ANY-METHOD' else method} {path}"
        flows.add(api, fn, "invokes", fn, routes=[route] if re.fullmatch(r"[A-Z]+ /\S*", route) else [])
    elif kind == "S3":
        flows.add(flows.first(p.get("Bucket"), "s3"), fn, "triggers", fn, events=[e for e in map(t.text, as_list(p.get("Events"))) if e],
                  **_s3_filter(t, p.get("Filter")))
    elif kind in ("SQS", "Kinesis", "DynamoDB"):
        source = flows.first(p.get("Queue") or p.get("Stream"), "sqs", "kinesis-stream", "dynamodb")
        _poll(flows, r, source, p)
    elif kind == "SNS":
        flows.add(flows.first(p.get("Topic"), "sns"), fn, "subscribes", fn)
    elif kind == "HttpApi":
        flows.add(flows.first(p.get("ApiId"), "generic"), fn, "uses", fn)


def _poll(flows: Flows, r: Resource, source: str | None, p: dict[str, Any]) -> None:
    t = flows.t
    events = re.findall(r"\b(INSERT|MODIFY|REMOVE)\b", str(p.get("FilterCriteria") or ""))
    responses = [t.text(x) for x in as_list(p.get("FunctionResponseTypes"))]
    flows.add(source, r.logical_id, "triggers", r.logical_id, batch_size=number(p.get("BatchSize"), t.parameters),
              events=events, report_batch_item_failures="ReportBatchItemFailures" in responses)
    on_failure = dig(p, "DestinationConfig", "OnFailure", "Destination")
    flows.add(r.logical_id, flows.first(on_failure, "sqs", "sns"), "dead-letter", r.logical_id)


def _mapping(flows: Flows, r: Resource) -> None:
    p = r.properties
    function = flows.first(p.get("FunctionName"), "lambda")
    source = flows.first(p.get("EventSourceArn"), "sqs", "kinesis-stream", "dynamodb")
    if function:
        _poll(flows, flows.t.resources[flows.t.service_of(function) or function], source, p)


def _invoke_config(flows: Flows, r: Resource) -> None:
    function = flows.first(r.properties.get("FunctionName"), "lambda")
    target = flows.first(dig(r.properties, "DestinationConfig", "OnFailure", "Destination"), "sqs", "sns")
    flows.add(function, target, "dead-letter", r.logical_id)


def _s3_filter(t: Template, value: Any) -> dict[str, Any]:
    rules = dig(value, "S3Key", "Rules")
    found = {t.text(x.get("Name") or "").lower(): t.text(x.get("Value")) for x in as_list(rules) if isinstance(x, dict)}
    return {name: found[name] for name in ("prefix", "suffix") if found.get(name)}


def _bucket(flows: Flows, r: Resource) -> None:
    t = flows.t
    notifications = r.properties.get("NotificationConfiguration") or {}
    for key, target_kind, kind in (("LambdaConfigurations", "lambda", "triggers"), ("QueueConfigurations", "sqs", "notifies"),
                                   ("TopicConfigurations", "sns", "notifies")):
        for entry in as_list(notifications.get(key)):
            if isinstance(entry, dict):
                target = flows.first(entry.get("Function") or entry.get("Queue") or entry.get("Topic"), target_kind)
                flows.add(r.logical_id, target, kind, r.logical_id, events=[e for e in [t.text(entry.get("Event"))] if e],
                          **_s3_filter(t, entry.get("Filter")))


def _subscription(flows: Flows, r: Resource) -> None:
    t = flows.t
    protocol = t.text(r.properties.get("Protocol"))
    if protocol in ("sqs", "lambda"):
        endpoint = flows.first(r.properties.get("Endpoint"), protocol)
        flows.add(flows.first(r.properties.get("TopicArn"), "sns"), endpoint,
                  "subscribes", r.logical_id, raw_message_delivery=bool(flag(r.properties.get("RawMessageDelivery"), t.parameters)))


def _topic(flows: Flows, r: Resource) -> None:
    for entry in as_list(r.properties.get("Subscription")):
        protocol = flows.t.text(dig(entry, "Protocol"))
        if protocol in ("sqs", "lambda"):
            flows.add(r.logical_id, flows.first(dig(entry, "Endpoint"), protocol), "subscribes", r.logical_id)


def _queue(flows: Flows, r: Resource) -> None:
    flows.add(r.logical_id, flows.first(dig(r.properties, "RedrivePolicy", "deadLetterTargetArn"), "sqs"), "dead-letter", r.logical_id)


def _distribution(flows: Flows, r: Resource) -> None:
    t = flows.t
    config = r.properties.get("DistributionConfig") or {}
    behaviours = [({**(config.get("DefaultCacheBehavior") or {}), "PathPattern": "*"})] + \
        [b for b in as_list(config.get("CacheBehaviors")) if isinstance(b, dict)]
    for origin in as_list(config.get("Origins")):
        if not isinstance(origin, dict):
            continue
        target = flows.first(origin.get("DomainName"), "s3", "alb", "clb", "api-gateway", "generic")
        patterns = [t.text(b.get("PathPattern")) for b in behaviours if t.text(b.get("TargetOriginId")) == t.text(origin.get("Id"))]
        fields: dict[str, Any] = {"path_pattern": patterns[0] if patterns and patterns[0] else "*"}
        if flows.kind_of(target or "") == "s3":
            oai = t.text(dig(origin, "S3OriginConfig", "OriginAccessIdentity")) or ""
            fields["access"] = "oac" if origin.get("OriginAccessControlId") else "oai" if oai or dig(
                origin, "S3OriginConfig", "OriginAccessIdentity") else "none"
        elif origin.get("CustomOriginConfig"):
            policy = t.text(dig(origin, "CustomOriginConfig", "OriginProtocolPolicy")) or "match-viewer"
            fields["protocol"] = "https" if policy == "https-only" else "http"
        flows.add(r.logical_id, target, "origin" if flows.kind_of(target or "") != "generic" else "uses", r.logical_id, **fields)
    for behaviour in behaviours:
        for association in as_list(behaviour.get("LambdaFunctionAssociations")):
            flows.add(r.logical_id, flows.first(dig(association, "LambdaFunctionARN"), "lambda"), "invokes", r.logical_id)


def _rest_api(flows: Flows, r: Resource) -> None:
    body = r.properties.get("Body") or r.properties.get("DefinitionBody") or {}
    for path, operations in (body.get("paths") or {}).items() if isinstance(body, dict) else ():
        for method, operation in (operations or {}).items() if isinstance(operations, dict) else ():
            uri = dig(operation, "x-amazon-apigateway-integration", "uri")
            route = f"{'ANY' if method == 'x-amazon-apigateway-any-method' else method.upper()} {path}"
            routes = [route] if re.fullmatch(r"(GET|HEAD|OPTIONS|POST|PUT|PATCH|DELETE|ANY) /\S*", route) else []
            flows.add(r.logical_id, flows.first(uri, "lambda"), "invokes", r.logical_id, routes=routes)
    schemes = dig(body, "components", "securitySchemes") or dig(body, "securityDefinitions") or {}
    for scheme in schemes.values() if isinstance(schemes, dict) else ():
        authorizer = dig(scheme, "x-amazon-apigateway-authorizer") or {}
        _authorizer(flows, r.logical_id, authorizer.get("providerARNs"), authorizer.get("authorizerUri"))
    for authorizer in (dig(r.properties, "Auth", "Authorizers") or {}).values():
        if isinstance(authorizer, dict):
            _authorizer(flows, r.logical_id, authorizer.get("UserPoolArn"), authorizer.get("FunctionArn"))


def _authorizer(flows: Flows, api: str | None, pools: Any, function: Any) -> None:
    flows.add(api, flows.first(pools, "cognito-user-pool"), "authorizes", api or "")
    flows.add(api, flows.first(function, "lambda"), "authorizes", api or "")


def _method(flows: Flows, r: Resource) -> None:
    t, p = flows.t, r.properties
    api = flows.first(p.get("RestApiId"), "api-gateway")
    method = (t.text(p.get("HttpMethod")) or "ANY").upper()
    route = f"{method} {_resource_path(t, p.get('ResourceId'))}"
    flows.add(api, flows.first(dig(p, "Integration", "Uri"), "lambda"), "invokes", r.logical_id,
              routes=[route] if re.fullmatch(r"(GET|HEAD|OPTIONS|POST|PUT|PATCH|DELETE|ANY) /\S*", route) else [])
    for lid, _ in t.references(p.get("AuthorizerId")):
        authorizer = t.resources[lid].properties
        _authorizer(flows, api, authorizer.get("ProviderARNs"), authorizer.get("AuthorizerUri"))


def _resource_path(t: Template, value: Any, depth: int = 0) -> str:
    refs = [lid for lid, _ in t.references(value) if t.resources[lid].type == "AWS::ApiGateway::Resource"]
    if not refs or depth > 20:
        return "/"
    resource = t.resources[refs[0]].properties
    parent = _resource_path(t, resource.get("ParentId"), depth + 1)
    return parent.rstrip("/") + "/" + (t.text(resource.get("PathPart")) or "")


def _target_group(flows: Flows, r: Resource) -> None:
    t, p = flows.t, r.properties
    balancers = {t.service_of(x.logical_id) for x in t.referrers(r.logical_id) if x.type.startswith("AWS::ElasticLoadBalancingV2::")}
    protocol = "https" if t.text(p.get("Protocol")) == "HTTPS" else "http"
    port = number(p.get("Port"), t.parameters) or 80
    targets = [lid for x in as_list(p.get("Targets")) for lid, _ in t.references(dig(x, "Id"))]
    targets += [x.logical_id for x in t.referrers(r.logical_id, "AWS::AutoScaling::AutoScalingGroup")]
    for balancer in sorted(b for b in balancers if b):
        for target in targets:
            fields = {"protocol": protocol, "port": port} if flows.kind_of(target) == "autoscaling-group" else {}
            flows.add(balancer, target, "targets", r.logical_id, **fields)


def _group(flows: Flows, r: Resource) -> None:
    t = flows.t
    for lid, _ in t.references(r.properties.get("LoadBalancerNames")):
        listeners = [x for x in as_list(t.resources[lid].properties.get("Listeners")) if isinstance(x, dict)]
        protocol = (t.text(listeners[0].get("InstanceProtocol")) or "HTTP").lower() if listeners else "http"
        port = number(listeners[0].get("InstancePort"), t.parameters) if listeners else 80
        flows.add(lid, r.logical_id, "targets", r.logical_id, protocol="https" if protocol in ("https", "ssl") else "http", port=port or 80)


def _delivery_stream(flows: Flows, r: Resource) -> None:
    t, p = flows.t, r.properties
    source = dig(p, "KinesisStreamSourceConfiguration", "KinesisStreamARN")
    flows.add(flows.first(source, "kinesis-stream"), r.logical_id, "delivers", r.logical_id)
    destination = p.get("ExtendedS3DestinationConfiguration") or p.get("S3DestinationConfiguration") or {}
    prefix = t.text(destination.get("Prefix"))
    flows.add(r.logical_id, flows.first(destination.get("BucketARN"), "s3"), "delivers", r.logical_id, prefix=prefix or None)
    for processor in as_list(dig(destination, "ProcessingConfiguration", "Processors")):
        for parameter in as_list(dig(processor, "Parameters")):
            flows.add(r.logical_id, flows.first(dig(parameter, "ParameterValue"), "lambda"), "transforms", r.logical_id)


def _identity_pool(flows: Flows, r: Resource) -> None:
    for provider in as_list(r.properties.get("CognitoIdentityProviders")):
        flows.add(r.logical_id, flows.first(provider, "cognito-user-pool"), "federates", r.logical_id)


def _workgroup(flows: Flows, r: Resource) -> None:
    t = flows.t
    location = dig(r.properties, "WorkGroupConfiguration", "ResultConfiguration", "OutputLocation")
    bucket = flows.first(location, "s3")
    known = t.text(location) or ""
    prefix = known.split("/", 3)[3] if known.startswith("s3://") and known.count("/") >= 3 else None
    flows.add(r.logical_id, bucket, "writes", r.logical_id, prefix=prefix or None)


READERS = {
    "AWS::Lambda::Function": _function, "AWS::Serverless::Function": _function,
    "AWS::Lambda::EventSourceMapping": _mapping, "AWS::Lambda::EventInvokeConfig": _invoke_config,
    "AWS::S3::Bucket": _bucket, "AWS::SNS::Subscription": _subscription, "AWS::SNS::Topic": _topic,
    "AWS::SQS::Queue": _queue, "AWS::CloudFront::Distribution": _distribution,
    "AWS::ApiGateway::RestApi": _rest_api, "AWS::Serverless::Api": _rest_api, "AWS::ApiGateway::Method": _method,
    "AWS::ElasticLoadBalancingV2::TargetGroup": _target_group, "AWS::AutoScaling::AutoScalingGroup": _group,
    "AWS::KinesisFirehose::DeliveryStream": _delivery_stream, "AWS::Cognito::IdentityPool": _identity_pool,
    "AWS::Athena::WorkGroup": _workgroup,
}


# IAM ------------------------------------------------------------------------------------------------------------

def _policies(t: Template, r: Resource) -> list[Any]:
    """Every policy document that applies to a service: of its roles (inline, policy resources, managed
    policies of the template) and, for SAM functions, its `Policies`."""
    roles = [x for x in t.owned(r.logical_id, "AWS::IAM::Role")]
    documents: list[Any] = []
    for role in roles:
        documents += [dig(p, "PolicyDocument") for p in as_list(role.properties.get("Policies"))]
        policies = t.referrers(role.logical_id, "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
        policies += [t.resources[lid] for lid, _ in t.references(role.properties.get("ManagedPolicyArns"))]
        documents += [x.properties.get("PolicyDocument") for x in policies]
    if r.type == "AWS::Serverless::Function":
        for policy in as_list(r.properties.get("Policies")):
            if isinstance(policy, dict) and "Statement" in policy:
                documents.append(policy)
            elif isinstance(policy, dict):
                for name, argument in policy.items():
                    for kind in SAM_POLICIES.get(name, ()):
                        for lid, _ in t.references(argument):
                            documents.append({"Statement": [{"Effect": "Allow", "Action": [f"sam:{kind}"], "Resource": {"Ref": lid}}]})
    return documents


def _iam(flows: Flows, r: Resource) -> None:
    t = flows.t
    statements = [s for doc in _policies(t, r) for s in as_list(dig(doc, "Statement"))
                  if isinstance(s, dict) and s.get("Effect", "Allow") == "Allow"]
    workgroups = [lid for s in statements if any(str(a).startswith("athena:") for a in as_list(s.get("Action")))
                  for lid, _ in t.references(s.get("Resource")) if flows.kind_of(lid) == "athena"]
    located = {lid for s in statements if "s3:GetBucketLocation" in as_list(s.get("Action")) for lid, _ in t.references(s.get("Resource"))}
    for statement in statements:
        actions = [a for a in (t.text(x) for x in as_list(statement.get("Action"))) if a]
        for value in as_list(statement.get("Resource")):
            for lid, _ in t.references(value):
                source = workgroups[0] if workgroups and lid in located and flows.kind_of(lid) == "s3" else r.logical_id
                if source != r.logical_id and flows.has(t.service_of(source) or source, t.service_of(lid) or lid, ("writes",)):
                    continue  # Athena reads back the results it writes: no flow of its own
                _statement(flows, r, source, lid, actions, value, statement)


def _statement(flows: Flows, r: Resource, source: str, target: str, actions: list[str], resource: Any, statement: dict[str, Any]) -> None:
    t = flows.t
    kind = flows.kind_of(target)
    owner = r.kind
    if kind == "generic":
        flows.add(source, target, "uses", r.logical_id)
        return
    if owner == "cognito-identity-pool":
        known = t.text(resource) or ""
        per_user = "cognito-identity.amazonaws.com:sub" in known + str(statement.get("Condition"))
        flows.add(source, target, "grants", r.logical_id, actions=sorted(a for a in actions if re.fullmatch(r"[a-z0-9-]+:[A-Za-z*]+", a)),
                  scope="user" if per_user else "all")
        return
    if owner == "dax":
        if kind == "dynamodb":
            flows.add(source, target, "caches", r.logical_id)
        return
    sam = [a[4:] for a in actions if a.startswith("sam:")]
    if sam:
        for flow_kind in sam:
            flows.add(source, target, flow_kind, r.logical_id)
        return
    if kind in ("dynamodb", "dax", "s3"):
        prefix = _prefix(t, resource) if kind == "s3" else None
        if any(READ_ACTIONS.search(a) for a in actions):
            flows.add(source, target, "reads", r.logical_id, prefix=prefix)
        if any(WRITE_ACTIONS.search(a) for a in actions):
            flows.add(source, target, "writes", r.logical_id, prefix=prefix)
        return
    wanted = {"sqs": ("sqs:SendMessage", "enqueues"), "sns": ("sns:Publish", "publishes"), "ses": ("ses:Send", "sends-email"),
              "kinesis-stream": ("kinesis:PutRecord", "puts-records"), "firehose": ("firehose:PutRecord", "puts-records"),
              "lambda": ("lambda:InvokeFunction", "invokes"), "athena": ("athena:StartQueryExecution", "queries"),
              "api-gateway": ("execute-api:Invoke", "calls")}.get(kind or "")
    if wanted and any(a.startswith(wanted[0]) or a == f"{wanted[0].split(':')[0]}:*" for a in actions):
        ends = (t.service_of(source) or source, t.service_of(target) or target)
        if wanted[1] in ("enqueues", "publishes") and flows.has(*ends, ("dead-letter",)):
            return
        flows.add(source, target, wanted[1], r.logical_id)


def _prefix(t: Template, resource: Any) -> str | None:
    """The key prefix an S3 object ARN is limited to (`arn:...:s3:::bucket/uploads/*` -> `uploads/`)."""
    known = t.text(resource) or ""
    match = re.search(r":s3:::[^/]+/(.+?)\*?$", known)
    prefix = match.group(1) if match else ""
    return prefix if prefix and "*" not in prefix and "$" not in prefix else None


# environment variables and untyped references ---------------------------------------------------------------------

def _environment(flows: Flows, r: Resource) -> None:
    t = flows.t
    variables = dig(r.properties, "Environment", "Variables")
    if not isinstance(variables, dict):
        return
    own = flows.targets.get(r.logical_id, {})
    reached = own.get("reads", set()) | own.get("writes", set())
    cached = {target for source in reached for target in flows.targets.get(source, {}).get("caches", ())}
    for value in variables.values():
        for lid, _ in t.references(value):
            target = t.service_of(lid)
            kind = flows.kind_of(lid)
            if not target or kind is None or target in cached or flows.has(r.logical_id, target):
                continue
            if kind == "cloudfront":
                expires = number(variables.get("URL_EXPIRES_S"), t.parameters)
                flows.add(r.logical_id, target, "signs", r.logical_id, expires_s=expires)
            elif kind == "generic":
                flows.add(r.logical_id, target, "uses", r.logical_id)
            elif kind in BY_TARGET:
                flows.add(r.logical_id, target, BY_TARGET[kind], r.logical_id)


def _generic(flows: Flows) -> None:
    """`uses` flows for references to or from resources archcase does not model."""
    t = flows.t
    for source, references in t.outgoing.items():
        for reference in references:
            a, b = t.service_of(source), t.service_of(reference.target)
            if a and b and a != b and "generic" in (flows.kind_of(a), flows.kind_of(b)) and not flows.has(a, b):
                flows.add(a, b, "uses", source)
