"""Benchmark: validate and check synthetic architectures of 1,000 / 10,000 / 50,000 services (about three
flows per service), in memory and as a whole process from a case file (`archcase check FILE`, in the flow
style of the bundled cases, in PyYAML's block style and as JSON); import generated templates of realistic
resources (functions, roles and policies, buckets, tables, queues, topics, event source mappings, log groups,
references between them) of up to CloudFormation's 1 MB, as a whole process; time `archcase check cases/`;
and time importing and checking a folder of CloudFormation templates (`archcase check CORPUS`, one process)
beside cfn-lint and checkov on the same files.

Run: .venv/bin/python tools/benchmark.py [--sizes 1000,10000,50000] [--repeat 3] [--corpus ../shared/corpus]
     .venv/bin/python tools/benchmark.py --startup   (only the start-up figures, a few seconds)
Prints figures; it asserts nothing. Targets: `archcase check` of a 10,000-service case file in under 1 s as a
whole process, 50,000 in under 6x that; import of any template under 1 MB in under 2 s; `archcase check
cases/` under 0.5 s wall.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from archcase.checks.engine import check
from archcase.models import Architecture

REPO = Path(__file__).resolve().parents[1]


def unit(i: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Ten services and thirty flows: a small serverless app (edge, API, functions, data, async)."""
    n = lambda name: f"{name}-{i}"  # noqa: E731
    services = [
        {"id": n("users"), "kind": "browser", "audience": "global"},
        {"id": n("cdn"), "kind": "cloudfront", "waf": True},
        {"id": n("site"), "kind": "s3", "content": "public"},
        {"id": n("pool"), "kind": "cognito-user-pool"},
        {"id": n("api"), "kind": "api-gateway", "expected_reads_per_s": 1000, "expected_writes_per_s": 10,
         "stages": [{"name": "prod", "cache": {"size_gb": 0.5}}]},
        {"id": n("fn"), "kind": "lambda", "handler": "app.handler", "in_vpc": True},
        {"id": n("dax"), "kind": "dax"},
        {"id": n("table"), "kind": "dynamodb", "partition_key": {"name": "pk"}, "stream": "NEW_AND_OLD_IMAGES",
         "replica_regions": ["eu-west-1"], "expected_reads_per_s": 1000, "expected_writes_per_s": 10},
        {"id": n("queue"), "kind": "sqs", "visibility_timeout_s": 60},
        {"id": n("worker"), "kind": "lambda", "handler": "worker.handler"},
    ]
    edges = [
        ("users", "calls", "cdn"), ("cdn", "origin", "site"), ("users", "authenticates", "pool"),
        ("users", "calls", "api"), ("api", "authorizes", "pool"), ("fn", "reads", "dax"), ("fn", "writes", "dax"),
        ("dax", "caches", "table"), ("fn", "enqueues", "queue"), ("queue", "triggers", "worker"),
        ("worker", "writes", "table"), ("worker", "reads", "site"), ("worker", "writes", "site"),
        ("table", "triggers", "worker"), ("worker", "dead-letter", "queue"),
    ]
    flows = [{"from": n(a), "kind": k, "to": n(b)} for a, k, b in edges]
    if i % 7 == 0:  # some units are broken, so findings are made and located too
        flows[3]["protocol"] = "http"
    flows.append({"from": n("api"), "kind": "invokes", "to": n("fn"), "routes": ["GET /items", "POST /items"]})
    flows.append({"from": n("cdn"), "kind": "origin", "to": n("site"), "id": n("cdn-assets"), "access": "oac",
                  "path_pattern": "/assets/*"})
    for j, prefix in enumerate(("a/", "b/", "c/", "d/", "e/", "f/", "g/", "h/", "i/", "j/", "k/", "l/")):
        flows.append({"id": n(f"read-{j}"), "from": n("worker"), "kind": "reads", "to": n("site"), "prefix": prefix})
    return services, flows


