"""Package and deploy every bundled case to a local AWS endpoint (moto_server), then look at what was created.

moto creates tables, buckets, queues, topics, streams, functions (with the uploaded code), roles and their
policies, load balancers, security groups and Auto Scaling groups; the resource types in
`moto_stubs.STUBBED` are accepted without being emulated and are checked by cfn-lint and checkov only.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from archcase.api import bundled_cases, load_cases
from archcase.render.cloudformation.emit import template

from ..conftest import CASES, REPO

SIX = sorted(path.stem for path in bundled_cases())
ARTIFACTS = "archcase-artifacts"


@pytest.fixture(scope="module")
def environment(aws):
    """What the templates take as parameters: the artifact bucket, a VPC with subnets, a signing key, a
    certificate and a bucket for load balancer logs."""
    s3 = aws("s3")
    s3.create_bucket(Bucket=ARTIFACTS)
    s3.create_bucket(Bucket="elb-logs")
    ec2 = aws("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]][:2]
    public_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    certificate = aws("acm").request_certificate(DomainName="updates.example.com")["CertificateArn"]
    return {"VpcId": vpc, "SubnetIds": ",".join(subnets), "ContentCdnPublicKeyPem": public_key,
            "UpdatesLbCertificateArn": certificate, "UpdatesLbLogBucket": "elb-logs",
            "CatalogLbCertificateArn": certificate, "CatalogLbLogBucket": "elb-logs"}


def parameters_for(name: str, environment: dict[str, str]) -> list[str]:
    """`--parameter` options for every template parameter without a default (the artifact bucket aside)."""
    (case,) = load_cases([CASES / f"{name}.yaml"])
    document = template(case.architecture, REPO / "handlers")
    wanted = [key for key, spec in document.get("Parameters", {}).items() if "Default" not in spec and key != "ArtifactBucket"]
    missing = [key for key in wanted if key not in environment]
    assert not missing, f"the test environment gives no value for {missing}"
    return [arg for key in wanted for arg in ("--parameter", f"{key}={environment[key]}")]


@pytest.fixture(scope="module")
def deployed(cli_module, endpoint, environment, tmp_path_factory):
    """Every bundled case deployed once: name -> (exit code, stdout, stderr, out folder)."""
    out = tmp_path_factory.mktemp("deploy")
    results = {}
    for name in SIX:
        results[name] = (*cli_module("deploy", str(CASES / f"{name}.yaml"), "--stack-name", f"archcase-{name}",
                                     "--bucket", ARTIFACTS, "--endpoint-url", endpoint, "--out", str(out),
                                     *parameters_for(name, environment)), out)
    return results


@pytest.fixture(scope="module")
def cli_module():
    """The CLI in-process, capturing output without pytest's function-scoped capsys."""
    import contextlib

    from archcase.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
        return code, out.getvalue(), err.getvalue()

    return run


@pytest.mark.parametrize("name", SIX)
def test_each_case_deploys_to_create_complete(deployed, aws, name):
    code, out, err, _folder = deployed[name]
    assert code == 0, err[-3000:]
    assert f"archcase-{name}: CREATE_COMPLETE" in out
    assert "CREATE_COMPLETE" in err  # stack events were shown as they arrived
    status = aws("cloudformation").describe_stacks(StackName=f"archcase-{name}")["Stacks"][0]["StackStatus"]
    assert status == "CREATE_COMPLETE"


def physical(aws, name: str, logical_id: str) -> str:
    resource = aws("cloudformation").describe_stack_resource(StackName=f"archcase-{name}", LogicalResourceId=logical_id)
    return resource["StackResourceDetail"]["PhysicalResourceId"]


def test_functions_run_the_uploaded_code(deployed, aws):
    _code, _out, _err, folder = deployed["myblog"]
    for function, package in (("WelcomeEmail", "welcome_email"), ("Thumbnailer", "thumbnail"), ("BlogFunction", "blog_api")):
        configuration = aws("lambda").get_function(FunctionName=physical(aws, "myblog", function))["Configuration"]
        (zip_path,) = (folder / "myblog" / "handlers").glob(f"{package}-*.zip")
        expected = base64.b64encode(hashlib.sha256(zip_path.read_bytes()).digest()).decode()
        assert configuration["CodeSha256"] == expected
        assert configuration["Handler"] == f"{package}.app.handler"
        with zipfile.ZipFile(zip_path) as archive:
            assert {f"{package}/app.py", "handler_kit/__init__.py"} <= set(archive.namelist())


