"""Every rule, shown compliant and non-compliant on the bundled cases.

Each row breaks one bundled case in one small way (removing the OAI, dropping DAX from a read-heavy
table, serving paid content by S3 presigned URL, making the API HTTP, removing a DLQ, ...) and names
exactly the rules that must then fire: no fewer, and no others. The unbroken case is the compliant
example, and the rule must actually look at something in it (it applies), unless the row gives a
compliant variant of its own.
"""

from __future__ import annotations

import pytest

from archcase.checks.catalogue import RULES, UNUSED_SUPPRESSION
from archcase.checks.engine import check

from .mutations import NULL, add, add_service, drop, flow, svc, variant

T, B, M, P, U, D = "mytodolist", "myblog", "microservices", "paid-content", "software-updates", "big-data-ingestion"

DIRECT_PUT = [add_service(id="clicks", kind="firehose", encryption=True), add("devices", "puts-records", "clicks"),
              add("clicks", "delivers", "ingestion-bucket", prefix="clicks/")]
"""The big-data case with a second delivery stream, which the devices write to directly."""

WORKFLOW = [add_service(id="order-flow", kind="step-functions"), add("orders-function", "starts", "order-flow"),
            add("order-flow", "writes", "invoices")]
"""The microservices case with a state machine the orders function starts, which writes invoices."""

HTTP_API = [add_service(id="todo-http", kind="http-api"), add("todo-http", "invokes", "todo-function", routes=["GET /v2/todos"]),
            add("todo-http", "authorizes", "user-pool")]
"""The to-do case with an HTTP API beside its REST API, authorized by the user pool."""

DATABASE = [add_service(id="orders-db", kind="rds"), add("orders-function", "connects", "orders-db"), svc("orders-function", in_vpc=True)]
"""The microservices case with a relational database the orders function connects to."""

CACHE = [add_service(id="sessions", kind="elasticache"), add("orders-function", "connects", "sessions"),
         svc("orders-function", in_vpc=True)]
"""The microservices case with a Valkey cache the orders function connects to."""

SHARED_FILES = [add_service(id="shared", kind="efs"), svc("orders-function", in_vpc=True), svc("billing-function", in_vpc=True),
                add("orders-function", "mounts", "shared", access_point={"root_directory": "/orders"}),
                add("billing-function", "mounts", "shared", access_point={"root_directory": "/billing"})]
"""The microservices case with a file system two functions mount, each through its own access point."""

SECRET = [add_service(id="payment-key", kind="secret"), add_service(id="key-rotator", kind="lambda", handler="rotate.app.handler"),
          add("payment-key", "invokes", "key-rotator"), add("billing-function", "reads", "payment-key")]
"""The microservices case with a payment provider's key the billing function reads at run time, rotated by a function."""

EVENT_RULE = [add_service(id="nightly", kind="eventbridge-rule", schedule="rate(1 day)"), add("nightly", "invokes", "billing-function"),
              add("nightly", "dead-letter", "shipping-dlq")]
"""The microservices case with a scheduled rule that invokes the billing function, failed events kept in the DLQ."""

CONTAINERS = [add_service(id="shop-service", kind="ecs-service"), add("shop-service", "enqueues", "shipping-queue")]
"""The microservices case with an ECS service on Fargate that enqueues shipments."""
ON_EC2 = [*CONTAINERS, svc("shop-service", launch_type="ec2")]
"""The same, its tasks on the cluster's EC2 instances."""

