"""A sample of generated cases (tests/strategies.py) deployed to the local endpoint: every template emit writes
for a case it accepts is one CloudFormation creates, given values for its parameters without defaults.

What moto does not emulate is in `moto_stubs.STUBBED`; those resources are created as stubs and checked by
cfn-lint only (test_generated.py). No shrinking: a failure is reported as generated, with the case file.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, Phase, assume, given, settings

from archcase import api
from archcase.importer import case_yaml
from archcase.models import Architecture
from archcase.render.cloudformation.context import ENVIRONMENT
from archcase.render.cloudformation.emit import template
from archcase.render.cloudformation.template import EmitError

from ..strategies import HANDLERS, architectures

ARTIFACTS = "archcase-generated-artifacts"
STACKS = itertools.count(1)
MOTO_INSTANCES = 4
"""moto starts every instance an Auto Scaling group asks for, each with an address in a default subnet, and fails
(HTTP 500) when the subnets run out: the sample keeps groups small."""


def _values(aws) -> dict[str, str]:
    """A value for each kind of parameter an emitted template declares without a default, by the end of its name."""
    s3, ec2 = aws("s3"), aws("ec2")
    s3.create_bucket(Bucket=ARTIFACTS)
    s3.create_bucket(Bucket="generated-elb-logs")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]][:2]
    public_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    certificate = aws("acm").request_certificate(DomainName="generated.example.com")["CertificateArn"]
    key = aws("kms").create_key()["KeyMetadata"]["Arn"]
    return {"VpcId": vpc, "SubnetIds": ",".join(subnets), "PublicKeyPem": public_key, "CertificateArn": certificate,
            "LogBucket": "generated-elb-logs", "KmsKeyArn": key, "DomainName": "generated.example.com",
            "WebAclArn": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/generated/0b2d7f4e"}


def _parameters(case: Architecture, values: dict[str, str], stack: int) -> dict[str, str]:
    document = template(case, HANDLERS)
    wanted = [key for key, spec in document.get("Parameters", {}).items() if "Default" not in spec and key != "ArtifactBucket"]
    given_ = {key: next((v for end, v in values.items() if key.endswith(end)), None) for key in wanted}
    missing = [key for key, value in given_.items() if value is None]
    assert not missing, f"the test gives no value for parameters {missing}: add their name's ending to _values"
    found = {key: value for key, value in given_.items() if value is not None}
    if ENVIRONMENT in document.get("Parameters", {}):  # a stack of its own: globally unique names do not collide
        found[ENVIRONMENT] = f"g{stack}"
    return found


VALUES: dict[str, str] = {}
"""The parameter values of this module's stacks, made once (their buckets can be created only once)."""


def _cached_values(aws) -> dict[str, str]:
    if not VALUES:
        VALUES.update(_values(aws))
    return VALUES


