"""What the emitter writes and the importer reads back, stated once for both sides: where archcase keeps what
a template cannot say, and the AWS-managed ids both sides recognise.

The emitter (`render/cloudformation/metadata.py`) writes a case's intent under `Metadata.archcase`; the
importer (`importer/`) reads it back, so importing an emitted template gives back its case.
"""

from __future__ import annotations

METADATA_KEY = "archcase"
"""The key under a template's (and each resource's) `Metadata` holding what archcase keeps there."""

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
"""AWS managed CloudFront cache and origin request policies the emitter uses."""

MANAGED_CACHE_POLICY_TTLS: dict[str, tuple[int, int]] = {
    CACHING_OPTIMIZED: (86400, 31536000),
    "b2884449-e4de-46a7-ac36-70bc7f1ddd6d": (86400, 31536000),  # CachingOptimizedForUncompressedObjects
    "08627262-05a9-4f76-9ded-b50ca2e3a84f": (86400, 31536000),  # Elemental-MediaPackage
}
"""(default TTL, maximum TTL) in seconds of the AWS managed cache policies that cache."""
