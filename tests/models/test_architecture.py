import networkx as nx
import pytest
from pydantic import ValidationError

from archcase.models import Architecture, GraphError


def arch(services, flows=()):
    return Architecture.model_validate({"name": "t", "title": "T", "services": services, "flows": list(flows)})


FN = {"id": "fn", "kind": "lambda", "handler": "app.handler"}
TABLE = {"id": "tbl", "kind": "dynamodb", "partition_key": {"name": "pk"}}


def graph_problems(services, flows):
    with pytest.raises(ValidationError) as err:
        arch(services, flows)
    (error,) = err.value.errors()
    assert isinstance(error["ctx"]["error"], GraphError)
    return error["ctx"]["error"].problems


def test_secure_defaults_are_filled_in():
    model = arch([FN, TABLE, {"id": "b", "kind": "s3"}, {"id": "cdn", "kind": "cloudfront"}])
    fn, table, bucket, cdn = model.services
    assert (fn.runtime, fn.tracing, fn.timeout_s) == ("python3.12", True, 10)
    assert (table.point_in_time_recovery, table.encryption, table.deletion_protection) == (True, "aws-managed", True)
    assert (bucket.block_public_access, bucket.versioning, bucket.enforce_tls, bucket.website_hosting) == (
        True, True, True, False)
    assert (cdn.viewer_protocol, cdn.min_tls) == ("redirect-to-https", "TLSv1.2_2021")


def test_flow_ids_default_to_source_kind_target():
    model = arch([FN, TABLE], [{"from": "fn", "to": "tbl", "kind": "reads"}])
    assert model.flows[0].id == "fn-reads-tbl"


def test_to_graph_has_one_node_per_service_and_one_keyed_edge_per_flow():
    model = arch(
        [FN, TABLE],
        [{"from": "fn", "to": "tbl", "kind": "reads"}, {"from": "fn", "to": "tbl", "kind": "writes"}],
    )
    graph = model.to_graph()
    assert isinstance(graph, nx.MultiDiGraph)
    assert list(graph.nodes) == ["fn", "tbl"]
    assert graph.nodes["tbl"]["service"].kind == "dynamodb"
    assert sorted(graph["fn"]["tbl"]) == ["fn-reads-tbl", "fn-writes-tbl"]
    assert graph.edges["fn", "tbl", "fn-writes-tbl"]["flow"].kind == "writes"


def test_unknown_reference_suggests_the_closest_id():
    (problem,) = graph_problems([FN, TABLE], [{"from": "fn", "to": "tbl2", "kind": "reads"}])
    assert problem.loc == ("flows", 0, "to")
    assert "'tbl'" in problem.hint


def test_disallowed_pair_names_allowed_targets_and_fitting_kinds():
    (problem,) = graph_problems(
        [FN, {"id": "q", "kind": "sqs"}], [{"from": "fn", "to": "q", "kind": "writes"}]
    )
    assert problem.loc == ("flows", 0, "kind")
    assert "dax, dynamodb, s3" in problem.hint
    assert "use kind: dead-letter or enqueues" in problem.hint


def test_duplicate_flow_and_self_loop_are_refused():
    flows = [{"from": "fn", "to": "tbl", "kind": "reads"}, {"from": "fn", "to": "tbl", "kind": "reads"},
             {"from": "fn", "to": "fn", "kind": "invokes"}]
    problems = graph_problems([FN, TABLE], flows)
    assert [p.message for p in problems] == ["duplicate flow id 'fn-reads-tbl'", "flow from 'fn' to itself"]


def test_explicit_ids_allow_two_flows_of_one_kind_between_the_same_services():
    model = arch([FN, {"id": "b", "kind": "s3"}], [
        {"id": "read-a", "from": "fn", "to": "b", "kind": "reads", "prefix": "a/"},
        {"id": "read-b", "from": "fn", "to": "b", "kind": "reads", "prefix": "b/"},
    ])
    assert len(model.to_graph().edges) == 2


@pytest.mark.parametrize("access", ["oai", "oac", "none"])
def test_origin_access_applies_to_s3_origins_only(access):
    services = [{"id": "cdn", "kind": "cloudfront"}, {"id": "lb", "kind": "alb"}]
    (problem,) = graph_problems(services, [{"from": "cdn", "to": "lb", "kind": "origin", "access": access}])
    assert problem.loc == ("flows", 0, "access")
    assert f"origin access '{access}' applies to S3 origins only" in problem.message


