"""Relational databases: an RDS DB instance, or an Aurora DB cluster with its DB instances, in the VPC's private
subnets, admitting only the services that connect to it; the master password is kept by Secrets Manager
(`ManageMasterUserPassword`), never written in the template."""

from __future__ import annotations

from collections.abc import Sequence

from ...models.base import Service
from ...models.compute import AutoScalingGroup, Ec2Instance, EcsService, LambdaFunction
from ...models.data import RdsDatabase
from ...models.flows import Connects
from .compute import security_group
from .context import Context, Fragment, att_of, env_name, lid
from .marks import arn_of, emits, permits, tells
from .policy import Statement
from .template import Json, ref, sub

PORTS: dict[str, int] = {"postgres": 5432, "aurora-postgresql": 5432, "mysql": 3306, "mariadb": 3306, "aurora-mysql": 3306}
"""The port each engine listens on by default."""

MASTER_USERNAME = "dbadmin"
"""The master user's name (valid for every engine here; `admin` and `postgres` are reserved by some)."""

SNAPSHOT: Json = {"DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot"}

NO_EGRESS: Json = {"IpProtocol": "icmp", "FromPort": 252, "ToPort": 86, "CidrIp": "255.255.255.255/32",
                   "Description": "Disallow all outbound traffic"}
"""An egress rule matching nothing: a security group without egress rules would allow all outbound traffic."""


@emits(RdsDatabase)
def emit_rds(db: RdsDatabase, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    port = PORTS[db.engine]
    clients = [ctx.service(i) for i in dict.fromkeys(f.source for f in ctx.graph.incoming(db.id, Connects))]
    refuse_clients_outside_vpc(out, db, clients, "database")
    subnets = out.resource(lid(db, "SubnetGroup"), "AWS::RDS::DBSubnetGroup", {
        "DBSubnetGroupDescription": f"Subnets of the {db.id} database", "SubnetIds": out.subnets()})
    group = admit_clients(out, db, clients, port, port, "database")
    common: Json = {
        "Engine": db.engine,
        "MasterUsername": MASTER_USERNAME,
        "ManageMasterUserPassword": True,
        "StorageEncrypted": db.encrypted_at_rest,
        "BackupRetentionPeriod": db.backup_retention_days,
        "DeletionProtection": db.deletion_protection,
        "EnableIAMDatabaseAuthentication": db.iam_authentication,
        "CopyTagsToSnapshot": True,
        "DBSubnetGroupName": ref(subnets),
    }
    size = out.parameter(lid(db, "InstanceClass"), {"Type": "String", "Default": "db.t4g.medium",
                                                      "Description": f"DB instance class of the {db.id} database."})
    instance: Json = {"DBInstanceClass": size, "PubliclyAccessible": db.publicly_accessible,
                      "AutoMinorVersionUpgrade": db.auto_minor_version_upgrade}
    if db.is_aurora:
        out.resource(lid(db), "AWS::RDS::DBCluster", {**common, "VpcSecurityGroupIds": [ref(group)]}, **SNAPSHOT)
        for index in range(2 if db.multi_az else 1):
            out.resource(lid(db, f"Instance{index + 1}"), "AWS::RDS::DBInstance", {
                "Engine": db.engine, "DBClusterIdentifier": ref(lid(db)), "DBSubnetGroupName": ref(subnets), **instance})
    else:
        out.resource(lid(db), "AWS::RDS::DBInstance", {
            **common, **instance, "AllocatedStorage": out.parameter(lid(db, "StorageGb"), {
                "Type": "Number", "Default": "20", "MinValue": 20, "MaxValue": 65536,
                "Description": f"Allocated storage of the {db.id} database, in GiB."}), "StorageType": "gp3", "MultiAZ": db.multi_az,
            "VPCSecurityGroups": [ref(group)]}, **SNAPSHOT)
    out.output(lid(db, "Endpoint"), att_of(db, "Endpoint.Address"), f"Endpoint of the {db.id} database")
    return out


def admit_clients(out: Fragment, service: Service, clients: Sequence[Service], from_port: int, to_port: int, what: str) -> str:
    """A security group admitting only `clients` on the service's ports (outbound closed), and each client's egress
    to it; its logical id. `what` names the service in descriptions (database, cache, file system)."""
    ports: Json = {"IpProtocol": "tcp", "FromPort": from_port, "ToPort": to_port}
    ingress = [{**ports, "SourceSecurityGroupId": ref(_client_group(out, client)), "Description": f"from {client.id}"}
               for client in clients]
    group = out.resource(lid(service, "SecurityGroup"), "AWS::EC2::SecurityGroup", {
        "GroupDescription": f"{service.id}: {what} clients only", "VpcId": out.vpc(),
        "SecurityGroupIngress": ingress, "SecurityGroupEgress": [NO_EGRESS]})
    for client in clients:
        out.resource(lid(client, f"To{lid(service)}Egress"), "AWS::EC2::SecurityGroupEgress", {
            "GroupId": ref(_client_group(out, client)), **ports,
            "DestinationSecurityGroupId": ref(group), "Description": f"to the {service.id} {what}"})
    return group


def refuse_clients_outside_vpc(out: Fragment, service: Service, clients: Sequence[Service], what: str) -> None:
    """Refuse a function outside the VPC among a VPC-only service's clients, located at the service."""
    for client in clients:
        if isinstance(client, LambdaFunction) and not client.in_vpc:
            raise out.ctx.fail(service, f"function '{client.id}' connects to it but runs outside the VPC, where the {what} "
                                        f"is not reachable: set `in_vpc: true` on '{client.id}'")


def _client_group(out: Fragment, client: object) -> str:
    """The security group the database admits a client from: the instances' own (an Auto Scaling group's or a
    single instance's), an ECS service's tasks' own, or the shared one of a function in the VPC."""
    assert isinstance(client, (LambdaFunction, AutoScalingGroup, Ec2Instance, EcsService))
    own = (AutoScalingGroup, Ec2Instance, EcsService)
    return lid(client, "SecurityGroup") if isinstance(client, own) else security_group(out, client)


@arn_of(RdsDatabase)
def _arn(out: Fragment, db: RdsDatabase) -> Json:
    return att_of(db, "DBClusterArn" if db.is_aurora else "DBInstanceArn")


@permits((Connects, RdsDatabase))
def _connects(out: Fragment, flow: Connects, db: RdsDatabase) -> list[Statement]:
    """Read the master secret (the password Secrets Manager keeps and rotates) and, with IAM database
    authentication, sign in as the database user `app` with an IAM token."""
    statements = [Statement(("secretsmanager:GetSecretValue",), (att_of(db, "MasterUserSecret.SecretArn"),))]
    if db.iam_authentication:
        resource_id = "DBClusterResourceId" if db.is_aurora else "DbiResourceId"
        statements.append(Statement(("rds-db:connect",), (sub(
            f"arn:${{AWS::Partition}}:rds-db:${{AWS::Region}}:${{AWS::AccountId}}:dbuser:${{{lid(db)}.{resource_id}}}/app"),)))
    return statements


@tells((Connects, RdsDatabase))
def _endpoint(out: Fragment, flow: Connects, db: RdsDatabase) -> Json:
    return {env_name(db.id, "ENDPOINT"): att_of(db, "Endpoint.Address"),
            env_name(db.id, "SECRET_ARN"): att_of(db, "MasterUserSecret.SecretArn")}
