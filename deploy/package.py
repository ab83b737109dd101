"""Handler artifacts: one deterministic zip per handler package, its third-party requirements vendored for
the Lambda runtime's platform, named by the content hash the template's code key carries, and uploaded to
an artifact bucket only when that key is not there yet."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..models import Architecture
from ..models.compute import LambdaFunction
from ..render.cloudformation import EmitError, code

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
"""Timestamp of every zip entry, so that the same files always give the same bytes."""
PLATFORMS = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")
"""Distributions the Lambda Python runtime provides; vendoring another version of one would break boto3."""
_DROPPED = ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json")
"""Install-time files of vendored distributions that name local paths or the installer, not the package."""


@dataclass(frozen=True)
class Artifact:
    package: str
    key: str
    """S3 key: `handlers/<package>-<content hash>.zip`, as in the template's code key parameter."""
    data: bytes


def cache_folder() -> Path:
    return Path(os.environ.get("ARCHCASE_CACHE") or Path.home() / ".cache" / "archcase")


def packages(architecture: Architecture) -> dict[str, tuple[str, str]]:
    """Handler packages the case's functions use, with the (runtime, architecture) they run on."""
    found: dict[str, tuple[str, str]] = {}
    for service in architecture.services:
        if not isinstance(service, LambdaFunction) or service.handler is None:  # (the template refuses the latter first)
            continue
        package = code.package_of(service.handler)
        platform = (service.runtime, service.architecture)
        if found.setdefault(package, platform) != platform:
            raise EmitError(f"handler package '{package}' is used by functions on two platforms ({found[package]} and "
                            f"{platform}): give them the same runtime and architecture", service.id)
    return found


def artifacts(architecture: Architecture, handlers: Path) -> list[Artifact]:
    """Build the artifact of every handler package the case uses."""
    built = []
    for package, (runtime, arch) in sorted(packages(architecture).items()):
        shipped = dict(code.shipped_files(handlers, package))
        requirements = shipped.get(f"{package}/requirements.txt")
        vendored = vendor(requirements, runtime, arch) if requirements and _has_requirements(requirements) else None
        built.append(Artifact(package, code.artifact_key(handlers, package), build_zip(handlers, package, vendored)))
    return built


def _has_requirements(path: Path) -> bool:
    return any(line.strip() and not line.lstrip().startswith("#") for line in code.read(path).decode(errors="replace").splitlines())


def build_zip(handlers: Path, package: str, vendored: Path | None = None) -> bytes:
    """The zip of a handler package, the shared packages and vendored requirements: entries sorted by name,
    fixed timestamps and permissions, so the same inputs give the same bytes."""
    entries = dict(code.shipped_files(handlers, package))
    if vendored is not None:
        for path in sorted(vendored.rglob("*")):
            name = path.relative_to(vendored).as_posix()
            if path.is_file() and name.split("/", 1)[0] != "bin" and path.name not in _DROPPED and "__pycache__" not in name:
                entries.setdefault(name, path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, code.read(entries[name]), compresslevel=9)
    return buffer.getvalue()


def vendor(requirements: Path, runtime: str, architecture: str) -> Path:
    """Install a handler's requirements for the Lambda platform into a cached folder (keyed by the
    requirements, runtime and architecture) and return it. Binary packages come as wheels built for the
    platform; packages published only as source are built here, and used when pure Python."""
    key = hashlib.sha256(f"{runtime}\0{architecture}\0".encode() + requirements.read_bytes()).hexdigest()[:20]
    target = cache_folder() / "vendor" / key
    if (target / ".complete").is_file():
        return target
    version = runtime.removeprefix("python")
    with tempfile.TemporaryDirectory(prefix="archcase-vendor-") as tmp:
        wheels, staging = Path(tmp) / "wheels", Path(tmp) / "site"
        _pip("wheel", "--quiet", "--wheel-dir", str(wheels), "-r", str(requirements))
        for wheel in wheels.glob("*.whl"):
            if not wheel.name.endswith("-none-any.whl"):
                wheel.unlink()  # built for this machine: the platform's own wheel comes from the index instead
        _pip("install", "--quiet", "--no-compile", "--only-binary=:all:", "--platform", PLATFORMS[architecture],
             "--implementation", "cp", "--python-version", version, "--find-links", str(wheels),
             "--target", str(staging), "-r", str(requirements))
        for name in RUNTIME_PROVIDED:
            for path in [staging / name, *staging.glob(f"{name}-*.dist-info")]:
                shutil.rmtree(path, ignore_errors=True)
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(staging, target)
    (target / ".complete").touch()
    return target


def _pip(*args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "pip", *args, "--disable-pip-version-check"], capture_output=True,
                            text=True, check=False, timeout=900)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.startswith("ERROR")] or result.stderr.splitlines()[-3:]
        raise EmitError("cannot install handler requirements for the Lambda platform: " + " ".join(lines))


def upload(s3: Any, bucket: str, built: Iterable[Artifact]) -> list[tuple[str, bool]]:
    """Upload the artifacts whose key is not in the bucket yet; returns (key, uploaded) per artifact."""
    results = []
    for artifact in built:
        if _exists(s3, bucket, artifact.key):
            results.append((artifact.key, False))
            continue
        checksum = base64.b64encode(hashlib.md5(artifact.data).digest()).decode()  # Content-MD5: integrity in transit
        s3.put_object(Bucket=bucket, Key=artifact.key, Body=artifact.data, ContentMD5=checksum)
        results.append((artifact.key, True))
    return results


def _exists(s3: Any, bucket: str, key: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True
