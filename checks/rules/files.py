"""File systems: Amazon EFS."""

from __future__ import annotations

from ...models.data import EfsFileSystem
from ...models.flows import Mounts
from ...models.graph import Graph
from ..rule import NOT_APPLICABLE, Outcome, passes_if, rule, unknown

EFS = "https://docs.aws.amazon.com/efs/latest/ug/"


@rule("AC440", severity="high", title="File systems are encrypted at rest",
      rationale="An unencrypted file system keeps its files, and the backups made of it, readable to anyone who gets "
                "the storage; encryption can only be chosen when the file system is created.",
      remediation="Set `encrypted_at_rest: true` (existing data is moved by copying it to a new, encrypted file system).",
      docs=EFS + "encryption-at-rest.html", cdk_nag=("AwsSolutions-EFS1",), checkov=("CKV_AWS_42",))
def efs_encrypted(fs: EfsFileSystem, g: Graph) -> Outcome:
    return passes_if(fs.encrypted_at_rest, f"file system '{fs.id}' stores its files unencrypted")


@rule("AC441", severity="medium", title="File systems are backed up automatically",
      rationale="Files deleted or overwritten on EFS are gone: without backups, a bad deployment or a stray `rm -rf` "
                "has nothing to restore from.",
      remediation="Set `backups: true` (daily AWS Backup backups, kept 35 days).",
      docs=EFS + "automatic-backups.html")
def efs_backups(fs: EfsFileSystem, g: Graph) -> Outcome:
    if fs.backups is None:
        return unknown(f"file system '{fs.id}' does not say whether it is backed up: AWS documents automatic backups as "
                       "off for a Regional file system created through the API, and users report CloudFormation turning them "
                       "on (aws-cdk#29881); set `BackupPolicy` to say which")
    return passes_if(fs.backups, f"file system '{fs.id}' has no automatic backups")


@rule("AC442", severity="medium", title="Services that share a file system each mount their own directory as their own user",
      rationale="Several services mounting the whole file system, as whatever user they run as, can each read, overwrite "
                "or delete the others' files; an access point per service with its own root directory and POSIX user "
                "keeps each to its own files.",
      remediation="Give each `mounts` flow an `access_point` with its own `root_directory` and `posix_user: true`.",
      docs=EFS + "efs-access-points.html")
def efs_clients_apart(fs: EfsFileSystem, g: Graph) -> Outcome:
    mounts = g.incoming(fs.id, Mounts)
    if len({f.source for f in mounts}) < 2:
        return NOT_APPLICABLE
    open_to = sorted(f.source for f in mounts if f.access_point is None
                     or f.access_point.root_directory == "/" or not f.access_point.posix_user)
    return passes_if(not open_to, f"file system '{fs.id}' is shared, and {', '.join(open_to)} "
                                  f"{'mounts' if len(open_to) == 1 else 'mount'} more than a directory of its own or as any user")