def test_a_sample_of_generated_cases_deploys(aws, endpoint, tmp_path_factory):
    values = _cached_values(aws)
    folder = tmp_path_factory.mktemp("generated")
    deployed: list[str] = []

    @settings(max_examples=25, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
    @given(architectures(hostile=False))
    def deploys(case: Architecture) -> None:
        assume(all(getattr(service, "min_size", 0) <= MOTO_INSTANCES for service in case.services))
        number = next(STACKS)
        try:
            parameters = _parameters(case, values, number)
        except EmitError:
            assume(False)
            return
        path = Path(folder) / f"{case.name}.yaml"
        path.write_text(case_yaml(case), encoding="utf-8")
        stack = f"generated-{number}"
        _packaged, outcome = api.deploy(path, stack, parameters, ARTIFACTS, out=folder / "out", handlers=HANDLERS,
                                        endpoint_url=endpoint, region="us-east-1")
        assert outcome.status == "CREATE_COMPLETE", (outcome, path.read_text())
        deployed.append(stack)

    deploys()
    assert len(deployed) >= 25  # each example that emitted was deployed, not skipped


def _created(case: Architecture, values: dict[str, str], folder: Path, endpoint: str) -> None:
    """Deploy one case as a stack of its own and assert CloudFormation created it."""
    number = next(STACKS)
    path = folder / f"{case.name}.yaml"
    path.write_text(case_yaml(case), encoding="utf-8")
    _packaged, outcome = api.deploy(path, f"{case.name}-{number}", _parameters(case, values, number), ARTIFACTS,
                                    out=folder / "out", handlers=HANDLERS, endpoint_url=endpoint, region="us-east-1")
    assert outcome.status == "CREATE_COMPLETE", (outcome, path.read_text())


def test_databases_deploy(aws, endpoint, tmp_path_factory):
    """A DB instance and an Aurora cluster that a function and an Auto Scaling group connect to (the sample above may
    draw no database): both stacks are created. moto has no Aurora and gives a DB instance none of the attributes
    the template reads, so the RDS types are stubs (moto_stubs.STUBBED), checked by cfn-lint."""
    values = _cached_values(aws)
    folder = tmp_path_factory.mktemp("databases")
    for engine in ("postgres", "aurora-mysql"):
        case = Architecture.model_validate({"name": f"db-{engine}", "title": "Databases", "services": [
            {"id": "db", "kind": "rds", "engine": engine},
            {"id": "api", "kind": "lambda", "handler": "billing.app.handler", "in_vpc": True},
            {"id": "servers", "kind": "autoscaling-group", "min_size": 1, "max_size": 1}],
            "flows": [{"from": "api", "to": "db", "kind": "connects"}, {"from": "servers", "to": "db", "kind": "connects"}]})
        _created(case, values, folder, endpoint)


def test_caches_and_file_systems_deploy(aws, endpoint, tmp_path_factory):
    """A cache of each engine and a file system that a function and an Auto Scaling group use (the sample above may
    draw neither): the stacks are created. moto's CloudFormation has no ElastiCache, so its types are stubs
    (moto_stubs.STUBBED), checked by cfn-lint; EFS is moto's own."""
    values = _cached_values(aws)
    folder = tmp_path_factory.mktemp("caches")
    for engine, serverless in (("valkey", False), ("memcached", False), ("redis", True)):
        cache = {"id": "cache", "kind": "elasticache", "engine": engine, "serverless": serverless}
        if serverless:
            cache["auth_token"] = False  # a serverless cache authenticates through user groups, which archcase does not emit
        case = Architecture.model_validate({"name": f"cache-{engine}", "title": "Caches", "services": [
            cache,
            {"id": "files", "kind": "efs"},
            {"id": "api", "kind": "lambda", "handler": "billing.app.handler", "in_vpc": True},
            {"id": "servers", "kind": "autoscaling-group", "min_size": 1, "max_size": 1}],
            "flows": [{"from": "api", "to": "cache", "kind": "connects"}, {"from": "servers", "to": "cache", "kind": "connects"},
                      {"from": "api", "to": "files", "kind": "mounts", "access_point": {"root_directory": "/api"}},
                      {"from": "servers", "to": "files", "kind": "mounts"}]})
        _created(case, values, folder, endpoint)


def test_instances_deploy(aws, endpoint, tmp_path_factory):
    """A single instance behind each kind of load balancer, reading a bucket, connecting to a cache and mounting a file
    system (the sample above may draw no instance): the stacks are created, the instance from its launch template in
    moto's EC2, registered with its load balancer."""
    values = _cached_values(aws)
    folder = tmp_path_factory.mktemp("instances")
    for balancer in ("alb", "clb"):
        case = Architecture.model_validate({"name": f"instance-{balancer}", "title": "Instances", "services": [
            {"id": "web", "kind": "ec2-instance"}, {"id": "lb", "kind": balancer}, {"id": "assets", "kind": "s3"},
            {"id": "cache", "kind": "elasticache"}, {"id": "files", "kind": "efs"}],
            "flows": [{"from": "lb", "to": "web", "kind": "targets"}, {"from": "web", "to": "assets", "kind": "reads"},
                      {"from": "web", "to": "cache", "kind": "connects"}, {"from": "web", "to": "files", "kind": "mounts"}]})
        _created(case, values, folder, endpoint)