# rule id: (case, non-compliant edits, rules expected to fire, compliant edits or None for the case as it is)
CASES = {
    "AC101": (B, [flow("blog-cdn", "origin", "site-content", access="none")], {"AC101"}, None),
    "AC102": (B, [svc("site-content", block_public_access=False)], {"AC102", "AC401"}, None),
    "AC103": (T, [svc("user-files", website_hosting=True, block_public_access=False)], {"AC103", "AC401"}, None),
    "AC104": (B, [svc("blog-cdn", viewer_protocol="allow-all")], {"AC104"}, None),
    "AC105": (B, [svc("blog-cdn", min_tls="TLSv1_2016")], {"AC105"}, None),
    "AC106": (U, [flow("updates-cdn", "origin", "updates-lb", protocol="http")], {"AC106"}, None),
    "AC107": (B, [svc("blog-cdn", access_logging=False)], {"AC107"}, None),
    "AC108": (B, [svc("blog-cdn", waf=False)], {"AC108"}, None),
    "AC109": (P, [svc("content-cdn", signed_urls=None)], {"AC109"}, None),
    "AC110": (P, [drop("url-signer", "signs", "content-cdn"), add("url-signer", "signs", "premium-content")],
              {"AC110", "AC112"}, None),
    "AC111": (P, [drop("content-cdn", "origin", "premium-content")], {"AC111"}, None),
    "AC112": (P, [drop("url-signer", "signs", "content-cdn")], {"AC112"}, None),
    "AC113": (P, [flow("url-signer", "signs", "content-cdn", expires_s=86400)], {"AC113"}, None),
    "AC114": (B, [drop("readers", "calls", "blog-cdn")], {"AC114"}, None),
    "AC115": (B, [svc("posts", replica_regions=[])], {"AC115"}, None),
    "AC116": (U, [drop("updates-cdn", "origin", "updates-lb")], {"AC116"}, None),
    "AC117": (U, [svc("updates-cdn", default_ttl_s=0)], {"AC117"}, None),
    "AC118": (P, [drop("url-signer", "reads", "premium-users")], {"AC118"}, None),
    "AC201": (T, [drop("todo-api", "authorizes", "user-pool")], {"AC201", "AC202"}, None),
    "AC202": (T, [drop("mobile-app", "authenticates", "user-pool")], {"AC202"}, None),
    "AC203": (T, [svc("todo-api", access_logging=False)], {"AC203"}, None),
    "AC204": (T, [svc("todo-api", tracing=False)], {"AC204"}, None),
    "AC205": (T, [svc("todo-api", stages=[{"name": "prod"}])], {"AC205"}, None),
    "AC206": (T, [svc("todo-api", stages=[{"name": "prod", "cache": {"encrypted": False}}])], {"AC206"}, None),
    "AC207": (T, [svc("todo-api", min_tls="TLS_1_0")], {"AC207"}, None),
    "AC208": (T, [flow("mobile-app", "calls", "todo-api", protocol="http")], {"AC208"}, None),
    "AC209": (M, [svc("catalog-lb", listeners=[{"protocol": "HTTP", "port": 80}])], {"AC209"}, None),
    "AC210": (M, [svc("catalog-lb", tls_policy="ELBSecurityPolicy-2016-08")], {"AC210"}, None),
    "AC211": (M, [svc("catalog-lb", access_logging=False)], {"AC211"}, None),
    "AC212": (M, [svc("catalog-lb", drop_invalid_headers=False)], {"AC212"}, None),
    "AC213": (U, [svc("updates-lb", kind="clb")], {"AC213"}, None),
    "AC214": (M, [svc("catalog-servers", availability_zones=1)], {"AC214"}, None),
    "AC215": (M, [svc("catalog-lb", deletion_protection=False)], {"AC215"}, None),
    "AC216": (M, [flow("orders-api", "invokes", "orders-function", routes=None)], {"AC216"}, None),
    "AC217": (T, [*HTTP_API, svc("todo-http", access_logging=False)], {"AC217"}, HTTP_API),
    "AC218": (T, [*HTTP_API, drop("todo-http", "authorizes", "user-pool")], {"AC218"}, HTTP_API),
    "AC219": (T, [*HTTP_API, svc("todo-http", throttle_rate_per_s=NULL)], {"AC219"}, HTTP_API),
    "AC301": (T, [svc("todo-function", runtime="python3.9")], {"AC301"}, None),
    "AC302": (T, [svc("todo-function", tracing=False)], {"AC302"}, None),
    "AC303": (B, [drop("welcome-email", "dead-letter", "welcome-email-dlq")], {"AC303", "AC608"}, None),
    "AC304": (D, [svc("new-data", visibility_timeout_s=60)], {"AC304"}, None),
    "AC305": (M, [flow("shipping-queue", "triggers", "shipping-worker", report_batch_item_failures=False)], {"AC305"}, None),
    "AC306": (B, [flow("thumbnailer", "writes", "photos", prefix="uploads/thumbs/")], {"AC306"}, None),
    "AC307": (T, [svc("todo-function", in_vpc=False)], {"AC307"}, None),
    "AC308": (T, [svc("todo-function", timeout_s=60)], {"AC308"}, None),
    "AC309": (U, [svc("update-servers", imdsv2_required=False)], {"AC309"}, None),
    "AC310": (U, [svc("update-servers", ebs_encrypted=False)], {"AC310"}, None),
    "AC311": (M, [drop("orders-api", "invokes", "orders-function")], {"AC311"}, None),
    "AC401": (T, [svc("user-files", block_public_access=False)], {"AC401"}, None),
    "AC402": (T, [svc("user-files", enforce_tls=False)], {"AC402"}, None),
    "AC403": (T, [svc("user-files", versioning=False)], {"AC403"}, None),
    "AC404": (T, [svc("user-files", access_logging=False)], {"AC404"}, None),
    "AC405": (T, [svc("todos", point_in_time_recovery=False)], {"AC405"}, None),
    "AC406": (T, [svc("todos", encryption="aws-owned")], {"AC406"}, None),
    "AC407": (T, [svc("todos", deletion_protection=False)], {"AC407"}, None),
    "AC408": (T, [add("todo-function", "reads", "todos")], {"AC408"}, None),
    "AC409": (T, [svc("todo-cache", encryption_at_rest=False)], {"AC409"}, None),
    "AC410": (T, [svc("todo-cache", tls_in_transit=False)], {"AC410"}, None),
    "AC411": (T, [svc("todo-cache", nodes=1)], {"AC411"}, None),
    "AC412": (B, [svc("users", stream=None, replica_regions=[])], {"AC412", "AC115", "AC606"}, None),
    "AC413": (T, [drop("todo-cache", "caches", "todos")], {"AC413", "AC408"}, None),
    "AC501": (T, [svc("user-pool", password_min_length=6)], {"AC501"}, None),
    "AC502": (T, [svc("user-pool", mfa="off")], {"AC502"}, None),
    "AC503": (T, [svc("user-pool", advanced_security=False)], {"AC503"}, None),
    "AC504": (T, [svc("identity-pool", allow_unauthenticated=True)], {"AC504"}, None),
    "AC505": (T, [svc("identity-pool", classic_flow=True)], {"AC505"}, None),
    "AC506": (T, [drop("identity-pool", "assumes-role", "sts")], {"AC506"}, None),
    "AC507": (T, [drop("identity-pool", "grants", "user-files")], {"AC507", "AC510"}, None),
    "AC508": (T, [add("mobile-app", "reads", "todos")], {"AC508", "AC408"},
              [add("mobile-app", "reads", "todos"), drop("todo-function", "reads", "todo-cache"),
               add("identity-pool", "grants", "todos", actions=["dynamodb:Query"], scope="user"),
               svc("todos", expected_reads_per_s=None)]),
    "AC509": (T, [flow("identity-pool", "grants", "user-files", scope="all")], {"AC509", "AC507", "AC510"}, None),
    "AC510": (T, [drop("identity-pool", "grants", "user-files"), drop("mobile-app", "reads", "user-files"),
                  drop("mobile-app", "writes", "user-files")], {"AC510"}, None),
    "AC601": (M, [svc("shipping-queue", encryption="none")], {"AC601"}, None),
    "AC602": (M, [drop("shipping-queue", "dead-letter", "shipping-dlq")], {"AC602", "AC608"}, None),
    "AC603": (M, [svc("shipping-dlq", retention_s=60)], {"AC603"}, None),
    "AC604": (M, [svc("order-events", encryption=False)], {"AC604"}, None),
    "AC605": (M, [drop("order-events", "subscribes", "shipping-queue"), drop("order-events", "subscribes", "billing-function")],
              {"AC605", "AC608", "AC311"}, None),
    "AC606": (B, [svc("users", stream="KEYS_ONLY", replica_regions=[])], {"AC606", "AC115"}, None),
    "AC607": (B, [svc("email", dkim=False)], {"AC607"}, None),
    "AC608": (B, [add_service(id="spare-queue", kind="sqs")], {"AC608"}, None),
    "AC609": (M, [*EVENT_RULE, drop("nightly", "dead-letter", "shipping-dlq")], {"AC609"}, EVENT_RULE),
    "AC701": (D, [svc("ingest-stream", encryption=False)], {"AC701"}, None),
    # a delivery stream fed by Kinesis takes its source's encryption: AC702 is about one devices write to directly
    "AC805": (T, [svc("todo-function", broad_permissions=["dynamodb:* on *"])], {"AC805"}, None),
    "AC702": (D, [*DIRECT_PUT, svc("clicks", encryption=False)], {"AC702"}, DIRECT_PUT),
    "AC703": (D, [drop("delivery", "delivers", "ingestion-bucket")], {"AC703"}, None),
    "AC704": (D, [drop("ingest-stream", "delivers", "delivery")], {"AC704"}, None),
    "AC705": (D, [drop("analytics", "writes", "reporting-bucket"), add("analytics", "writes", "ingestion-bucket", prefix="reports/")],
              {"AC705"}, None),
    "AC706": (D, [svc("analytics", enforce_workgroup_configuration=False)], {"AC706"}, None),
    "AC707": (D, [svc("analytics", results_encryption="none")], {"AC707"}, None),
    "AC708": (D, [svc("analytics", bytes_scanned_cutoff=NULL)], {"AC708"}, None),
    "AC709": (D, [svc("delivery", compression="UNCOMPRESSED")], {"AC709"}, None),
    "AC710": (D, [svc("transform", timeout_s=10)], {"AC710"}, None),
    "AC420": (M, [*DATABASE, svc("orders-db", encrypted_at_rest=False)], {"AC420"}, DATABASE),
    "AC421": (M, [*DATABASE, svc("orders-db", publicly_accessible=True)], {"AC421"}, DATABASE),
    "AC422": (M, [*DATABASE, svc("orders-db", multi_az=False)], {"AC422"}, DATABASE),
    "AC423": (M, [*DATABASE, svc("orders-db", backup_retention_days=1)], {"AC423"}, DATABASE),
    "AC424": (M, [*DATABASE, svc("orders-db", deletion_protection=False)], {"AC424"}, DATABASE),
    "AC425": (M, [*DATABASE, svc("orders-db", iam_authentication=False)], {"AC425"}, DATABASE),
    "AC426": (M, [*DATABASE, svc("orders-db", auto_minor_version_upgrade=False)], {"AC426"}, DATABASE),
    "AC427": (M, [*DATABASE, svc("orders-function", in_vpc=False)], {"AC427"}, DATABASE),
    "AC430": (M, [*CACHE, svc("sessions", encrypted_at_rest=False)], {"AC430"}, CACHE),
    "AC431": (M, [*CACHE, svc("sessions", tls_in_transit=False, auth_token=False)], {"AC431", "AC432"}, CACHE),
    "AC432": (M, [*CACHE, svc("sessions", auth_token=False)], {"AC432"}, CACHE),
    "AC433": (M, [*CACHE, svc("sessions", multi_az=False)], {"AC433"}, CACHE),
    "AC434": (M, [*CACHE, svc("sessions", snapshot_retention_days=0)], {"AC434"}, CACHE),
    "AC440": (M, [*SHARED_FILES, svc("shared", encrypted_at_rest=False)], {"AC440"}, SHARED_FILES),
    "AC441": (M, [*SHARED_FILES, svc("shared", backups=False)], {"AC441"}, SHARED_FILES),
    "AC442": (M, [*SHARED_FILES, flow("billing-function", "mounts", "shared", access_point={"root_directory": "/"})], {"AC442"},
              SHARED_FILES),
    "AC435": (M, [*CACHE, svc("orders-function", in_vpc=False)], {"AC435"}, CACHE),
    "AC320": (M, [*CONTAINERS, svc("shop-service", logging=False)], {"AC320"}, CONTAINERS),
    "AC321": (M, [*ON_EC2, svc("shop-service", privileged=True)], {"AC321"}, ON_EC2),
    "AC322": (M, [*CONTAINERS, svc("shop-service", read_only_root_filesystem=False)], {"AC322"}, CONTAINERS),
    "AC323": (M, [*CONTAINERS, svc("shop-service", public_ip=True)], {"AC323"}, CONTAINERS),
    "AC324": (M, [*CONTAINERS, svc("shop-service", container_insights=False)], {"AC324"}, CONTAINERS),
    "AC511": (M, [SECRET[0], SECRET[3], svc("payment-key", rotation=False)], {"AC511"},
              SECRET),
    "AC512": (M, [*SECRET, svc("payment-key", rotation_days=365)], {"AC512"}, SECRET),
    "AC513": (M, [*SECRET, svc("payment-key", resource_policy="public")], {"AC513", "AC514"},
              [*SECRET, svc("payment-key", resource_policy="restricted", encryption="customer-managed")]),
    "AC514": (M, [*SECRET, svc("payment-key", resource_policy="restricted")], {"AC514"},
              [*SECRET, svc("payment-key", resource_policy="restricted", encryption="customer-managed")]),
    "AC515": (M, [*SECRET, add("orders-function", "resolves", "payment-key", into="environment")], {"AC515"},
              [*SECRET, add("orders-function", "resolves", "payment-key", into="settings")]),
    "AC901": (M, [*WORKFLOW, svc("order-flow", logging_level="OFF")], {"AC901"}, WORKFLOW),
    "AC902": (M, [*WORKFLOW, svc("order-flow", tracing=False)], {"AC902"}, WORKFLOW),
    "AC801": (T, [flow("identity-pool", "grants", "user-files", actions=["s3:*"])], {"AC801"}, None),
    "AC802": (T, [flow("identity-pool", "grants", "user-files", actions=["s3:GetObject", "s3:PutBucketPolicy"])],
              {"AC802"}, None),
    "AC803": (T, [drop("mobile-app", "writes", "user-files")], {"AC803"}, None),
    "AC804": (T, [add("mobile-app", "reads", "todos"), drop("todo-function", "reads", "todo-cache"),
                  add("identity-pool", "grants", "todos", actions=["dynamodb:Query", "dynamodb:Scan"], scope="user"),
                  svc("todos", expected_reads_per_s=None)], {"AC804"},
              [add("mobile-app", "reads", "todos"), drop("todo-function", "reads", "todo-cache"),
               add("identity-pool", "grants", "todos", actions=["dynamodb:Query"], scope="user"),
               svc("todos", expected_reads_per_s=None)]),
}

