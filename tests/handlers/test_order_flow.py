"""The microservices order flow end to end on moto: orders_api -> SNS -> SQS -> shipping_worker, SNS -> billing."""

from __future__ import annotations

import json
from typing import Any

from billing import app as billing
from orders_api import app as orders
from shipping_worker import app as shipping

from .conftest import aws_client, body_of, load_event


def test_a_placed_order_is_shipped_and_invoiced(table_factory: Any, context: Any, monkeypatch: Any) -> None:
    orders_table = table_factory("ORDERS_TABLE", "orders", "order_id")
    shipments = table_factory("SHIPMENTS_TABLE", "shipments", "order_id")
    invoices = table_factory("INVOICES_TABLE", "invoices", "order_id")
    sns, sqs = aws_client("sns"), aws_client("sqs")
    topic = sns.create_topic(Name="order-events")["TopicArn"]
    queue = sqs.create_queue(QueueName="shipping-queue")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)  # raw message delivery off
    monkeypatch.setenv("ORDER_EVENTS_TOPIC_ARN", topic)

    placed = orders.handler(load_event("orders_api", "place_order.json"), context)
    assert placed["statusCode"] == 201
    order_id = body_of(placed)["order_id"]
    assert "Item" in orders_table.get_item(Key={"order_id": order_id})

    [message] = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    sqs_event = {
        "Records": [
            {"messageId": message["MessageId"], "body": message["Body"], "attributes": message["Attributes"], "eventSource": "aws:sqs"}
        ]
    }
    assert shipping.handler(sqs_event, context) == {"batchItemFailures": []}
    assert shipments.get_item(Key={"order_id": order_id})["Item"]["status"] == "PENDING"

    envelope = json.loads(message["Body"])
    sns_event = {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0", "Sns": envelope}]}
    assert billing.handler(sns_event, context) == {"billed": [order_id]}
    assert str(invoices.get_item(Key={"order_id": order_id})["Item"]["total"]) == body_of(placed)["total"]
