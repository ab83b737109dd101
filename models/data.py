"""Data stores: DynamoDB, DAX, S3, relational databases (RDS, Aurora), caches (ElastiCache) and file systems (EFS)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import Model, Rate, Service

Region = Annotated[str, Field(pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$")]


class Key(Model):
    """A DynamoDB key attribute."""

    name: Annotated[str, Field(min_length=1, max_length=255)]
    """Attribute name."""
    type: Literal["S", "N", "B"] = "S"
    """Attribute type: string, number or binary."""


class DynamoDbTable(Service):
    """A DynamoDB table."""

    kind: Literal["dynamodb"] = "dynamodb"

    partition_key: Key
    """Partition (hash) key."""
    sort_key: Key | None = None
    """Sort (range) key."""
    billing_mode: Literal["PAY_PER_REQUEST", "PROVISIONED"] = "PAY_PER_REQUEST"
    """Capacity mode."""
    stream: Literal["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"] | None = None
    """DynamoDB Streams view type; unset means no stream."""
    replica_regions: list[Region] = []
    """Further regions of a global table; non-empty makes the table global."""
    expected_reads_per_s: Rate | None = None
    """Expected reads per second at peak."""
    expected_writes_per_s: Rate | None = None
    """Expected writes per second at peak."""
    point_in_time_recovery: bool = True
    """Continuous backups with point-in-time recovery."""
    encryption: Literal["aws-owned", "aws-managed", "customer-managed"] = "aws-managed"
    """Server-side encryption key: AWS owned, the AWS managed KMS key, or a customer managed KMS key."""
    deletion_protection: bool = True
    """Refuse deletion while enabled."""
    ttl_attribute: Annotated[str, Field(min_length=1, max_length=255)] | None = None
    """Attribute holding each item's expiry time, if items expire."""

    @property
    def is_global(self) -> bool:
        return bool(self.replica_regions)

    @model_validator(mode="after")
    def _global_needs_stream(self) -> DynamoDbTable:
        if self.replica_regions and self.stream != "NEW_AND_OLD_IMAGES":
            raise ValueError(
                "a global table (replica_regions set) replicates through its stream: "
                "set stream: NEW_AND_OLD_IMAGES"
            )
        if len(set(self.replica_regions)) != len(self.replica_regions):
            raise ValueError("replica_regions lists a region twice")
        if self.sort_key is not None and self.sort_key.name == self.partition_key.name:
            raise ValueError(
                f"the sort key and the partition key are both named {self.partition_key.name!r}: "
                "a key schema names two different attributes; rename the sort key or remove it"
            )
        return self


DaxNodeType = Literal[
    "dax.t3.small", "dax.t3.medium", "dax.t2.small", "dax.t2.medium",
    "dax.r7i.large", "dax.r7i.xlarge", "dax.r7i.2xlarge", "dax.r7i.4xlarge", "dax.r7i.8xlarge", "dax.r7i.12xlarge",
    "dax.r7i.16xlarge", "dax.r7i.24xlarge",
    "dax.r5.large", "dax.r5.xlarge", "dax.r5.2xlarge", "dax.r5.4xlarge", "dax.r5.8xlarge", "dax.r5.12xlarge",
    "dax.r5.16xlarge", "dax.r5.24xlarge",
    "dax.r4.large", "dax.r4.xlarge", "dax.r4.2xlarge", "dax.r4.4xlarge", "dax.r4.8xlarge", "dax.r4.16xlarge",
    "dax.r3.large", "dax.r3.xlarge", "dax.r3.2xlarge", "dax.r3.4xlarge", "dax.r3.8xlarge",
]
"""DAX node types offered in some Region (cfn-lint's AWS::DAX::Cluster NodeType list, from AWS pricing)."""


class DaxCluster(Service):
    """A DynamoDB Accelerator (DAX) cluster caching reads of the tables it `caches`."""

    kind: Literal["dax"] = "dax"

    node_type: DaxNodeType = "dax.t3.small"
    """Node type (the DAX node types; not every Region offers every type)."""
    nodes: Annotated[int, Field(ge=1, le=10)] = 3
    """Number of nodes; three or more spread over Availability Zones for production."""
    encryption_at_rest: bool = True
    """Server-side encryption of the cluster's data."""
    tls_in_transit: bool = True
    """Cluster endpoint requires TLS."""
    item_ttl_s: Annotated[int, Field(ge=0)] = 300
    """How long an item stays in the item cache, in seconds."""