NEVER_COMPLIANT_WHEN_APPLICABLE = {"AC213"}  # "use an ALB": a Classic Load Balancer always fails it


def fired(architecture) -> set[str]:
    return {f.rule_id for f in check(architecture).findings if f.status == "fail" and not f.suppressed}


def test_every_rule_has_examples():
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires_exactly_as_expected_on_a_broken_variant(rule_id):
    case, edits, expected, _ = CASES[rule_id]
    assert rule_id in expected
    assert fired(variant(case, *edits)) == expected


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_passes_on_the_compliant_example(rule_id):
    case, _, _, compliant = CASES[rule_id]
    report = check(variant(case, *(compliant or [])))
    assert [f.message for f in report.findings if f.rule_id == rule_id and not f.suppressed] == []
    if rule_id not in NEVER_COMPLIANT_WHEN_APPLICABLE:
        assert report.applicable[rule_id] > 0, f"{rule_id} does not apply to anything in the compliant example"


def test_unused_suppression_is_reported():
    report = check(variant(U, svc("updates-cdn", waf=True)))
    (finding,) = [f for f in report.findings if not f.suppressed]
    assert (finding.rule_id, finding.target) == (UNUSED_SUPPRESSION, "updates-cdn")
    assert "matches no finding" in finding.message