def test_unset_s3_origin_access_is_resolved_to_oac_once_in_the_model():
    services = [{"id": "cdn", "kind": "cloudfront"}, {"id": "b", "kind": "s3"}, {"id": "lb", "kind": "alb"}]
    model = arch(services, [{"from": "cdn", "to": "b", "kind": "origin"},
                            {"from": "cdn", "to": "lb", "kind": "origin", "path_pattern": "/api/*"}])
    to_bucket, to_balancer = model.flows
    assert (to_bucket.access, to_balancer.access) == ("oac", None)
    dumped = model.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    assert dumped["flows"][0]["access"] == "oac"  # model.json and the template's metadata show the resolved value
    assert Architecture.model_validate(model.model_dump(by_alias=True)) == model


def test_models_are_immutable():
    model = arch([FN])
    with pytest.raises(ValidationError):
        model.services[0].memory_mb = 1024  # type: ignore[misc]


@pytest.mark.parametrize(
    ("service", "message"),
    [
        ({"id": "s", "kind": "kinesis-stream", "mode": "PROVISIONED"}, "needs shards"),
        ({"id": "s", "kind": "kinesis-stream", "shards": 2}, "PROVISIONED streams only"),
        ({"id": "c", "kind": "cloudfront", "default_ttl_s": 10, "max_ttl_s": 5}, "above max_ttl_s"),
        ({"id": "a", "kind": "api-gateway", "stages": [{"name": "p"}, {"name": "p"}]}, "repeated: p"),
        ({**TABLE, "stream": "NEW_AND_OLD_IMAGES", "replica_regions": ["eu-west-1", "eu-west-1"]}, "twice"),
        ({**FN, "environment": {"": "x"}}, "a variable name is empty"),
        ({**FN, "environment": {"1ST": "x"}}, "'1ST' is not a variable name Lambda accepts"),
        ({**FN, "environment": {"MY-VAR": "x"}}, "'MY-VAR' is not a variable name"),
        ({**FN, "environment": {"A": "x"}}, "'A' is not a variable name Lambda accepts: two or more"),
        ({**FN, "environment": {"_HANDLER": "x"}}, "'_HANDLER' is set by the Lambda runtime itself"),
        ({**FN, "environment": {"AWS_LAMBDA_FUNCTION_NAME": "x"}}, "reserved"),
        ({**FN, "environment": {"BIG": "x" * 4094}}, "4097 bytes, above Lambda's 4096 bytes"),
        ({"id": "d", "kind": "dax", "node_type": "cache.t3.small"}, "dax.t3.small"),
        ({**TABLE, "expected_reads_per_s": float("inf")}, "finite number"),
        ({**TABLE, "expected_writes_per_s": float("nan")}, "finite number"),
        ({"id": "a", "kind": "api-gateway", "stages": [{"throttle_rate_per_s": float("inf")}]}, "finite number"),
        ({**FN, "log_retention_days": 10}, "log_retention_days"),
        ({"id": "g", "kind": "autoscaling-group", "instance_type": "t3-micro"}, "instance_type"),
        ({"id": "lb", "kind": "alb", "tls_policy": "TLS13"}, "tls_policy"),
        ({"id": "lb", "kind": "clb", "tls_policy": ""}, "tls_policy"),
        ({**TABLE, "ttl_attribute": ""}, "ttl_attribute"),
    ],
)
def test_service_level_consistency(service, message):
    with pytest.raises(ValidationError, match=message):
        arch([service])


def test_accepted_environment_names_and_settings_are_kept():
    fn = arch([{**FN, "environment": {"LOG_LEVEL": "debug", "AWS_LAMBDA_EXEC_WRAPPER": "/opt/w", "x1": "y"}}]).services[0]
    assert fn.environment == {"LOG_LEVEL": "debug", "AWS_LAMBDA_EXEC_WRAPPER": "/opt/w", "x1": "y"}


def test_every_float_of_the_case_settings_is_finite():
    with pytest.raises(ValidationError, match="finite number"):
        Architecture.model_validate({"name": "t", "title": "T", "services": [FN], "settings": {"read_heavy_ratio": float("inf")}})