class S3Bucket(Service):
    """An S3 bucket."""

    kind: Literal["s3"] = "s3"

    content: Literal["private", "public", "paid"] = "private"
    """What the bucket holds: `public` content anyone may read (served through CloudFront), `private`
    data, or `paid` content only paying users may download."""
    per_user_prefixes: bool = False
    """Each user owns a folder (`<identity id>/...`) they reach directly with temporary credentials."""
    block_public_access: bool = True
    """All four S3 Block Public Access settings on."""
    encryption: Literal["sse-s3", "sse-kms"] = "sse-s3"
    """Default server-side encryption."""
    versioning: bool = True
    """Keep object versions."""
    access_logging: bool = True
    """Write server access logs."""
    enforce_tls: bool = True
    """Bucket policy denies requests not made over TLS (`aws:SecureTransport`)."""
    website_hosting: bool = False
    """Serve the bucket as an S3 static website endpoint (HTTP only; it serves only what the public may read, so
    `block_public_access` must be false)."""
    transfer_acceleration: bool = False
    """Enable S3 Transfer Acceleration for uploads from far away."""
    receives_logs: bool = False
    """Other services write their logs here (read from imported templates): the bucket's own access logs would
    be logs of logging, so AC404 does not ask for them."""

    @model_validator(mode="after")
    def _website_needs_public_read(self) -> S3Bucket:
        if self.website_hosting and self.block_public_access:
            raise ValueError("website_hosting serves only objects the public may read, and block_public_access blocks "
                             "that: the endpoint would answer 403 to every request; set block_public_access: false to "
                             "serve a public website, or remove website_hosting (CloudFront with origin access serves "
                             "a private bucket)")
        return self


RdsEngine = Literal["postgres", "mysql", "mariadb", "aurora-postgresql", "aurora-mysql"]
"""Database engines: RDS for PostgreSQL, MySQL, MariaDB (one DB instance), or Aurora (a DB cluster)."""

class RdsDatabase(Service):
    """A relational database: an RDS DB instance (`postgres`, `mysql`, `mariadb`) or an Aurora DB cluster
    (`aurora-postgresql`, `aurora-mysql`) with its DB instances. Clients reach it in the VPC. Sizing (instance class,
    storage) is not modelled: the emitted template takes it as parameters."""

    kind: Literal["rds"] = "rds"

    engine: RdsEngine = "postgres"
    """Database engine; the Aurora engines make a DB cluster."""
    encrypted_at_rest: bool = True
    """Storage encryption (`StorageEncrypted`)."""
    multi_az: bool = True
    """A standby in a second Availability Zone (DB instance), or a second DB instance, a replica (Aurora)."""
    backup_retention_days: Annotated[int, Field(ge=0, le=35)] = 7
    """Days automated backups are kept; 0 turns them off (DB instances only: Aurora keeps at least 1)."""
    deletion_protection: bool = True
    """Refuse deletion while enabled."""
    publicly_accessible: bool = False
    """The DB instance has a public DNS name and address (reachable from outside the VPC)."""
    iam_authentication: bool = True
    """Database users may sign in with IAM credentials (`rds-db:connect`) instead of passwords."""
    auto_minor_version_upgrade: bool = True
    """Minor engine versions are applied automatically in the maintenance window."""

    @property
    def is_aurora(self) -> bool:
        return self.engine.startswith("aurora-")

    @model_validator(mode="after")
    def _aurora_keeps_backups(self) -> RdsDatabase:
        if self.is_aurora and self.backup_retention_days == 0:
            raise ValueError("an Aurora cluster keeps automated backups for 1 to 35 days: "
                             "set backup_retention_days: 1 or more")
        return self


CacheEngine = Literal["valkey", "redis", "memcached"]
"""ElastiCache engines: Valkey, Redis OSS (a primary and its replicas, snapshots, AUTH) or Memcached (nodes that
keep their data in memory only)."""