def test_an_edge_function_is_not_asked_for_xray_tracing():
    from archcase.models import Architecture

    def case(invoker: dict) -> Architecture:
        return Architecture.model_validate({"name": "t", "title": "t", "services": [
            invoker, {"id": "fn", "kind": "lambda", "handler": "todo_api", "tracing": False}],
            "flows": [{"from": invoker["id"], "to": "fn", "kind": "invokes"}]})

    edge = check(case({"id": "cdn", "kind": "cloudfront"}))
    assert "AC302" not in edge.applicable and not [f for f in edge.findings if f.rule_id == "AC302"]
    regional = check(case({"id": "other", "kind": "lambda", "handler": "todo_api"}))
    assert [f.message for f in regional.findings if f.rule_id == "AC302" and f.target == "fn"] == ["function 'fn' is not traced"]


@pytest.mark.parametrize(("batch_size", "fires"), [(1, False), (2, True), (None, True)])
def test_a_consumer_of_one_record_at_a_time_has_no_batch_to_report_on(batch_size, fires):
    broken = variant(M, flow("shipping-queue", "triggers", "shipping-worker", report_batch_item_failures=False, batch_size=batch_size))
    assert bool([f for f in check(broken).findings if f.rule_id == "AC305"]) is fires


@pytest.mark.parametrize(("report", "bisect", "fires"), [(False, True, False), (False, False, True), (True, False, False)])
def test_a_stream_consumer_that_bisects_failing_batches_isolates_the_bad_record(report, bisect, fires):
    from archcase.models import Architecture

    case = Architecture.model_validate({"name": "t", "title": "t", "services": [
        {"id": "clicks", "kind": "kinesis-stream"}, {"id": "fn", "kind": "lambda", "handler": "todo_api"}],
        "flows": [{"from": "clicks", "to": "fn", "kind": "triggers", "report_batch_item_failures": report, "bisect_on_error": bisect}]})
    assert bool([f for f in check(case).findings if f.rule_id == "AC305"]) is fires