def synthetic(size: int) -> dict[str, Any]:
    services: list[dict[str, Any]] = []
    flows: list[dict[str, Any]] = []
    for i in range(size // 10):
        s, f = unit(i)
        services += s
        flows += f
    return {"name": f"synthetic-{size}", "title": f"{size} services", "services": services, "flows": flows}


def case_text(data: dict[str, Any], style: str) -> str:
    """A case file: `flow` writes one `- {...}` line per service and flow, as the bundled cases are written;
    `block` is PyYAML's default style; `json` is JSON."""
    if style == "json":
        return json.dumps(data, indent=1)
    if style == "block":
        return yaml.safe_dump(data, sort_keys=False)
    lines = [f"name: {data['name']}", f"title: {data['title']}", "services:"]
    lines += ["  - " + yaml.safe_dump(s, default_flow_style=True, width=10**6).strip() for s in data["services"]]
    lines += ["flows:"] + ["  - " + yaml.safe_dump(f, default_flow_style=True, width=10**6).strip() for f in data["flows"]]
    return "\n".join(lines) + "\n"


def template(units: int) -> dict[str, Any]:
    """A CloudFormation template of `units` small applications, ten resources each: a bucket notifying a queue,
    a table with a stream, the queue and its dead-letter queue, a topic subscribing the queue, a role with an
    inline policy naming the table, bucket (by ARN), queue and a neighbour's topic, a function reading them all
    from its environment, its event source mapping and its log group."""
    resources: dict[str, Any] = {}
    for i in range(units):
        n, other = f"{i:04d}", f"{(i + 1) % units:04d}"
        resources[f"Bucket{n}"] = {"Type": "AWS::S3::Bucket", "Properties": {
            "BucketName": {"Fn::Sub": f"data-{n}-${{AWS::AccountId}}"}, "VersioningConfiguration": {"Status": "Enabled"},
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]},
            "NotificationConfiguration": {"QueueConfigurations": [{"Event": "s3:ObjectCreated:*",
                                                                   "Queue": {"Fn::GetAtt": [f"Queue{n}", "Arn"]}}]}}}
        resources[f"Table{n}"] = {"Type": "AWS::DynamoDB::Table", "Properties": {
            "BillingMode": "PAY_PER_REQUEST", "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}}}
        resources[f"Queue{n}"] = {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 180, "RedrivePolicy": {
            "deadLetterTargetArn": {"Fn::GetAtt": [f"Dlq{n}", "Arn"]}, "maxReceiveCount": 5}}}
        resources[f"Dlq{n}"] = {"Type": "AWS::SQS::Queue"}
        resources[f"Topic{n}"] = {"Type": "AWS::SNS::Topic", "Properties": {"Subscription": [
            {"Protocol": "sqs", "Endpoint": {"Fn::GetAtt": [f"Queue{n}", "Arn"]}}]}}
        resources[f"Role{n}"] = {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "ManagedPolicyArns": ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
            "Policies": [{"PolicyName": "access", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
                 "Resource": [{"Fn::GetAtt": [f"Table{n}", "Arn"]}, {"Fn::Sub": f"${{Table{n}.Arn}}/index/*"}]},
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                 "Resource": {"Fn::Sub": f"arn:aws:s3:::data-{n}-${{AWS::AccountId}}/uploads/*"}},
                {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": {"Fn::GetAtt": [f"Queue{n}", "Arn"]}},
                {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": {"Ref": f"Topic{other}"}}]}}]}}
        resources[f"Function{n}"] = {"Type": "AWS::Lambda::Function", "Properties": {
            "Handler": "app.handler", "Runtime": "python3.12", "MemorySize": 512, "Timeout": 30, "TracingConfig": {"Mode": "Active"},
            "Role": {"Fn::GetAtt": [f"Role{n}", "Arn"]}, "Code": {"S3Bucket": "artifacts", "S3Key": f"fn-{n}.zip"},
            "Environment": {"Variables": {"TABLE": {"Ref": f"Table{n}"}, "BUCKET": {"Ref": f"Bucket{n}"}, "QUEUE": {"Ref": f"Queue{n}"},
                                          "TOPIC": {"Ref": f"Topic{other}"}, "MODE": "production", "LOG_LEVEL": "INFO"}}}}
        resources[f"Mapping{n}"] = {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "FunctionName": {"Ref": f"Function{n}"}, "EventSourceArn": {"Fn::GetAtt": [f"Queue{n}", "Arn"]}, "BatchSize": 10,
            "FunctionResponseTypes": ["ReportBatchItemFailures"]}}
        resources[f"Logs{n}"] = {"Type": "AWS::Logs::LogGroup", "Properties": {
            "LogGroupName": {"Fn::Sub": f"/aws/lambda/${{Function{n}}}"}, "RetentionInDays": 30}}
    return {"AWSTemplateFormatVersion": "2010-09-09", "Description": "generated", "Resources": resources}


def sized_template(limit: int, style: str) -> str:
    """The largest generated template whose text (YAML or JSON) stays under `limit` bytes."""
    units, text = 10, ""
    while True:
        candidate = json.dumps(template(units), indent=1) if style == "json" else yaml.safe_dump(template(units), sort_keys=False)
        if len(candidate.encode()) > limit:
            return text
        text, units = candidate, units + 10


def best(fn, repeat: int) -> tuple[float, Any]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"), help="folder of templates")
    parser.add_argument("--startup", action="store_true", help="only the start-up figures")
    args = parser.parse_args()
    if args.startup:
        startup()
        return
    print(f"python {sys.version.split()[0]}, best of {args.repeat}")
    print(f"{'services':>9} {'flows':>7} {'validate s':>11} {'check s':>9} {'findings':>9}")
    checked: dict[int, float] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        data = synthetic(size)
        validate_s, architecture = best(lambda: Architecture.model_validate(data), args.repeat)  # noqa: B023
        check_s, report = best(lambda: check(architecture), args.repeat)  # noqa: B023
        checked[size] = check_s
        print(f"{size:>9} {len(data['flows']):>7} {validate_s:>11.3f} {check_s:>9.3f} {len(report.findings):>9}")
    if 10000 in checked and 50000 in checked:
        print(f"growth 10,000 -> 50,000 services: {checked[50000] / checked[10000]:.1f}x (linear is 5x)")
    archcase = str(Path(sys.executable).parent / "archcase")
    with tempfile.TemporaryDirectory() as folder:
        print("archcase check FILE (whole process, from the file; best of the runs):")
        print(f"{'services':>9} {'flows':>7} {'style':>6} {'MB':>6} {'seconds':>8}")
        whole: dict[tuple[int, str], float] = {}
        for size in (int(s) for s in args.sizes.split(",")):
            data = synthetic(size)
            for style in ("flow", "block", "json"):
                path = Path(folder) / f"case-{size}.{'json' if style == 'json' else 'yaml'}"
                path.write_text(case_text(data, style), encoding="utf-8")
                seconds, code = timed([archcase, "check", str(path)], args.repeat)
                whole[(size, style)] = seconds
                print(f"{size:>9} {len(data['flows']):>7} {style:>6} {path.stat().st_size / 1e6:>6.1f} {seconds:>8.2f}  exit {code}")
        for style in ("flow", "block", "json"):
            if (10000, style) in whole and (50000, style) in whole:
                growth = whole[(50000, style)] / whole[(10000, style)]
                print(f"growth 10,000 -> 50,000 services ({style}): {growth:.1f}x (target at most 6x)")
        print("archcase import TEMPLATE (whole process; generated templates of realistic resources):")
        for limit in (250_000, 1_000_000):
            for style in ("yaml", "json"):
                text = sized_template(limit, style)
                path = Path(folder) / f"template-{limit}.{style}"
                path.write_text(text, encoding="utf-8")
                resources = len(yaml.safe_load(text)["Resources"])
                seconds, code = timed([archcase, "import", str(path)], args.repeat)
                print(f"  {style:>4} {len(text.encode()) / 1e6:>5.2f} MB {resources:>5} resources {seconds:>7.2f} s  exit {code}")
    startup()
    corpus = Path(args.corpus)
    if corpus.is_dir():
        compare(corpus, args.repeat)
    else:
        print(f"no template folder at {corpus}: import figures skipped")


def startup(runs: int = 10) -> None:
    """Start-up as users feel it: `archcase --version` (the interpreter and the command line, nothing else) and
    `archcase check cases/` (the six bundled cases through every rule), as whole processes, with byte-code
    caching on as in an ordinary install."""
    archcase = str(Path(sys.executable).parent / "archcase")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for command in ([archcase, "--version"], [archcase, "check", "cases/"]):
        subprocess.run(command, cwd=REPO, capture_output=True, check=False, env=env)  # warm the byte-code cache
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(command, cwd=REPO, capture_output=True, check=False, env=env)
            times.append(time.perf_counter() - start)
        name = " ".join(["archcase", *command[1:]])
        print(f"{name + ' (whole process):':<44} best {min(times):.3f} s, median {statistics.median(times):.3f} s")


def timed(command: list[str], repeat: int) -> tuple[float, int]:
    """Best wall time of a whole process, and its exit status."""
    runs, code = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        code = subprocess.run(command, cwd=REPO, capture_output=True, check=False).returncode
        runs.append(time.perf_counter() - start)
    return min(runs), code


def compare(corpus: Path, repeat: int) -> None:
    """archcase (import + check), cfn-lint and checkov over the same templates, each as one process."""
    files = sorted(str(p) for p in corpus.iterdir() if p.suffix in (".yaml", ".yml", ".json", ".template"))
    bin_dir = Path(sys.executable).parent
    tools = [("archcase check (import + check)", [str(bin_dir / "archcase"), "check", str(corpus)], repeat),
             ("cfn-lint", [str(bin_dir / "cfn-lint"), *files], 1)]
    checkov = REPO / ".venv" / "checkov" / "bin" / "checkov"
    if checkov.exists():
        tools.append(("checkov", [str(checkov), "--quiet", "--compact", "--framework", "cloudformation", "-d", str(corpus)], 1))
    print(f"{len(files)} templates in {corpus} (one process each tool; archcase best of {repeat}, the others one run):")
    for name, command, runs in tools:
        seconds, code = timed(command, runs)
        print(f"  {name:<34} {seconds:>7.2f} s  exit {code}")


if __name__ == "__main__":
    main()