def test_unset_events_of_an_s3_trigger_are_resolved_in_the_model_and_a_stream_trigger_keeps_all():
    services = [FN, {**TABLE, "stream": "NEW_IMAGE"}, {"id": "b", "kind": "s3"}]
    model = arch(services, [{"from": "b", "to": "fn", "kind": "triggers"}, {"from": "tbl", "to": "fn", "kind": "triggers"}])
    from_bucket, from_stream = model.flows
    assert (from_bucket.events, from_stream.events) == (["s3:ObjectCreated:*"], [])


Q = [{"id": "q", "kind": "sqs"}, {"id": "dlq", "kind": "sqs"}, {"id": "other", "kind": "sqs"}, {"id": "t", "kind": "sns"}]


def test_a_queue_or_topic_redrives_only_to_a_queue():
    (problem,) = graph_problems(Q, [{"from": "q", "to": "t", "kind": "dead-letter"}])
    assert (problem.loc, problem.message) == (("flows", 0, "kind"), "a 'dead-letter' flow cannot go from sqs 'q' to sns 't'")
    assert arch([FN, *Q], [{"from": "fn", "to": "t", "kind": "dead-letter"}]).flows[0].target == "t"  # a function may


def test_a_second_dead_letter_flow_of_one_service_is_refused():
    (problem,) = graph_problems(Q, [{"from": "q", "to": "dlq", "kind": "dead-letter"},
                                    {"from": "q", "to": "other", "kind": "dead-letter"}])
    assert problem.loc == ("flows", 1, "to")
    assert "'q' already sends its failures to 'dlq'" in problem.message


def test_a_cycle_of_dead_letter_flows_is_refused_once_at_its_first_flow():
    (problem,) = graph_problems(Q, [{"from": "other", "to": "q", "kind": "dead-letter"},
                                    {"from": "q", "to": "dlq", "kind": "dead-letter"},
                                    {"from": "dlq", "to": "q", "kind": "dead-letter"}])
    assert problem.loc == ("flows", 1, "to")
    assert problem.message == "dead-letter flows go round in a circle: q -> dlq -> q"


def test_an_api_gateway_origin_is_reached_over_https_only():
    services = [{"id": "cdn", "kind": "cloudfront"}, {"id": "api", "kind": "api-gateway"}]
    (problem,) = graph_problems(services, [{"from": "cdn", "to": "api", "kind": "origin", "protocol": "http"}])
    assert problem.loc == ("flows", 0, "protocol")


def test_a_private_api_cannot_be_a_cloudfront_origin():
    services = [{"id": "cdn", "kind": "cloudfront"}, {"id": "api", "kind": "api-gateway", "endpoint_type": "private"}]
    (problem,) = graph_problems(services, [{"from": "cdn", "to": "api", "kind": "origin"}])
    assert problem.loc == ("flows", 0, "to") and "private API 'api'" in problem.message


def test_each_origin_of_a_distribution_has_its_own_path_pattern():
    services = [{"id": "cdn", "kind": "cloudfront"}, {"id": "a", "kind": "s3"}, {"id": "b", "kind": "s3"}]
    (problem,) = graph_problems(services, [{"from": "cdn", "to": "a", "kind": "origin"},
                                           {"from": "cdn", "to": "b", "kind": "origin"}])
    assert problem.loc == ("flows", 1, "path_pattern")
    assert problem.message == "'cdn' already routes path pattern '*' to 'a'"
    with pytest.raises(ValidationError, match="path_pattern"):
        arch(services, [{"from": "cdn", "to": "a", "kind": "origin", "path_pattern": ""}])


@pytest.mark.parametrize(("rule", "reason"), [
    ({"schedule": "rate(1 hour)"}, "runs on a schedule and matches no events"),
    ({"event_sources": ["aws.s3", "aws.ec2"]}, "matches only events of AWS services (aws.ec2, aws.s3)"),
    ({"event_sources": ["aws.s3", "com.example"]}, None),
    ({}, None),
])
def test_events_are_put_only_on_a_rule_that_can_match_them(rule, reason):
    services = [FN, {"id": "orders", "kind": "eventbridge-rule", **rule}]
    flows = [{"from": "fn", "to": "orders", "kind": "publishes"}]
    if reason is None:
        assert arch(services, flows).flows[0].target == "orders"
        return
    (problem,) = graph_problems(services, flows)
    assert problem.loc == ("flows", 0, "to") and reason in problem.message