@pytest.mark.parametrize(("target", "actions", "fires"), [
    ({"id": "api", "kind": "api-gateway"}, ["execute-api:Invoke"], False),
    ({"id": "stream", "kind": "kinesis-stream"}, ["kinesis:PutRecord"], False),
    ({"id": "table", "kind": "dynamodb", "partition_key": {"name": "pk"}}, ["dynamodb:GetItem"], True),
])
def test_only_grants_on_stored_data_are_asked_to_be_scoped_to_the_user(target, actions, fires):
    from archcase.models import Architecture

    case = Architecture.model_validate({"name": "t", "title": "t", "services": [
        {"id": "users", "kind": "cognito-identity-pool"}, target],
        "flows": [{"from": "users", "to": target["id"], "kind": "grants", "actions": actions, "scope": "all"}]})
    messages = [f.message for f in check(case).findings if f.rule_id == "AC509"]
    assert messages == ([f"identity pool 'users' grants all of '{target['id']}' to every user"] if fires else [])


def test_a_state_machine_without_logs_is_told_what_is_left_of_its_executions():
    from archcase.models import Architecture

    def findings(workflow_type: str) -> list[str]:
        case = Architecture.model_validate({"name": "t", "title": "t", "services": [
            {"id": "flow", "kind": "step-functions", "workflow_type": workflow_type, "logging_level": "OFF"}]})
        return [f.message for f in check(case).findings if f.rule_id == "AC901"]

    assert findings("EXPRESS") == ["state machine 'flow' writes no logs: no history at all (an express workflow)"]
    assert findings("STANDARD") == ["state machine 'flow' writes no logs: only its execution history"]


