"""What a diagram shows (issue 16): networking and plumbing collapse into the VPC box and the notes they stand for
at the default detail, every resource at full detail; flows closing a cycle are few and break every cycle."""

from __future__ import annotations

import textwrap
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings

from archcase.api import read_any
from archcase.models import Architecture
from archcase.render import diagram
from archcase.render.view import feedback_flows, view

from ..strategies import architectures
from .golden import parse_dot

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16, Tags: [{Key: Name, Value: shop}]}
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24}
  Routes:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  RoutesA:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref SubnetA, RouteTableId: !Ref Routes}
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "*"}, Action: "kms:*", Resource: "*"}]}
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: aws:kms, KMSMasterKeyID: !GetAtt Key.Arn}
  Crawler:
    Type: AWS::Glue::Crawler
    Properties: {Role: arn:aws:iam::123456789012:role/c, DatabaseName: d, Targets: {S3Targets: [{Path: !Ref Data}]}}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: p
          PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:GetObject, Resource: !Sub "${Data.Arn}/*"}]}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code: {ZipFile: "def handler(e, c): pass"}
      Environment: {Variables: {BUCKET: !Ref Data}}
      VpcConfig: {SubnetIds: [!Ref SubnetA], SecurityGroupIds: [sg-12345678]}
"""


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Architecture:
    path = Path(tmp_path_factory.mktemp("view")) / "template.yaml"
    path.write_text(textwrap.dedent(TEMPLATE))
    return read_any(path).architecture


def test_networking_collapses_into_a_vpc_box_and_a_key_into_a_note(imported):
    shown = view(imported)
    types = {s.id: getattr(s, "resource_type", s.kind) for s in shown.services}
    assert "AWS::EC2::Subnet" not in types.values() and "AWS::EC2::VPC" not in types.values()
    assert "AWS::KMS::Key" not in types.values()
    assert "AWS::Glue::Crawler" in types.values()  # a resource that serves, not modelled: still drawn
    assert {"fn", "data"} <= set(types)
    (box,) = shown.boxes
    assert box.kind == "vpc" and box.members == ("fn",)
    assert "encrypted with KMS key" in shown.notes["data"][0]
    source = diagram.dot_source(imported)
    assert "networking and plumbing resources not drawn" in parse_dot(source)["attributes"]["label"]
    assert all(flow.source in types and flow.target in types for flow in shown.flows)


def test_full_detail_draws_every_resource_and_no_vpc_box(imported):
    shown = view(imported, "full")
    assert [s.id for s in shown.services] == [s.id for s in imported.services]
    assert shown.flows == tuple(imported.flows) and shown.boxes == () and shown.hidden == 0
    assert "not drawn" not in parse_dot(diagram.dot_source(imported, detail="full"))["attributes"]["label"]


@settings(max_examples=80, deadline=None)
@given(architectures(hostile=False))
def test_the_flows_left_after_the_feedback_ones_form_no_cycle(arch):
    back = feedback_flows([s.id for s in arch.services], arch.flows, [])
    rest = nx.MultiDiGraph([(f.source, f.target) for f in arch.flows if f.key not in back and f.source != f.target])
    assert nx.is_directed_acyclic_graph(rest)


class F:
    """Just what feedback_flows reads of a flow."""

    def __init__(self, source: str, target: str, n: int = 0) -> None:
        self.source, self.target, self.key = source, target, f"{source}-{n}-{target}"


def test_a_cycle_is_broken_where_fewest_flows_turn_back():
    # writer -> table, table -> reactor (one stream), reactor -> table (a read and a write): turn the stream back
    flows = [F("writer", "table"), F("table", "reactor"), F("reactor", "table", 1), F("reactor", "table", 2)]
    assert feedback_flows(["writer", "table", "reactor"], flows, ["writer"]) == {"table-0-reactor"}
    chain = [F("a", "b"), F("b", "c"), F("c", "d")]
    assert feedback_flows(["d", "c", "b", "a"], chain, []) == frozenset()
