"""Every kind of bad case file gets one clear, located message and exit status 2 — never a traceback."""

import pytest

MINIMAL = """
name: t
title: T
services:
  - id: fn
    kind: lambda
    handler: app.handler
"""


@pytest.mark.parametrize(
    ("text", "where", "message", "fix"),
    [
        pytest.param(
            "name: t\ntitle: T\nservices:\n  - id: fn\n    kind: lambda\n   handler: a.b\n",
            ":6:4:", "malformed YAML", "check indentation", id="malformed-yaml",
        ),
        pytest.param(
            "name: t\ntitle: T\nservices:\n  - id: fn\n    kind: lamda\n    handler: a.b\n",
            ":5:11:", "unknown service kind 'lamda'", "did you mean 'lambda'?", id="unknown-kind",
        ),
        pytest.param(
            MINIMAL + "flows:\n  - {from: fn, to: table, kind: reads}\n",
            ":8:20:", "flow to 'table', but there is no service with that id", "declare it under `services`",
            id="missing-service",
        ),
        pytest.param(
            MINIMAL + "  - {id: mail, kind: ses, identity: example.com}\n"
            "flows:\n  - {from: fn, to: mail, kind: writes}\n",
            ":9:32:", "a 'writes' flow cannot go from lambda 'fn' to ses 'mail'", "use kind: sends-email",
            id="bad-pair",
        ),
        pytest.param(
            MINIMAL + "  - {id: fn, kind: sqs}\n",
            ":7:10:", "duplicate service id 'fn'", "unique id", id="duplicate-id",
        ),
        pytest.param(
            MINIMAL + "    memory_mb: lots\n",
            ":7:16:", "'memory_mb' of lambda service 'fn': input should be a valid integer", "Memory size in MB",
            id="wrong-type",
        ),
        pytest.param(
            MINIMAL + "    memroy_mb: 512\n",
            ":7:5:", "unknown field 'memroy_mb' in lambda service 'fn'", "did you mean 'memory_mb'?",
            id="unknown-field",
        ),
        pytest.param(
            MINIMAL + "    runtime: python3.21\n",
            ":7:14:", "'runtime' of lambda service 'fn' is 'python3.21'", "did you mean 'python3.1",
            id="bad-literal",
        ),
        pytest.param(
            "name: t\ntitle: T\nservices:\n  - id: x\n    handler: a.b\n",
            ":4:5:", "service 'x' has no `kind`", "add `kind:`", id="no-kind",
        ),
        pytest.param(
            "name: t\ntitle: T\nservices:\n  - {id: My_Table, kind: sqs}\n",
            ":4:10:", "not a valid identifier", "'my-table'", id="bad-id",
        ),
        pytest.param(
            "name: t\ntitle: T\nname: u\nservices: []\n",
            ":3:1:", "duplicate key 'name' (first given at line 1)", "remove one", id="duplicate-key",
        ),
        pytest.param(
            "name: !!python/object/apply:os.system ['echo pwned']\n",
            ":1:7:", "is not allowed in a case file", "plain data only", id="python-tag",
        ),
        pytest.param("", ":1:1:", "must be a mapping, found an empty file", "`services`", id="empty"),
        pytest.param(
            MINIMAL + "  - {id: tbl, kind: dynamodb, partition_key: {name: pk}, replica_regions: [eu-west-1]}\n",
            ":7:5:", "a global table (replica_regions set) replicates through its stream", "", id="model-rule",
        ),
        pytest.param(
            MINIMAL + "    environment: {A B: x}\n",
            ":7:18:", "'environment' of lambda service 'fn': 'A B' is not a variable name Lambda accepts",
            "", id="environment-name",
        ),
        pytest.param(
            MINIMAL + "    environment: {AWS_REGION: eu-west-1}\n",
            ":7:18:", "'AWS_REGION' is set by the Lambda runtime itself (reserved)", "", id="reserved-environment-name",
        ),
        pytest.param(
            MINIMAL + "  - {id: cache, kind: dax, node_type: dax.t3.smal}\n",
            ":7:39:", "'node_type' of dax service 'cache' is 'dax.t3.smal', not an accepted value",
            "did you mean 'dax.t3.small'", id="dax-node-type",
        ),
        pytest.param(
            MINIMAL + "  - {id: tbl, kind: dynamodb, partition_key: {name: pk}, expected_reads_per_s: .inf}\n",
            ":7:80:", "'expected_reads_per_s' of dynamodb service 'tbl': input should be a finite number", "",
            id="infinite-number",
        ),
        pytest.param(
            MINIMAL + "    log_retention_days: 10\n",
            ":7:25:", "'log_retention_days' of lambda service 'fn' is 10, not an accepted value", "valid: 1, 3, 5",
            id="retention-period",
        ),
    ],
)
def test_bad_case_gets_located_message_and_exit_2(cli, write_case, text, where, message, fix):
    path = write_case(text)
    result = cli("validate", str(path))
    assert result.code == 2
    first = result.err.splitlines()[0]
    assert first.startswith(f"{path}{where} error: ")
    assert message in first
    assert fix in result.err
    assert "Traceback" not in result.err
    assert result.out == ""


def test_all_problems_of_a_file_are_reported_in_line_order(cli, write_case):
    extra = "    memroy_mb: 512\n    timeout_s: 2000\nflows:\n  - {from: fn, to: nope, kind: reads}\n"
    path = write_case(MINIMAL + extra)
    result = cli("validate", str(path))
    lines = [line for line in result.err.splitlines() if ": error: " in line]
    assert [line.split(":")[1] for line in lines] == ["7", "8"]  # field errors first; references after a fix
    assert result.code == 2


def test_missing_path_is_bad_input(cli, tmp_path):
    result = cli("validate", str(tmp_path / "nope.yaml"))
    assert result.code == 2
    assert "no such file or folder" in result.err


def test_non_utf8_file_is_bad_input(cli, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    result = cli("validate", str(path))
    assert result.code == 2
    assert "not UTF-8" in result.err


def test_one_bad_file_fails_the_run_but_every_file_is_checked(cli, write_case):
    good = write_case(MINIMAL, "good.yaml")
    bad = write_case(MINIMAL.replace("lambda", "lamda"), "bad.yaml")
    result = cli("validate", str(good), str(bad))
    assert result.code == 2
    assert str(bad) in result.err and str(good) not in result.err
