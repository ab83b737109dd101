"""Relational databases: RDS DB instances and Aurora DB clusters."""

from __future__ import annotations

from ...models.flows import Connects
from ...models.graph import Graph
from ...models.services import LambdaFunction, RdsDatabase
from ..rule import NOT_APPLICABLE, Outcome, passes_if, rule

RDS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/"
MIN_BACKUP_DAYS = 7


def _what(db: RdsDatabase) -> str:
    return f"{'Aurora cluster' if db.is_aurora else 'database'} '{db.id}'"


@rule("AC420", severity="high", title="Databases are encrypted at rest",
      rationale="Unencrypted storage leaves the data, its automated backups, snapshots and replicas readable to anyone "
                "who gets the volumes; encryption can only be chosen when the database is created.",
      remediation="Set `encrypted_at_rest: true` (a database is encrypted by restoring an encrypted copy of a snapshot).",
      docs=RDS + "Overview.Encryption.html", cdk_nag=("AwsSolutions-RDS2",), checkov=("CKV_AWS_16", "CKV_AWS_96"))
def db_encrypted(db: RdsDatabase, g: Graph) -> Outcome:
    return passes_if(db.encrypted_at_rest, f"{_what(db)} stores its data unencrypted")


@rule("AC421", severity="critical", title="Databases are not publicly accessible",
      rationale="A publicly accessible database has a public address: only its security group and password stand "
                "between the internet and the data.",
      remediation="Set `publicly_accessible: false`; reach the database from the VPC (functions in the VPC, a bastion "
                  "or Session Manager).",
      docs=RDS + "USER_VPC.WorkingWithRDSInstanceinaVPC.html#USER_VPC.Hiding", checkov=("CKV_AWS_17",))
def db_not_public(db: RdsDatabase, g: Graph) -> Outcome:
    return passes_if(not db.publicly_accessible, f"{_what(db)} is publicly accessible")


@rule("AC422", severity="medium", title="Databases span two Availability Zones",
      rationale="A single-AZ database is down while its zone, host or storage fails; a Multi-AZ standby (or an Aurora "
                "replica in another zone) takes over in a minute or two.",
      remediation="Set `multi_az: true`.",
      docs=RDS + "Concepts.MultiAZ.html", checkov=("CKV_AWS_157",))
def db_multi_az(db: RdsDatabase, g: Graph) -> Outcome:
    lacking = "has a single DB instance" if db.is_aurora else "has no standby in a second Availability Zone"
    return passes_if(db.multi_az, f"{_what(db)} {lacking}")


@rule("AC423", severity="medium", title=f"Database backups are kept {MIN_BACKUP_DAYS} days or more",
      rationale=f"Automated backups allow point-in-time restore within their retention; fewer than {MIN_BACKUP_DAYS} days "
                "may not reach back past a mistake found after a weekend.",
      remediation=f"Set `backup_retention_days: {MIN_BACKUP_DAYS}` or more (up to 35).",
      docs=RDS + "USER_WorkingWithAutomatedBackups.html", cdk_nag=("AwsSolutions-RDS13",))
def db_backups_kept(db: RdsDatabase, g: Graph) -> Outcome:
    days = db.backup_retention_days
    kept = "keeps no automated backups" if days == 0 else f"keeps automated backups {days} day{'s' if days != 1 else ''}"
    return passes_if(days >= MIN_BACKUP_DAYS, f"{_what(db)} {kept}, fewer than {MIN_BACKUP_DAYS}")


@rule("AC424", severity="low", title="Databases have deletion protection",
      rationale="Deletion protection stops a stray delete (or a stack update that replaces the database) from dropping it.",
      remediation="Set `deletion_protection: true`.",
      docs=RDS + "USER_DeleteInstance.html#USER_DeletionProtection", cdk_nag=("AwsSolutions-RDS10",))
def db_deletion_protection(db: RdsDatabase, g: Graph) -> Outcome:
    return passes_if(db.deletion_protection, f"{_what(db)} can be deleted by accident")


@rule("AC425", severity="low", title="Databases accept IAM database authentication",
      rationale="With IAM authentication, code signs in with short-lived tokens from its role instead of a stored "
                "password, and access is granted and revoked in IAM.",
      remediation="Set `iam_authentication: true`.",
      docs=RDS + "UsingWithRDS.IAMDBAuth.html", cdk_nag=("AwsSolutions-RDS6",), checkov=("CKV_AWS_161", "CKV_AWS_162"))
def db_iam_authentication(db: RdsDatabase, g: Graph) -> Outcome:
    return passes_if(db.iam_authentication, f"{_what(db)} accepts passwords only, not IAM authentication")


@rule("AC426", severity="low", title="Databases take minor engine versions automatically",
      rationale="Minor versions carry security fixes; applied in the maintenance window, they need no one to remember them.",
      remediation="Set `auto_minor_version_upgrade: true`.",
      docs=RDS + "USER_UpgradeDBInstance.Maintenance.html#USER_UpgradeDBInstance.Maintenance.AutoMinorVersionUpgrades")
def db_minor_upgrades(db: RdsDatabase, g: Graph) -> Outcome:
    return passes_if(db.auto_minor_version_upgrade, f"{_what(db)} does not apply minor engine versions automatically")


@rule("AC427", severity="high", title="Functions that connect to a private database run in the VPC",
      rationale="A database that is not publicly accessible has only private addresses in its VPC; a function outside "
                "the VPC cannot reach it.",
      remediation="Set `in_vpc: true` on the function.",
      docs="https://docs.aws.amazon.com/lambda/latest/dg/services-rds.html")
def db_clients_in_vpc(fn: LambdaFunction, g: Graph) -> Outcome:
    private = sorted(f.target for f in g.outgoing(fn.id, Connects)
                     if isinstance(db := g.target(f), RdsDatabase) and not db.publicly_accessible)
    if not private:
        return NOT_APPLICABLE
    return passes_if(fn.in_vpc, f"function '{fn.id}' connects to {', '.join(private)} but runs outside the VPC")
