"""Lambda functions, their triggers, and EC2 instances (single or in Auto Scaling groups)."""

from __future__ import annotations

from ...models.flows import (
    ASYNC_SOURCES,
    STREAM_SOURCES,
    Authorizes,
    DeadLetter,
    Invokes,
    Subscribes,
    Targets,
    Transforms,
    Triggers,
    Writes,
)
from ...models.graph import Graph
from ...models.registry import FlowModel
from ...models.services import (
    ApiGateway,
    AutoScalingGroup,
    CloudFront,
    DaxCluster,
    Ec2Instance,
    Generic,
    LambdaFunction,
    S3Bucket,
    SqsQueue,
)
from ..rule import NOT_APPLICABLE, PASS, Outcome, passes_if, rule

LAMBDA = "https://docs.aws.amazon.com/lambda/latest/dg/"

DEPRECATED_RUNTIMES = {
    "python3.8": "2024-10-14",
    "python3.9": "2025-12-15",
    "python3.10": "2026-06-30",
    "python3.7": "2023-12-04",
    "python3.6": "2022-07-18",
    "python2.7": "2021-07-15",
    "nodejs18.x": "2025-09-01",
    "nodejs16.x": "2024-06-12",
    "nodejs14.x": "2023-12-04",
    "nodejs12.x": "2023-03-31",
    "nodejs10.x": "2021-07-30",
    "nodejs8.10": "2020-03-06",
    "nodejs6.10": "2019-08-12",
    "nodejs4.3": "2020-03-05",
    "nodejs": "2016-10-31",
    "java8": "2024-01-08",
    "go1.x": "2024-01-08",
    "provided": "2024-01-08",
    "dotnet6": "2024-12-20",
    "dotnetcore3.1": "2023-04-03",
    "dotnetcore2.1": "2022-01-05",
    "ruby2.7": "2023-12-07",
    "ruby2.5": "2021-07-30",
    "ruby3.2": "2026-03-31",
}
"""Lambda runtimes past their deprecation date (from the Lambda runtimes page), with that date."""


@rule("AC301", severity="high", title="Lambda functions run on a supported runtime",
      rationale="Deprecated runtimes get no security patches, and functions on them can no longer be updated.",
      remediation="Move the function to `runtime: python3.12` or later.",
      docs=LAMBDA + "lambda-runtimes.html", cdk_nag=("AwsSolutions-L1",), checkov=("CKV_AWS_363",))
def supported_runtime(fn: LambdaFunction, g: Graph) -> Outcome:
    since = DEPRECATED_RUNTIMES.get(fn.runtime)
    return passes_if(since is None, f"function '{fn.id}' runs on {fn.runtime}, deprecated since {since}")


@rule("AC302", severity="low", title="Lambda functions are traced with X-Ray",
      rationale="""Active tracing shows each invocation's calls to other services and where time goes. Not asked of
      Lambda@Edge (X-Ray does not trace replicated functions) nor of a custom resource's or macro's handler, which
      runs only while its stack deploys.""",
      remediation="Set `tracing: true`.",
      docs=LAMBDA + "services-xray.html", checkov=("CKV_AWS_50",))
def lambda_tracing(fn: LambdaFunction, g: Graph) -> Outcome:
    if g.incoming(fn.id, Invokes, frm=CloudFront):  # Lambda@Edge: X-Ray does not trace replicated functions
        return NOT_APPLICABLE
    if _deploy_time_only(fn, g):
        return NOT_APPLICABLE  # a custom resource's handler runs while the stack deploys: its log says what it did
    return passes_if(fn.tracing, f"function '{fn.id}' is not traced")


@rule("AC303", severity="high", title="Asynchronous triggers keep failed events",
      rationale="""Events that fail every retry are lost unless they go somewhere: S3 and SNS invoke functions
      asynchronously, and stream records block their shard until they expire. Give the function a dead-letter
      queue or on-failure destination (queues use their own redrive queue, see AC602).""",
      remediation="Add a `dead-letter` flow from the function to an SQS queue (or SNS topic).",
      docs=LAMBDA + "invocation-async-retain-records.html", checkov=("CKV_AWS_116",))
