"""File systems: an EFS file system with a mount target in two of the VPC's subnets, a security group admitting
only the services that mount it (NFS, port 2049), and an access point for each function that mounts it."""

from __future__ import annotations

from ...models.data import EfsFileSystem
from ...models.flows import Mounts
from . import databases  # as a module: databases imports compute, which imports this module
from .context import Context, Fragment, att_of, lid, pascal
from .marks import arn_of, emits, permits
from .policy import Statement
from .template import Json, ref

NFS_PORT = 2049
POSIX_ID = "1000"
"""The uid and gid an access point that enforces a POSIX user acts as, and owns its root directory with."""
MOUNT_TARGETS = 2
"""Mount targets emitted, in the first subnets of `SubnetIds` (one per Availability Zone)."""


def access_point_id(flow: Mounts) -> str:
    """Logical id of the access point a mounting function uses."""
    return lid(flow.target, f"{pascal(flow.source)}AccessPoint")


def mount_target_ids(fs: EfsFileSystem | str) -> list[str]:
    return [lid(fs, f"MountTarget{index + 1}") for index in range(MOUNT_TARGETS)]


def local_mount_path(fs: str) -> str:
    """Where a function finds the file system (Lambda requires a path under /mnt/)."""
    return f"/mnt/{fs}"


@emits(EfsFileSystem)
def emit_efs(fs: EfsFileSystem, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    mounts = ctx.graph.incoming(fs.id, Mounts)
    clients = [ctx.service(i) for i in dict.fromkeys(f.source for f in mounts)]
    group = databases.admit_clients(out, fs, clients, NFS_PORT, NFS_PORT, "file system")
    out.resource(lid(fs), "AWS::EFS::FileSystem", {
        "Encrypted": fs.encrypted_at_rest,
        **({"BackupPolicy": {"Status": "ENABLED" if fs.backups else "DISABLED"}} if fs.backups is not None else {}),
        "PerformanceMode": "generalPurpose",
        "ThroughputMode": "elastic",
        "FileSystemTags": [{"Key": "Name", "Value": fs.id}],
    }, DeletionPolicy="Retain", UpdateReplacePolicy="Retain")
    for index, target in enumerate(mount_target_ids(fs)):
        out.resource(target, "AWS::EFS::MountTarget", {
            "FileSystemId": ref(lid(fs)), "SubnetId": {"Fn::Select": [index, out.subnets()]}, "SecurityGroups": [ref(group)]})
    for flow in mounts:
        point = flow.access_point
        if point is None:
            continue
        properties: Json = {"FileSystemId": ref(lid(fs))}
        if point.root_directory != "/":
            properties["RootDirectory"] = {"Path": point.root_directory, "CreationInfo": {
                "OwnerUid": POSIX_ID, "OwnerGid": POSIX_ID, "Permissions": "750"}}
        if point.posix_user:
            properties["PosixUser"] = {"Uid": POSIX_ID, "Gid": POSIX_ID}
        out.resource(access_point_id(flow), "AWS::EFS::AccessPoint", properties)
    out.output(lid(fs, "Id"), ref(lid(fs)), f"Id of the {fs.id} file system")
    return out


@arn_of(EfsFileSystem)
def _arn(out: Fragment, fs: EfsFileSystem) -> Json:
    return att_of(fs, "Arn")


@permits((Mounts, EfsFileSystem))
def _mounts(out: Fragment, flow: Mounts, fs: EfsFileSystem) -> list[Statement]:
    """Mount and write, through the flow's access point when it has one (needed once a file system policy asks
    for IAM authorization)."""
    condition = {"StringEquals": {"elasticfilesystem:AccessPointArn": att_of(access_point_id(flow), "Arn")}} \
        if flow.access_point else None
    return [Statement(("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"), (att_of(fs, "Arn"),), condition)]


def file_system_configs(out: Fragment, function_id: str) -> tuple[list[Json], list[str]]:
    """A function's `FileSystemConfigs` and the mount targets it must wait for (Lambda refuses a file system
    without one in the function's Availability Zones)."""
    flows = [f for f in out.ctx.graph.outgoing(function_id, Mounts) if f.access_point is not None]
    configs = [{"Arn": att_of(access_point_id(f), "Arn"), "LocalMountPath": local_mount_path(f.target)} for f in flows]
    return configs, [target for f in flows for target in mount_target_ids(f.target)]


