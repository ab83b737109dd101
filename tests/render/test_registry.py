"""Every service kind has an icon, a Mermaid shape, a draw.io shape and a column on the picture."""

from __future__ import annotations

import re

from archcase.models.registry import SERVICE_KINDS
from archcase.render import diagram, drawio, mermaid


def test_every_service_kind_has_an_aws_icon_file():
    missing = [kind for kind, cls in SERVICE_KINDS.items() if cls not in diagram.ICONS]
    assert missing == []
    absent = [kind for kind, cls in SERVICE_KINDS.items() if not (diagram.ICON_BASE / diagram.icon_path(cls)).is_file()]
    assert absent == []


def test_icons_are_aws_icons_except_for_devices_and_users():
    not_aws = [cls for cls, node in diagram.ICONS.items() if not node._icon_dir.startswith("resources/aws/")]
    assert not_aws == []


def test_every_service_kind_has_a_mermaid_shape():
    assert [kind for kind, cls in SERVICE_KINDS.items() if cls not in mermaid.SHAPES] == []


def test_every_service_kind_has_a_drawio_aws_shape():
    assert [kind for kind, cls in SERVICE_KINDS.items() if cls not in drawio.SHAPES] == []
    styles = {kind: dict(item.split("=", 1) for item in drawio.SHAPES[cls].style.split(";") if item)
              for kind, cls in SERVICE_KINDS.items()}
    named = {kind: style.get("resIcon") if style["shape"] == "mxgraph.aws4.resourceIcon" else style["shape"]
             for kind, style in styles.items()}
    assert {kind: name for kind, name in named.items() if not re.fullmatch(r"mxgraph\.aws4\.[a-z0-9_]+", name or "")} == {}