def async_trigger_has_dlq(fn: LambdaFunction, g: Graph) -> Outcome:
    flows = [f for f in g.incoming(fn.id) if _invokes_asynchronously(f, g)]
    if not flows:
        return NOT_APPLICABLE
    streams = [f.source for f in flows if isinstance(g.source(f), STREAM_SOURCES)]
    calls = [f.source for f in flows if f.source not in streams]
    how = ([f"is invoked asynchronously by {', '.join(calls)}"] if calls else []) + \
        ([f"reads {', '.join(streams)}, whose failing records block the shard until they expire,"] if streams else [])
    return passes_if(bool(g.outgoing(fn.id, DeadLetter)), f"function '{fn.id}' {' and '.join(how)} and keeps no failed events")


def _deploy_time_only(fn: LambdaFunction, g: Graph) -> bool:
    """Whether only CloudFormation custom resources and macros invoke the function (while the stack deploys)."""
    invokers = [g.source(f) for f in g.incoming(fn.id)]
    return bool(invokers) and not fn.invoked_from_outside and all(isinstance(s, Generic) and s.runs_at_deploy for s in invokers)


def _invokes_asynchronously(flow: FlowModel, g: Graph) -> bool:
    """Whether a flow into a function invokes it asynchronously (or from a stream): failed events are then
    retried and dropped unless the function keeps them."""
    if isinstance(flow, Triggers):
        return isinstance(g.source(flow), (*ASYNC_SOURCES, *STREAM_SOURCES))
    return isinstance(flow, Subscribes) or (isinstance(flow, Invokes) and flow.mode == "async")


@rule("AC304", severity="high", title="A queue's visibility timeout covers its consumer",
      rationale="""If a message becomes visible again while the function still processes it, it is processed
      twice. AWS advises a visibility timeout of at least six times the function timeout (the
      `sqs_visibility_factor` setting).""",
      remediation="Raise the queue's `visibility_timeout_s` (or lower the function's `timeout_s`).",
      docs=LAMBDA + "services-sqs-configure.html")
def visibility_covers_consumer(flow: Triggers, g: Graph) -> Outcome:
    queue = g.source_as(flow, SqsQueue)
    if queue is None:
        return NOT_APPLICABLE
    fn = _function(flow, g)
    needed = g.settings.sqs_visibility_factor * fn.timeout_s
    return passes_if(queue.visibility_timeout_s >= needed,
                     f"queue '{queue.id}' hides messages {queue.visibility_timeout_s} s; consumer '{fn.id}' "
                     f"times out at {fn.timeout_s} s, so at least {needed:g} s is needed")


@rule("AC305", severity="medium", title="Queue and stream consumers report batch item failures",
      rationale="Without partial batch responses one bad record makes the whole batch retry, again and again.",
      remediation="Set `report_batch_item_failures: true` and return `batchItemFailures` from the handler (on a stream, "
                  "`bisect_on_error: true` also isolates the failing record).",
      docs=LAMBDA + "services-sqs-errorhandling.html")
def batch_item_failures(flow: Triggers, g: Graph) -> Outcome:
    if not isinstance(g.source(flow), (SqsQueue, *STREAM_SOURCES)) or flow.batch_size == 1:
        return NOT_APPLICABLE  # a batch of one record fails or succeeds whole: nothing to report item by item
    if isinstance(g.source(flow), STREAM_SOURCES) and flow.bisect_on_error:
        return PASS  # a failing batch is halved until the bad record is alone: the others go through
    return passes_if(flow.report_batch_item_failures,
                     f"'{flow.target}' retries whole batches from '{flow.source}' on one failure")


def _function(flow: Triggers, g: Graph) -> LambdaFunction:
    fn = g.target(flow)
    assert isinstance(fn, LambdaFunction), "triggers reach functions only (Triggers.allowed)"
    return fn


def _overlaps(written: str | None, watched: str | None) -> bool:
    written, watched = written or "", watched or ""
    return written.startswith(watched) or watched.startswith(written)


@rule("AC306", severity="critical", title="An S3-triggered function does not write back into its trigger",
      rationale="""A function triggered by uploads that writes its output where it is triggered invokes itself
      forever (a recursive loop, and a large bill). Write thumbnails under a separate prefix or bucket.""",
      remediation="Write to a prefix the trigger does not watch (or another bucket), and give the trigger a `prefix`.",
      docs=LAMBDA + "invocation-recursion.html")
