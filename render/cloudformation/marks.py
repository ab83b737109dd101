"""The decorators that register the emitter's per-kind facts beside their code, keyed by model class (or by
a flow class and a target class). They only mark the functions; `registry` collects them from an explicit
list of modules.

    @emits(SqsQueue)                              the emitter of a service class
    @arn_of(SqsQueue, KinesisStream)              the ARN of a service class
    @permits((Enqueues, SqsQueue))                what a flow's source may do (IAM statements)
    @polls(SqsQueue)                              what a function needs to poll a triggering source
    @tells((Enqueues, SqsQueue))                  the environment variables a function is given for a flow

This module imports none of the emitter modules, so that they can use it and the registry can import them
without a cycle.
"""

from __future__ import annotations

from ...models.base import Service
from ...models.flows import Flow
from ...models.registration import Registration

emits = Registration[type[Service]]("emits")
arn_of = Registration[type[Service]]("arn_of")
permits = Registration[tuple[type[Flow], type[Service]]]("permits")
polls = Registration[type[Service]]("polls")
tells = Registration[tuple[type[Flow], type[Service]]]("tells")
