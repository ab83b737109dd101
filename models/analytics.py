"""Streaming and analytics: Kinesis Data Streams, Data Firehose and Athena."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import BroadPermission, Service


class KinesisStream(Service):
    """A Kinesis data stream collecting records in real time."""

    kind: Literal["kinesis-stream"] = "kinesis-stream"

    mode: Literal["ON_DEMAND", "PROVISIONED"] = "ON_DEMAND"
    """Capacity mode."""
    shards: Annotated[int, Field(ge=1, le=100000)] | None = None
    """Shard count, for provisioned mode only."""
    retention_h: Annotated[int, Field(ge=24, le=8760)] = 24
    """Record retention in hours."""
    encryption: bool = True
    """Server-side encryption with KMS."""

    @model_validator(mode="after")
    def _shards_match_mode(self) -> KinesisStream:
        if self.mode == "PROVISIONED" and self.shards is None:
            raise ValueError("a PROVISIONED stream needs shards: set shards, or use mode: ON_DEMAND")
        if self.mode == "ON_DEMAND" and self.shards is not None:
            raise ValueError("shards applies to PROVISIONED streams only: remove it, or set mode: PROVISIONED")
        return self


class Firehose(Service):
    """An Amazon Data Firehose delivery stream."""

    kind: Literal["firehose"] = "firehose"

    buffer_interval_s: Annotated[int, Field(ge=0, le=900)] = 60
    """Deliver at least this often, in seconds (60 gives the seed's near real time)."""
    buffer_size_mb: Annotated[int, Field(ge=1, le=128)] = 5
    """Deliver when this much data is buffered, in MB."""
    compression: Literal["UNCOMPRESSED", "GZIP", "Snappy", "ZIP"] = "GZIP"
    """Compression of the delivered objects."""
    encryption: bool = True
    """Server-side encryption of the delivery stream."""
    error_prefix: str = "errors/"
    """S3 prefix for records that failed processing or delivery."""
    records_compressed: bool = False
    """The records arrive compressed already: CloudWatch Logs subscriptions send gzip, so compressing them again
    gains nothing (read from imported templates; the emitted stack has no subscription, so it is kept in metadata)."""
    external_destination: bool = False
    """Delivers to a destination no `delivers` flow of the case shows: an OpenSearch domain or collection, a Redshift
    cluster, an HTTP endpoint, Splunk, Snowflake or Iceberg tables, or a bucket named by a parameter or an ARN outside
    the template (read from imported templates; archcase emits delivery streams to a bucket of the case only)."""
    broad_permissions: list[BroadPermission] = []
    """IAM permissions the delivery stream's role holds beyond its flows, as `ACTION on RESOURCE` (read from imported
    templates; archcase emits roles from flows only, so a case that lists any is not emitted)."""


class Athena(Service):
    """An Athena workgroup querying data registered in a Glue Data Catalog database."""

    kind: Literal["athena"] = "athena"

    database: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,255}$")]
    """Glue Data Catalog database holding the queried tables."""
    enforce_workgroup_configuration: bool = True
    """Clients cannot override the workgroup's result location and encryption."""
    results_encryption: Literal["SSE_S3", "SSE_KMS", "none"] = "SSE_S3"
    """Encryption of query results the workgroup states; `none` states none, and results get the results bucket's
    default encryption (SSE-S3 at least: S3 encrypts every new object since January 2023)."""
    bytes_scanned_cutoff: Annotated[int, Field(ge=10_000_000)] | None = 10_000_000_000
    """Cancel queries scanning more than this many bytes (cost guard); unset means no limit."""
    external_results: bool = False
    """Query results go to a location the case does not show: an S3 URI given by a parameter or naming a bucket
    outside the template, or, where the workgroup sets none and does not enforce its configuration, the location
    each client gives with its queries (read from imported templates; archcase emits results to a bucket of the
    case only)."""