def test_http_api_routes_listed_public_need_no_authorizer_and_the_others_are_named():
    from archcase.models import Architecture

    def findings(public: list[str]) -> list[str]:
        case = Architecture.model_validate({"name": "t", "title": "t", "services": [
            {"id": "api", "kind": "http-api", "public_routes": public}, {"id": "fn", "kind": "lambda", "handler": "a.b"}],
            "flows": [{"from": "api", "to": "fn", "kind": "invokes", "routes": ["GET /health", "POST /orders"]}]})
        return [f.message for f in check(case).findings if f.rule_id == "AC218"]

    assert findings([]) == ["API 'api' lets anyone call GET /health, POST /orders"]
    assert findings(["GET /health"]) == ["API 'api' lets anyone call POST /orders"]
    assert findings(["GET /health", "POST /orders"]) == []


@pytest.mark.parametrize(("iam", "authorizer", "invoked", "expected"), [
    (False, False, True, ["API 'api' lets anyone connect: its `$connect` route takes no authorization"]),
    (True, False, True, []), (False, True, True, []),
    (False, False, False, []),  # nothing behind it to reach
])
def test_a_websocket_api_is_asked_to_authorize_its_connections(iam, authorizer, invoked, expected):
    """Found by the recall review: AC218 never applied to WebSocket APIs, whose routes are keys, not `METHOD /path`."""
    from archcase.models import Architecture

    flows = [{"from": "api", "to": "fn", "kind": "invokes"}] if invoked else []
    if authorizer:
        flows.append({"from": "api", "to": "auth", "kind": "authorizes"})
    case = Architecture.model_validate({"name": "t", "title": "t", "services": [
        {"id": "api", "kind": "http-api", "protocol": "WEBSOCKET", "iam_authorization": iam},
        {"id": "fn", "kind": "lambda", "handler": "a.b"}, {"id": "auth", "kind": "lambda", "handler": "a.c"}], "flows": flows})
    assert [f.message for f in check(case).findings if f.rule_id == "AC218"] == expected


