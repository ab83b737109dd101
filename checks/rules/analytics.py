"""Streaming ingestion and analytics: Kinesis, Firehose, Athena."""

from __future__ import annotations

from ...models.flows import Delivers, Reads, Transforms, Writes
from ...models.graph import Graph
from ...models.services import Athena, Firehose, KinesisStream, LambdaFunction, S3Bucket
from ..rule import NOT_APPLICABLE, Outcome, fail, passes_if, rule, unknown

FIREHOSE = "https://docs.aws.amazon.com/firehose/latest/dev/"
ATHENA = "https://docs.aws.amazon.com/athena/latest/ug/"


@rule("AC701", severity="medium", title="Kinesis streams are encrypted",
      rationale="Encrypt records at rest with KMS.",
      remediation="Set `encryption: true`.",
      docs="https://docs.aws.amazon.com/streams/latest/dev/server-side-encryption.html",
      cdk_nag=("AwsSolutions-KDS1",), checkov=("CKV_AWS_43",))
def kinesis_encrypted(stream: KinesisStream, g: Graph) -> Outcome:
    return passes_if(stream.encryption, f"stream '{stream.id}' is not encrypted")


@rule("AC702", severity="medium", title="Firehose delivery streams are encrypted",
      rationale="Records buffered in Firehose should be encrypted at rest like everywhere else.",
      remediation="Set `encryption: true`.",
      docs=FIREHOSE + "encryption.html", cdk_nag=("AwsSolutions-KDF1",), checkov=("CKV_AWS_240",))
def firehose_encrypted(stream: Firehose, g: Graph) -> Outcome:
    if g.incoming(stream.id, Delivers, frm=KinesisStream):  # encrypted by its source stream (AC701); SSE cannot be set
        return NOT_APPLICABLE
    return passes_if(stream.encryption, f"delivery stream '{stream.id}' is not encrypted")


@rule("AC703", severity="high", title="Firehose delivers to a destination",
      rationale="Ingestion lands somewhere durable: Kinesis Data Streams -> Firehose -> S3 in near real time.",
      remediation="Add a `delivers` flow from the delivery stream to an S3 bucket (or Redshift).",
      docs=FIREHOSE + "create-destination.html")
def firehose_has_destination(stream: Firehose, g: Graph) -> Outcome:
    delivers = bool(g.outgoing(stream.id, Delivers)) or stream.external_destination
    return passes_if(delivers, f"delivery stream '{stream.id}' delivers nowhere")


@rule("AC704", severity="medium", title="Collected records are consumed",
      rationale="Records in a stream nobody reads expire unseen; real-time collection needs a consumer (Firehose or Lambda).",
      remediation="Add a `delivers` flow to a Firehose delivery stream or a `triggers` flow to a function.",
      docs="https://docs.aws.amazon.com/streams/latest/dev/building-consumers.html",
      outside="the consumers elsewhere (application code, other stacks)")
def stream_consumed(stream: KinesisStream, g: Graph) -> Outcome:
    return passes_if(bool(g.outgoing(stream.id)), f"stream '{stream.id}' has no consumer")


@rule("AC705", severity="medium", title="Athena query results go to a separate reporting bucket",
      rationale="""Reports belong in their own bucket: mixing query results into the ingestion bucket pollutes
      the data being queried and mixes their access and lifecycle rules.""",
      remediation="Add a `writes` flow from the workgroup to a reporting bucket it does not read.",
      docs=ATHENA + "querying.html")
def athena_results_separate(workgroup: Athena, g: Graph) -> Outcome:
    results = {f.target for f in g.outgoing(workgroup.id, Writes, to=S3Bucket)}
    if not results and workgroup.external_results:
        return unknown(f"workgroup '{workgroup.id}' writes its results to a location outside the case (undecided: its template "
                       "gives it by a parameter or an S3 URI outside the template, or leaves it to each query)")
    if not results:
        return fail(f"workgroup '{workgroup.id}' has no result location (a `writes` flow to a bucket)")
    mixed = results & {f.target for f in g.outgoing(workgroup.id, Reads, to=S3Bucket)}
    return passes_if(not mixed, f"workgroup '{workgroup.id}' writes results into the bucket it queries: {', '.join(sorted(mixed))}")


@rule("AC706", severity="medium", title="Athena workgroups enforce their configuration",
      rationale="Without enforcement any client can send results anywhere, unencrypted.",
      remediation="Set `enforce_workgroup_configuration: true`.",
      docs=ATHENA + "workgroups-settings-override.html", checkov=("CKV_AWS_82",))
def athena_enforced(workgroup: Athena, g: Graph) -> Outcome:
    return passes_if(workgroup.enforce_workgroup_configuration, f"workgroup '{workgroup.id}' lets clients override its settings")


@rule("AC707", severity="low", title="Athena workgroups state how query results are encrypted",
      rationale="""Query results hold the same data as the source. S3 has encrypted every new object with SSE-S3
      since January 2023, so results are not stored in the clear; but a workgroup that states no encryption leaves
      it to the results bucket's default and to each client, and cannot require a KMS key.""",
      remediation="Set `results_encryption: SSE_S3` or `SSE_KMS` (with `enforce_workgroup_configuration: true`).",
      docs=ATHENA + "encrypting-query-results-stored-in-s3.html", cdk_nag=("AwsSolutions-ATH1",))
def athena_results_encrypted(workgroup: Athena, g: Graph) -> Outcome:
    return passes_if(workgroup.results_encryption != "none", f"workgroup '{workgroup.id}' does not state how results are "
                     "encrypted (they get the results bucket's default encryption)")


@rule("AC708", severity="low", title="Athena workgroups cap the data a query scans",
      rationale="A per-query scan limit stops one runaway query from costing a fortune.",
      remediation="Set `bytes_scanned_cutoff` (10 GB is a sensible start).",
      docs=ATHENA + "workgroups-setting-control-limits-cloudwatch.html")
def athena_scan_limit(workgroup: Athena, g: Graph) -> Outcome:
    return passes_if(workgroup.bytes_scanned_cutoff is not None, f"workgroup '{workgroup.id}' has no scan limit")


@rule("AC709", severity="low", title="Firehose compresses what it delivers",
      rationale="Compressed objects cost less to store and less to scan with Athena.",
      remediation="Set `compression: GZIP` (or Snappy).",
      docs=FIREHOSE + "create-configure.html")
def firehose_compression(stream: Firehose, g: Graph) -> Outcome:
    if not g.outgoing(stream.id, Delivers, to=S3Bucket) or stream.records_compressed:
        return NOT_APPLICABLE
    return passes_if(stream.compression != "UNCOMPRESSED", f"delivery stream '{stream.id}' delivers uncompressed objects")


@rule("AC710", severity="medium", title="Firehose transform functions have time to finish",
      rationale="Firehose waits for its transform function; a very short timeout fails whole batches under load.",
      remediation="Set the transform function's `timeout_s` to 60 or more.",
      docs=FIREHOSE + "data-transformation.html")
def transform_timeout(fn: LambdaFunction, g: Graph) -> Outcome:
    if not g.incoming(fn.id, Transforms):
        return NOT_APPLICABLE
    return passes_if(fn.timeout_s >= 60, f"transform function '{fn.id}' times out after {fn.timeout_s} s")