CACHE_FIXED: dict[tuple[str, bool], dict[str, tuple[object, str]]] = {
    ("memcached", False): {
        "encrypted_at_rest": (False, "a Memcached cluster keeps its data in memory only (nothing at rest to encrypt)"),
        "auth_token": (False, "Memcached has no AUTH"),
        "multi_az": (False, "Memcached nodes do not replicate, so nothing fails over"),
        "snapshot_retention_days": (0, "Memcached takes no snapshots"),
    },
    ("memcached", True): {
        "encrypted_at_rest": (True, "a serverless cache is always encrypted at rest"),
        "tls_in_transit": (True, "a serverless cache always requires TLS"),
        "multi_az": (True, "a serverless cache always replicates across Availability Zones"),
        "auth_token": (False, "Memcached has no AUTH"),
    },
    **{(engine, True): {
        "encrypted_at_rest": (True, "a serverless cache is always encrypted at rest"),
        "tls_in_transit": (True, "a serverless cache always requires TLS"),
        "multi_az": (True, "a serverless cache always replicates across Availability Zones"),
    } for engine in ("valkey", "redis")},
}
"""The settings a kind of cache cannot choose, per (engine, serverless), with why: filled in when the case leaves
them out, refused when it sets another value."""


class ElastiCache(Service):
    """An ElastiCache cache: a Valkey or Redis OSS replication group (a primary and its replicas), a Memcached
    cluster, or a serverless cache of either. Clients reach it in the VPC. Node type and count are not modelled:
    the emitted template takes the node type as a parameter. Settings a kind of cache cannot choose (Memcached has
    no AUTH, a serverless cache is always encrypted) are filled in when left out."""

    kind: Literal["elasticache"] = "elasticache"

    engine: CacheEngine = "valkey"
    """Cache engine."""
    serverless: bool = False
    """A serverless cache (`AWS::ElastiCache::ServerlessCache`): no nodes to size, always encrypted, replicated
    across Availability Zones."""
    encrypted_at_rest: bool = True
    """Data on disk (swap, synchronisation, snapshots) is encrypted (`AtRestEncryptionEnabled`); false for a
    Memcached cluster, which keeps nothing on disk."""
    tls_in_transit: bool = True
    """Clients and nodes talk TLS (`TransitEncryptionEnabled`)."""
    auth_token: bool = True
    """Clients authenticate: a Redis AUTH token (`AuthToken`) or a user group (`UserGroupIds`); Valkey and Redis
    only, and only over TLS."""
    multi_az: bool = True
    """Valkey and Redis: a replica in a second Availability Zone is promoted automatically when the primary fails
    (`MultiAZEnabled`, `AutomaticFailoverEnabled`)."""
    snapshot_retention_days: Annotated[int, Field(ge=0, le=35)] = 7
    """Days automatic daily snapshots are kept (`SnapshotRetentionLimit`); 0 takes none. A Memcached cluster takes
    none (a serverless Memcached cache does)."""

    @model_validator(mode="before")
    @classmethod
    def _fill_fixed(cls, data: object) -> object:
        if isinstance(data, dict):
            engine, serverless = data.get("engine", "valkey"), data.get("serverless", False)
            known = isinstance(engine, str) and isinstance(serverless, bool)
            fixed = CACHE_FIXED.get((engine, serverless), {}) if known else {}
            return {**{name: value for name, (value, _) in fixed.items()}, **data}
        return data

    @model_validator(mode="after")
    def _fixed_settings_kept(self) -> ElastiCache:
        for name, (value, why) in CACHE_FIXED.get((self.engine, self.serverless), {}).items():
            if getattr(self, name) != value:
                raise ValueError(f"{why}: set {name}: {str(value).lower()} or leave it out")
        if self.auth_token and not self.tls_in_transit:
            raise ValueError("ElastiCache accepts an AUTH token only over TLS: set tls_in_transit: true, or auth_token: false")
        return self

    @property
    def port(self) -> int:
        return 11211 if self.engine == "memcached" else 6379


class AccessPoint(Model):
    """An EFS access point a client mounts through: the directory it sees as the file system's root, and the user
    every request acts as."""

    root_directory: Annotated[str, Field(pattern=r"^/([A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*)?$", max_length=100)] = "/"
    """The directory the client sees as root (`/` is the whole file system); created owned by the POSIX user."""
    posix_user: bool = True
    """Every request acts as one POSIX user (uid and gid 1000), whatever user the client runs as."""


class EfsFileSystem(Service):
    """An Amazon EFS file system, mounted over NFS in the VPC through a mount target in each subnet. Performance and
    throughput modes are not modelled: the emitted file system is General Purpose with elastic throughput."""

    kind: Literal["efs"] = "efs"

    encrypted_at_rest: bool = True
    """Data and metadata are encrypted at rest (`Encrypted`); chosen only when the file system is created."""
    backups: bool | None = True
    """AWS Backup takes daily automatic backups (`BackupPolicy` `ENABLED`). Null: not stated, and AWS's default is in
    doubt (an imported Regional file system without `BackupPolicy`, see docs/aws-defaults.md)."""