def test_a_rule_without_a_dead_letter_queue_is_told_when_its_events_are_dropped():
    from archcase.models import Architecture

    def findings(flows: list[dict]) -> list[str]:
        case = Architecture.model_validate({"name": "t", "title": "t", "services": [
            {"id": "tick", "kind": "eventbridge-rule", "schedule": "rate(1 day)", "max_retry_attempts": 3, "max_event_age_s": 600},
            {"id": "fn", "kind": "lambda", "handler": "a.b"}], "flows": flows})
        return [f.message for f in check(case).findings if f.rule_id == "AC609"]

    assert findings([]) == []  # no target: nothing to deliver
    assert findings([{"from": "tick", "to": "fn", "kind": "invokes"}]) == [
        "rule 'tick' has no dead-letter queue: events its targets do not take are dropped after 3 retries or 600 s"]


def test_a_stream_consumer_without_a_failure_destination_is_told_it_reads_a_stream_not_that_it_is_invoked_asynchronously():
    """Found by the precision review: Lambda polls a stream and invokes the function synchronously; what is lost
    is the shard's progress, not an asynchronous event."""
    from archcase.models import Architecture

    case = Architecture.model_validate({"name": "t", "title": "t", "services": [
        {"id": "clicks", "kind": "kinesis-stream"}, {"id": "uploads", "kind": "s3"}, {"id": "fn", "kind": "lambda", "handler": "todo_api"}],
        "flows": [{"from": "clicks", "to": "fn", "kind": "triggers"}, {"from": "uploads", "to": "fn", "kind": "triggers"}]})
    assert [f.message for f in check(case).findings if f.rule_id == "AC303"] == [
        "function 'fn' is invoked asynchronously by uploads and reads clicks, whose failing records block the shard until they "
        "expire, and keeps no failed events"]


@pytest.mark.parametrize(("invokers", "outside", "asked"), [
    (["Custom::Seeder"], False, False), (["AWS::CloudFormation::CustomResource"], False, False),
    (["AWS::CloudFormation::Macro"], False, False),
    (["Custom::Seeder"], True, True), (["Custom::Seeder", "AWS::IoT::TopicRule"], False, True), ([], False, True),
])
def test_a_custom_resources_handler_is_not_asked_for_tracing(invokers, outside, asked):
    """It runs while its stack deploys; a function anything else invokes is still asked."""
    from archcase.models import Architecture

    services = [{"id": f"g{i}", "kind": "generic", "resource_type": t} for i, t in enumerate(invokers)]
    case = Architecture.model_validate({"name": "t", "title": "t", "services": [
        *services, {"id": "fn", "kind": "lambda", "handler": "todo_api", "tracing": False, "invoked_from_outside": outside}],
        "flows": [{"from": s["id"], "to": "fn", "kind": "invokes"} for s in services]})
    assert bool([f for f in check(case).findings if f.rule_id == "AC302"]) is asked


def test_an_identity_pool_without_its_chain_is_told_what_it_lacks_in_words():
    """Found by the precision review: the message read "has no a user pool it trusts"."""
    from archcase.models import Architecture

    case = Architecture.model_validate({"name": "t", "title": "t", "services": [{"id": "pool", "kind": "cognito-identity-pool"}]})
    assert [f.message for f in check(case).findings if f.rule_id == "AC506"] == [
        "identity pool 'pool' trusts no user pool and gets no temporary credentials from STS"]


