"""Caches imported: replication groups, cache clusters and serverless caches, their settings as AWS deploys them
when left out, who connects (a function told the endpoint or the AUTH token, a role allowed the token, a security
group admitting the client's), and the round trip of emitted ones."""

from __future__ import annotations

from typing import Any

import pytest

from archcase.importer import import_template
from archcase.models import Architecture
from archcase.models.data import ElastiCache
from archcase.render.cloudformation.emit import template_text

from ..render.cloudformation.conftest import write_handlers
from .templates import flows, imported
from .test_round_trip import differences

FN = {"Type": "AWS::Lambda::Function", "Properties": {
    "Runtime": "python3.12", "Handler": "app.handler", "Role": "arn:aws:iam::123456789012:role/r",
    "Code": {"ZipFile": "def handler(event, context): pass"}}}


def group(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::ElastiCache::ReplicationGroup", "Properties": {
        "ReplicationGroupDescription": "c", "CacheNodeType": "cache.t4g.micro", "Engine": "redis", **properties}}


def cache_of(case: Architecture) -> ElastiCache:
    (cache,) = [s for s in case.services if isinstance(s, ElastiCache)]
    return cache


def test_a_replication_group_left_to_aws_is_unencrypted_unauthenticated_single_az_without_snapshots(tmp_path):
    cache = cache_of(imported(tmp_path, {"Cache": group()}))
    assert (cache.engine, cache.serverless, cache.encrypted_at_rest, cache.tls_in_transit, cache.auth_token, cache.multi_az,
            cache.snapshot_retention_days) == ("redis", False, False, False, False, False, 0)


def test_a_replication_group_says_its_settings(tmp_path):
    cache = cache_of(imported(tmp_path, {"Cache": group(
        Engine="valkey", AtRestEncryptionEnabled=True, TransitEncryptionEnabled=True, AuthToken="{{resolve:secretsmanager:t}}",
        MultiAZEnabled=True, AutomaticFailoverEnabled=True, NumCacheClusters=2, SnapshotRetentionLimit=5)}))
    assert (cache.engine, cache.encrypted_at_rest, cache.tls_in_transit, cache.auth_token, cache.multi_az,
            cache.snapshot_retention_days) == ("valkey", True, True, True, True, 5)


@pytest.mark.parametrize(("resource", "expected"), [
    ({"Type": "AWS::ElastiCache::CacheCluster", "Properties": {"Engine": "memcached", "CacheNodeType": "cache.t3.micro",
                                                               "NumCacheNodes": 2}},
     ("memcached", False, False, False, False, False, 0)),
    ({"Type": "AWS::ElastiCache::CacheCluster", "Properties": {"Engine": "redis", "CacheNodeType": "cache.t3.micro",
                                                               "NumCacheNodes": 1, "SnapshotRetentionLimit": 1}},
     ("redis", False, False, False, False, False, 1)),
    ({"Type": "AWS::ElastiCache::ServerlessCache", "Properties": {"Engine": "valkey", "ServerlessCacheName": "c"}},
     ("valkey", True, True, True, False, True, 0)),
])
def test_cache_clusters_and_serverless_caches_are_read(tmp_path, resource, expected):
    cache = cache_of(imported(tmp_path, {"Cache": resource}))
    assert (cache.engine, cache.serverless, cache.encrypted_at_rest, cache.tls_in_transit, cache.auth_token, cache.multi_az,
            cache.snapshot_retention_days) == expected


def test_a_function_told_the_endpoint_connects(tmp_path):
    fn = {**FN, "Properties": {**FN["Properties"], "Environment": {"Variables": {
        "REDIS_HOST": {"Fn::GetAtt": ["Cache", "PrimaryEndPoint.Address"]}}}}}
    assert flows(imported(tmp_path, {"Cache": group(), "Fn": fn})) == [("fn", "connects", "cache")]


def test_a_client_whose_security_group_the_cache_admits_connects(tmp_path):
    resources = {
        "Cache": group(SecurityGroupIds=[{"Fn::GetAtt": ["CacheGroup", "GroupId"]}]),
        "CacheGroup": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "cache", "SecurityGroupIngress": [
            {"IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379, "SourceSecurityGroupId": {"Ref": "FnGroup"}}]}},
        "FnGroup": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "fn"}},
        "Fn": {**FN, "Properties": {**FN["Properties"], "VpcConfig": {"SecurityGroupIds": [{"Ref": "FnGroup"}], "SubnetIds": ["s"]}}},
        "Open": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
            "GroupId": {"Ref": "CacheGroup"}, "IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379, "CidrIp": "10.0.0.0/16"}},
    }
    assert flows(imported(tmp_path, resources)) == [("fn", "connects", "cache")]


def test_the_auth_token_secret_belongs_to_the_cache(tmp_path):
    resources = {"Cache": group(AuthToken={"Fn::Sub": "{{resolve:secretsmanager:${Token}:SecretString}}"}, TransitEncryptionEnabled=True),
                 "Token": {"Type": "AWS::SecretsManager::Secret", "Properties": {"GenerateSecretString": {}}}}
    case = imported(tmp_path, resources)
    assert [s.id for s in case.services] == ["cache"]
    assert cache_of(case).auth_token


CASES = [
    {}, {"engine": "redis", "multi_az": False, "auth_token": False, "tls_in_transit": False, "encrypted_at_rest": False,
         "snapshot_retention_days": 0},
    {"engine": "memcached"}, {"engine": "memcached", "tls_in_transit": False}, {"serverless": True, "auth_token": False},
    {"engine": "memcached", "serverless": True, "snapshot_retention_days": 3},
]


@pytest.mark.parametrize("cache", CASES)
def test_emitted_caches_survive_import(tmp_path, cache):
    case = Architecture.model_validate({"name": "shop", "title": "Shop", "services": [
        {"id": "sessions", "kind": "elasticache", **cache},
        {"id": "api", "kind": "lambda", "handler": "orders_api.app.handler", "in_vpc": True},
        {"id": "web", "kind": "autoscaling-group"}],
        "flows": [{"from": "api", "to": "sessions", "kind": "connects"}, {"from": "web", "to": "sessions", "kind": "connects"}]})
    path = tmp_path / "shop.yaml"
    path.write_text(template_text(case, write_handlers(tmp_path / "handlers", [case])), encoding="utf-8")
    assert differences(case, import_template(path).architecture) == []
