"""firehose_transform: every Firehose record gets Ok, Dropped or ProcessingFailed, with base64 in and out."""

from __future__ import annotations

import base64
import json
from typing import Any

from firehose_transform import app
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import load_event, log_lines


def decoded(record: dict[str, str]) -> str:
    return base64.b64decode(record["data"]).decode()


def test_sample_event(context: Any, capsys: Any) -> None:
    event = load_event("firehose_transform", "transformation.json")
    out = app.handler(event, context)["records"]
    assert [r["recordId"] for r in out] == [r["recordId"] for r in event["records"]]
    assert [r["result"] for r in out] == ["Ok", "Ok", "Dropped", "ProcessingFailed", "ProcessingFailed"]
    first, second = decoded(out[0]), decoded(out[1])
    assert first.endswith("\n") and first.count("\n") == 1
    assert json.loads(first) == {
        "arrival_time": "2024-06-10T06:13:20.500Z",
        "device_id": "sensor-17",
        "event_time": "2024-06-10T06:13:20.123Z",
        "humidity": 48,
        "temperature": 21.5,
        "type": "reading",
    }
    assert json.loads(second)["event_time"] == "2024-06-10T04:13:21.000Z" and json.loads(second)["type"] == "reading"
    # Dropped and failed records keep their original data (Firehose stores failed ones under the error prefix)
    assert [r["data"] for r in out[2:]] == [r["data"] for r in event["records"][2:]]
    [summary] = [line for line in log_lines(capsys.readouterr().out) if line["message"] == "batch transformed"]
    assert (summary["Ok"], summary["Dropped"], summary["ProcessingFailed"]) == (2, 1, 2)


def record(payload: Any, arrival: int = 1718000000000) -> dict[str, Any]:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return {"recordId": "r1", "approximateArrivalTimestamp": arrival, "data": base64.b64encode(data).decode()}


def test_epoch_seconds_and_missing_timestamps() -> None:
    ok = app.transform_record(record({"device_id": "d", "timestamp": 1718000000}))
    assert json.loads(decoded(ok))["event_time"] == "2024-06-10T06:13:20.000Z"
    ok = app.transform_record(record({"device_id": "d"}, arrival=1718000001000))
    assert json.loads(decoded(ok))["event_time"] == "2024-06-10T06:13:21.000Z"


def test_failures() -> None:
    for payload in (
        [1, 2],
        {"device_id": ""},
        {"device_id": "d", "timestamp": "yesterday"},
        {"device_id": "d", "timestamp": True},
        {"device_id": "d", "timestamp": -5},
        {"device_id": "d", "type": 3},
        b"\xff\xfe",
    ):
        assert app.transform_record(record(payload))["result"] == "ProcessingFailed", payload
    assert app.transform_record({"recordId": "r", "data": "%%%"})["result"] == "ProcessingFailed"
    nan = {"recordId": "r", "approximateArrivalTimestamp": 0, "data": base64.b64encode(b'{"device_id": "d", "v": NaN}').decode()}
    assert app.transform_record(nan)["result"] == "ProcessingFailed"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.binary(max_size=64),
            st.dictionaries(
                st.sampled_from(["device_id", "type", "timestamp", "v"]),
                st.one_of(st.text(max_size=8), st.integers(), st.floats(), st.none()),
            ),
        )
    )
)
def test_every_record_gets_exactly_one_valid_result(payloads: list[Any]) -> None:
    event = {"records": [{**record(p), "recordId": f"id-{i}"} for i, p in enumerate(payloads)]}
    out = app.handler(event, None)["records"]
    assert [r["recordId"] for r in out] == [f"id-{i}" for i in range(len(payloads))]
    for r in out:
        assert r["result"] in ("Ok", "Dropped", "ProcessingFailed")
        if r["result"] == "Ok":
            line = decoded(r)
            assert line.endswith("\n") and isinstance(json.loads(line)["device_id"], str)
