"""Engine behaviour that no bundled rule shows on its own: an undecided verdict."""

from archcase.checks.engine import check
from archcase.checks.packs import Pack
from archcase.checks.rule import rule, rule_of, unknown
from archcase.models.services import DynamoDbTable

from .mutations import variant


@rule("AC999", severity="critical", title="Test rule that cannot decide",
      rationale="Exercises the undecided path.", remediation="None.", docs="https://docs.aws.amazon.com/")
def cannot_decide(table: DynamoDbTable, g):
    return unknown(f"table '{table.id}': not enough information")


class OnePack(Pack):
    def rules(self):
        return [rule_of(cannot_decide)]


def test_undecided_is_reported_but_neither_passes_nor_blocks():
    arch = variant("mytodolist", lambda data: data["requirements"][0].update(rules=["AC999"]))
    report = check(arch, OnePack("test", "one rule", ("AC999",)))
    (finding,) = report.findings
    assert (finding.rule_id, finding.status, finding.target) == ("AC999", "unknown", "todos")
    assert report.blocking("info") == []
    requirement = report.requirements[0]
    assert not requirement.met and "not enough information" in requirement.reasons[0]