@pytest.mark.parametrize(("guests", "signs_in", "message"), [
    (True, False, None),  # guests only (CloudWatch RUM telemetry, say): no one signs in, AC504 judges the guests
    (True, True, None),
    (False, False, "identity pool 'pool' trusts no user pool"),
    (False, True, None),
])
def test_a_pool_only_guests_use_is_not_asked_for_a_user_pool(guests, signs_in, message):
    """Found by the precision review: an identity pool for CloudWatch RUM's anonymous browser telemetry was told
    to trust a user pool, which no one of its users has."""
    from archcase.models import Architecture

    services = [{"id": "pool", "kind": "cognito-identity-pool", "allow_unauthenticated": guests}, {"id": "sts", "kind": "sts"},
                {"id": "users", "kind": "cognito-user-pool"}]
    flows = [{"from": "pool", "to": "sts", "kind": "assumes-role"}]
    if signs_in:
        flows.append({"from": "pool", "to": "users", "kind": "federates"})
    case = Architecture.model_validate({"name": "t", "title": "t", "services": services, "flows": flows})
    found = [f.message for f in check(case).findings if f.rule_id == "AC506"]
    assert found == ([message] if message else [])


@pytest.mark.parametrize(("schedule", "asked"), [
    ("rate(1 minute)", False), ("rate(60 minutes)", False), ("rate(2 hours)", True), ("cron(0 3 * * ? *)", True), (None, True),
])
def test_a_rule_on_a_frequent_schedule_is_not_asked_for_a_dead_letter_queue(schedule, asked):
    """Found by the precision review: a lost tick of a per-minute schedule has nothing to inspect or redrive."""
    from archcase.models import Architecture

    rule = {"id": "tick", "kind": "eventbridge-rule", **({"schedule": schedule} if schedule else {"event_sources": ["com.example"]})}
    function = {"id": "fn", "kind": "lambda", "handler": "todo_api"}
    case = Architecture.model_validate({"name": "t", "title": "t", "services": [rule, function],
                                        "flows": [{"from": "tick", "to": "fn", "kind": "invokes"}]})
    assert bool([f for f in check(case).findings if f.rule_id == "AC609"]) is asked


@pytest.mark.parametrize("enabled", [True, False])
def test_a_disabled_rule_is_not_asked_for_a_dead_letter_queue(enabled):
    """Found by the precision review: a rule whose State defaults to DISABLED delivers nothing to lose."""
    from archcase.models import Architecture

    rule = {"id": "orders", "kind": "eventbridge-rule", "event_sources": ["com.example"], "enabled": enabled}
    case = Architecture.model_validate({"name": "t", "title": "t", "services": [rule, {"id": "fn", "kind": "lambda", "handler": "a.b"}],
                                        "flows": [{"from": "orders", "to": "fn", "kind": "invokes"}]})
    assert bool([f for f in check(case).findings if f.rule_id == "AC609"]) is enabled


@pytest.mark.parametrize(("actions", "stray"), [
    (["dynamodb:GetItem", "dynamodb:GetRecords", "dynamodb:GetShardIterator"], []),  # reading the table's stream is reading data
    (["dynamodb:GetItem", "dynamodb:DeleteTable"], ["dynamodb:DeleteTable"]),
])
def test_reading_a_tables_stream_is_a_data_action(actions, stray):
    """Found by the fresh precision review: DynamoDB Streams' read actions were called 'not a data action' (AC802)."""
    from archcase.models import Architecture

    case = Architecture.model_validate({"name": "t", "title": "t", "services": [
        {"id": "users", "kind": "cognito-identity-pool"}, {"id": "table", "kind": "dynamodb", "partition_key": {"name": "pk"}}],
        "flows": [{"from": "users", "to": "table", "kind": "grants", "actions": actions}]})
    messages = [f.message for f in check(case).findings if f.rule_id == "AC802"]
    assert messages == ([f"grant to 'table' includes {', '.join(stray)}, not a data action of it"] if stray else [])
