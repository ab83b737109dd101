"""Caches: ElastiCache (Valkey, Redis OSS, Memcached), node-based or serverless."""

from __future__ import annotations

from ...models.data import ElastiCache
from ...models.flows import Connects
from ...models.graph import Graph
from ...models.services import LambdaFunction
from ..rule import NOT_APPLICABLE, Outcome, passes_if, rule

ELASTICACHE = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/"
MIN_SNAPSHOT_DAYS = 1


def _what(cache: ElastiCache) -> str:
    engine = {"valkey": "Valkey", "redis": "Redis OSS", "memcached": "Memcached"}[cache.engine]
    return f"{engine} {'serverless cache' if cache.serverless else 'cache'} '{cache.id}'"


def _replicates(cache: ElastiCache) -> bool:
    """Whether the cache keeps data worth a snapshot or a failover: Valkey and Redis, not Memcached."""
    return cache.engine != "memcached"


@rule("AC430", severity="medium", title="Caches are encrypted at rest",
      rationale="Valkey and Redis write the cached data to disk when they synchronise replicas, swap and take "
                "snapshots; unencrypted, those copies are readable to anyone who gets the disks or the snapshots. "
                "Encryption can only be chosen when the cache is created.",
      remediation="Set `encrypted_at_rest: true` (an existing cache is encrypted by restoring a snapshot into a new one).",
      docs=ELASTICACHE + "at-rest-encryption.html", cdk_nag=("AwsSolutions-AEC3",), checkov=("CKV_AWS_29",))
def cache_encrypted(cache: ElastiCache, g: Graph) -> Outcome:
    if not _replicates(cache):
        return NOT_APPLICABLE  # Memcached keeps nothing on disk; a serverless one is always encrypted
    return passes_if(cache.encrypted_at_rest, f"{_what(cache)} writes its data to disk unencrypted")


@rule("AC431", severity="medium", title="Caches require TLS",
      rationale="Without in-transit encryption, cached data (often sessions and tokens) and any AUTH token cross the "
                "VPC in clear text, readable to anything that can see the traffic.",
      remediation="Set `tls_in_transit: true`; clients connect with TLS (for Redis clients, `rediss://`).",
      docs=ELASTICACHE + "in-transit-encryption.html", cdk_nag=("AwsSolutions-AEC3",), checkov=("CKV_AWS_30",))
def cache_tls(cache: ElastiCache, g: Graph) -> Outcome:
    return passes_if(cache.tls_in_transit, f"{_what(cache)} accepts connections without TLS")


@rule("AC432", severity="medium", title="Valkey and Redis caches require clients to authenticate",
      rationale="A cache without AUTH or user groups answers every command from anything its security group "
                "admits: reading every key, overwriting sessions, or FLUSHALL.",
      remediation="Set `auth_token: true` (with `tls_in_transit: true`); clients read the token from Secrets Manager.",
      docs=ELASTICACHE + "auth.html", cdk_nag=("AwsSolutions-AEC6",), checkov=("CKV_AWS_31",))
def cache_auth(cache: ElastiCache, g: Graph) -> Outcome:
    if not _replicates(cache):
        return NOT_APPLICABLE  # Memcached has no AUTH
    return passes_if(cache.auth_token, f"{_what(cache)} answers clients that do not authenticate")


@rule("AC433", severity="medium", title="Valkey and Redis caches fail over to a replica in another Availability Zone",
      rationale="A primary without a replica in another zone takes the cache down with its node or zone, and every "
                "client with it; Multi-AZ with automatic failover promotes the replica in a minute or less.",
      remediation="Set `multi_az: true` (the emitted replication group gets a replica and automatic failover).",
      docs=ELASTICACHE + "AutoFailover.html", cdk_nag=("AwsSolutions-AEC4",))
def cache_multi_az(cache: ElastiCache, g: Graph) -> Outcome:
    if not _replicates(cache) or cache.serverless:
        return NOT_APPLICABLE  # Memcached does not replicate; a serverless cache always does
    return passes_if(cache.multi_az, f"{_what(cache)} has no replica that takes over automatically in another zone")


@rule("AC434", severity="low", title="Valkey and Redis caches take automatic snapshots",
      rationale="Valkey and Redis often hold data that exists nowhere else (sessions, queues, counters, leaderboards); "
                "without automatic snapshots a failure or a stray FLUSHALL loses it for good.",
      remediation="Set `snapshot_retention_days` to 1 or more (up to 35); 0 is right for a cache only of data kept elsewhere "
                  "(suppress the finding with that reason).",
      docs=ELASTICACHE + "backups-automatic.html")
def cache_snapshots(cache: ElastiCache, g: Graph) -> Outcome:
    if not _replicates(cache):
        return NOT_APPLICABLE  # Memcached takes no snapshots
    return passes_if(cache.snapshot_retention_days >= MIN_SNAPSHOT_DAYS, f"{_what(cache)} takes no automatic snapshots")


@rule("AC435", severity="high", title="Functions that connect to a cache run in the VPC",
      rationale="An ElastiCache cache has only private addresses in its VPC; a function outside the VPC cannot reach it.",
      remediation="Set `in_vpc: true` on the function.",
      docs="https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html")
def cache_clients_in_vpc(fn: LambdaFunction, g: Graph) -> Outcome:
    caches = sorted(f.target for f in g.outgoing(fn.id, Connects) if isinstance(g.target(f), ElastiCache))
    if not caches:
        return NOT_APPLICABLE
    return passes_if(fn.in_vpc, f"function '{fn.id}' connects to {', '.join(caches)} but runs outside the VPC")
