"""Workflows: Step Functions state machines."""

from __future__ import annotations

from ...models.graph import Graph
from ...models.services import StateMachine
from ..rule import Outcome, passes_if, rule

SFN = "https://docs.aws.amazon.com/step-functions/latest/dg/"


@rule("AC901", severity="medium", title="State machines log their executions",
      rationale="""Without logs, a failed execution leaves nothing to investigate with beyond what Step Functions keeps:
      90 days of history for a standard workflow, and no history at all for an express one.""",
      remediation="Set `logging_level: ERROR` (or `ALL`).",
      docs=SFN + "cw-logs.html", cdk_nag=("AwsSolutions-SF1",), checkov=("CKV_AWS_285",))
def state_machine_logs(machine: StateMachine, g: Graph) -> Outcome:
    history = "no history at all (an express workflow)" if machine.workflow_type == "EXPRESS" else "only its execution history"
    return passes_if(machine.logging_level != "OFF", f"state machine '{machine.id}' writes no logs: {history}")


@rule("AC902", severity="low", title="State machines trace executions with X-Ray",
      rationale="Tracing follows an execution through the functions, queues and tables its tasks call, and shows where time goes.",
      remediation="Set `tracing: true`.",
      docs=SFN + "concepts-xray-tracing.html", cdk_nag=("AwsSolutions-SF2",), checkov=("CKV_AWS_284",))
def state_machine_traced(machine: StateMachine, g: Graph) -> Outcome:
    return passes_if(machine.tracing, f"state machine '{machine.id}' is not traced")