def test_tables_have_their_keys_and_streams(deployed, aws):
    table = aws("dynamodb").describe_table(TableName=physical(aws, "myblog", "Users"))["Table"]
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    todos = aws("dynamodb").describe_table(TableName=physical(aws, "mytodolist", "Todos"))["Table"]
    assert [k["KeyType"] for k in todos["KeySchema"]] == ["HASH", "RANGE"]


def test_buckets_are_named_per_environment_and_encrypted(deployed, aws):
    """(moto's CloudFormation does not apply a bucket's VersioningConfiguration; cfn-lint and the golden
    templates cover it.)"""
    bucket = physical(aws, "myblog", "Photos")
    assert bucket.startswith("dev-myblog-photos-")
    rules = aws("s3").get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_queues_topics_and_streams_exist_with_their_settings(deployed, aws):
    queue_url = physical(aws, "microservices", "ShippingQueue")
    attributes = aws("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    assert json.loads(attributes["RedrivePolicy"])["maxReceiveCount"] > 0
    topic = physical(aws, "microservices", "OrderEvents")
    assert topic in [t["TopicArn"] for t in aws("sns").list_topics()["Topics"]]
    stream = aws("kinesis").describe_stream_summary(StreamName=physical(aws, "big-data-ingestion", "IngestStream"))
    assert stream["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE"


def test_roles_carry_the_policies_derived_from_the_flows(deployed, aws):
    role = physical(aws, "myblog", "ThumbnailerRole")
    names = aws("iam").list_role_policies(RoleName=role)["PolicyNames"]
    assert names == ["ThumbnailerRolePolicy"]
    document = aws("iam").get_role_policy(RoleName=role, PolicyName=names[0])["PolicyDocument"]
    actions = {a for s in document["Statement"] for a in s["Action"]}
    assert {"s3:GetObject", "s3:PutObject", "sqs:SendMessage", "logs:PutLogEvents"} <= actions
    assert not any("*" in a for a in actions)


def test_a_second_deploy_uploads_nothing_and_changes_nothing(deployed, cli_module, endpoint, environment):
    code, out, err = cli_module("deploy", str(CASES / "paid-content.yaml"), "--stack-name", "archcase-paid-content",
                                "--bucket", ARTIFACTS, "--endpoint-url", endpoint,
                                "--out", str(deployed["paid-content"][3]), *parameters_for("paid-content", environment))
    assert code == 0, err
    assert "uploaded" not in out.replace("unchanged", "")


def test_package_twice_gives_the_same_zips_and_uploads_nothing(cli_module, endpoint, aws, tmp_path):
    aws("s3").create_bucket(Bucket="package-twice")
    first = cli_module("package", str(CASES / "big-data-ingestion.yaml"), "--bucket", "package-twice",
                       "--endpoint-url", endpoint, "--out", str(tmp_path / "a"))
    second = cli_module("package", str(CASES / "big-data-ingestion.yaml"), "--bucket", "package-twice",
                        "--endpoint-url", endpoint, "--out", str(tmp_path / "b"))
    assert first[0] == second[0] == 0
    assert "uploaded s3://" in first[1] and "uploaded s3://" not in second[1]
    for zip_path in (tmp_path / "a" / "big-data-ingestion" / "handlers").glob("*.zip"):
        assert zip_path.read_bytes() == (tmp_path / "b" / "big-data-ingestion" / "handlers" / zip_path.name).read_bytes()
    assert (tmp_path / "a" / "big-data-ingestion" / "packaged.yaml").read_text().count("Default: package-twice") == 1


def test_a_failing_stack_exits_non_zero_with_the_resources_reason(cli_module, endpoint, environment, tmp_path):
    code, _out, err = cli_module("deploy", str(CASES / "software-updates.yaml"), "--stack-name", "archcase-bad-cert",
                                 "--bucket", ARTIFACTS, "--endpoint-url", endpoint, "--out", str(tmp_path / "out"),
                                 "--parameter", f"VpcId={environment['VpcId']}",
                                 "--parameter", f"SubnetIds={environment['SubnetIds']}",
                                 "--parameter", "UpdatesLbCertificateArn=arn:aws:acm:us-east-1:123456789012:certificate/missing",
                                 "--parameter", "UpdatesLbLogBucket=elb-logs", "--parameter", "Environment=failing")
    assert code != 0
    assert "error:" in err and ("certificate" in err.lower() or "Certificate" in err)


def test_without_credentials_the_message_says_how_to_configure_them(cli_module, endpoint, monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code, _out, err = cli_module("package", str(CASES / "paid-content.yaml"), "--bucket", ARTIFACTS,
                                 "--endpoint-url", endpoint, "--out", str(tmp_path / "out"))
    assert code == 2
    assert "configure AWS credentials" in err