def no_recursive_s3_trigger(flow: Triggers, g: Graph) -> Outcome:
    if not isinstance(g.source(flow), S3Bucket):
        return NOT_APPLICABLE
    loops = [w.prefix or "(whole bucket)" for w in g.outgoing(flow.target, Writes)
             if w.target == flow.source and _overlaps(w.prefix, flow.prefix)]
    return passes_if(not loops, f"'{flow.target}' writes {', '.join(loops)} in '{flow.source}', which triggers it "
                                f"(on {flow.prefix or 'every key'})")


@rule("AC307", severity="high", title="Functions that use DAX run in the VPC",
      rationale="A DAX cluster is reachable only from inside its VPC; a function outside it cannot connect.",
      remediation="Set `in_vpc: true` on the function.",
      docs="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAX.concepts.vpc.html")
def dax_clients_in_vpc(fn: LambdaFunction, g: Graph) -> Outcome:
    dax = {f.target for f in g.outgoing(fn.id, to=DaxCluster)}
    if not dax:
        return NOT_APPLICABLE
    return passes_if(fn.in_vpc, f"function '{fn.id}' uses DAX {', '.join(sorted(dax))} but runs outside the VPC")


@rule("AC308", severity="medium", title="Functions behind a REST API finish within its 29 s limit",
      rationale="API Gateway gives up on an integration after 29 seconds; a longer timeout only hides the error.",
      remediation="Set the function's `timeout_s` to 29 or less, or make the work asynchronous.",
      docs="https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html")
def api_function_timeout(fn: LambdaFunction, g: Graph) -> Outcome:
    if not g.incoming(fn.id, Invokes, frm=ApiGateway):
        return NOT_APPLICABLE
    return passes_if(fn.timeout_s <= 29, f"function '{fn.id}' may run {fn.timeout_s} s behind a REST API")


@rule("AC309", severity="high", title="EC2 instances require IMDSv2",
      rationale="IMDSv1 lets server-side request forgery read the instance's credentials.",
      remediation="Set `imdsv2_required: true`.",
      docs="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html",
      checkov=("CKV_AWS_79",))
def imdsv2(ec2: AutoScalingGroup | Ec2Instance, g: Graph) -> Outcome:
    return passes_if(ec2.imdsv2_required, f"{instances(ec2)} {_verb(ec2, 'accept')} IMDSv1")


@rule("AC310", severity="medium", title="EC2 volumes are encrypted",
      rationale="Unencrypted EBS volumes and their snapshots expose data to anyone who gets a copy.",
      remediation="Set `ebs_encrypted: true`.",
      docs="https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html",
      cdk_nag=("AwsSolutions-EC26",), checkov=("CKV_AWS_8",))
def ebs_encrypted(ec2: AutoScalingGroup | Ec2Instance, g: Graph) -> Outcome:
    return passes_if(ec2.ebs_encrypted, f"{instances(ec2)} {'has' if isinstance(ec2, Ec2Instance) else 'have'} unencrypted volumes")


def instances(ec2: AutoScalingGroup | Ec2Instance) -> str:
    """How a finding names the instances of an Auto Scaling group or a single instance."""
    return f"instance '{ec2.id}'" if isinstance(ec2, Ec2Instance) else f"instances of '{ec2.id}'"


def _verb(ec2: AutoScalingGroup | Ec2Instance, verb: str) -> str:
    return verb + "s" if isinstance(ec2, Ec2Instance) else verb


@rule("AC311", severity="low", title="Every function is invoked by something",
      rationale="A function nothing triggers or invokes is dead code that still needs patching and permissions.",
      remediation="Add the flow that invokes the function, or remove it.",
      docs=LAMBDA + "lambda-invocation.html",
      outside="who calls a function from elsewhere (an SDK call, another stack, the console)")
def function_is_invoked(fn: LambdaFunction, g: Graph) -> Outcome:
    invokers = [f for f in g.incoming(fn.id) if isinstance(f, (Invokes, Triggers, Subscribes, Transforms, Targets, Authorizes))]
    return passes_if(bool(invokers) or fn.invoked_from_outside, f"nothing invokes function '{fn.id}'")
