"""Registry-wide invariants of the rule catalogue and packs."""

import json
import re

from archcase.checks.catalogue import RULES
from archcase.checks.catalogue_docs import as_markdown
from archcase.checks.packs import PACKS
from archcase.checks.rule import SEVERITIES
from archcase.models import FLOW_KINDS, SERVICE_KINDS

from ..conftest import REPO


def test_at_least_fifty_rules_with_unique_well_formed_ids():
    assert len(RULES) >= 50
    assert all(re.fullmatch(r"AC[1-9]\d{2}", rule_id) for rule_id in RULES)


def test_every_rule_has_complete_metadata():
    for rule in RULES.values():
        assert rule.severity in SEVERITIES
        assert rule.title and rule.rationale and rule.remediation, rule.id
        assert rule.docs_url.startswith("https://docs.aws.amazon.com/"), rule.id
        known = SERVICE_KINDS if rule.on == "service" else FLOW_KINDS
        assert rule.kinds and set(rule.kinds) <= set(known), rule.id
        for tool, ids in rule.equivalents.items():
            assert tool in {"cdk-nag", "checkov", "cfn-lint"} and ids, rule.id


def test_equivalent_ids_have_their_tools_shapes():
    shapes = {"cdk-nag": r"AwsSolutions-[A-Z]+\d+", "checkov": r"CKV_AWS_\d+", "cfn-lint": r"[EWI]\d{4}"}
    for rule in RULES.values():
        for tool, ids in rule.equivalents.items():
            assert all(re.fullmatch(shapes[tool], i) for i in ids), (rule.id, ids)


def test_rules_list_as_json_has_every_field(cli):
    result = cli("rules", "--format", "json")
    listed = json.loads(result.out)
    assert result.code == 0 and len(listed) == len(RULES) >= 50
    for entry in listed:
        for key in ("id", "severity", "title", "rationale", "remediation", "docs_url", "kinds"):
            assert entry[key], (entry["id"], key)


def test_packs_name_known_rules_and_severities():
    for pack in PACKS.values():
        assert set(pack.rule_ids) <= set(RULES)
        assert set(pack.overrides) <= set(pack.rule_ids)
        assert set(pack.overrides.values()) <= set(SEVERITIES)


def test_docs_rule_page_is_generated_from_the_catalogue():
    assert (REPO / "docs" / "rules.md").read_text() == as_markdown(), "run: archcase rules --format markdown > docs/rules.md"


def test_cli_offers_exactly_the_packs():
    from archcase.cli import PACK_NAMES

    assert sorted(PACK_NAMES) == sorted(PACKS)
