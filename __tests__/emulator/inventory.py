#!/usr/bin/env python3
"""Inventory check of a Terraform state against an AWS API emulator (moto, server mode).

    python inventory.py STATE_JSON [--region REGION]

STATE_JSON holds the output of `terraform show -json`.  Every managed resource in
values.root_module (child_modules included, recursively) is looked up with a real
describe/get call; a resource counts as found only when that call returns the
resource by its identity (the provider's id, ARN or name for that type).

Environment: AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_DEFAULT_REGION.  The region of a resource comes from the ARN in its values
(`arn`, else an ARN-shaped `id`), else from a per-resource `region` attribute
(AWS provider v6), else from --region (default AWS_DEFAULT_REGION).

Output (stdout, one JSON object):
    {"checked": [{"address", "type", "found", "how", "detail"}], "unsupported": [types]}
Exit 0 when it ran, even with resources not found; exit 2 on bad input.

To cover a new type, add one entry to CHECKS: "<tf type>": (service, operation, function).
The function gets (client, values) and returns None when the resource is there,
or a short reason when it is not.
"""

import argparse
import json
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError


class Missing(Exception):
    """Raised by a check when the state lacks the attribute that names the resource."""


def need(v, *keys):
    """First non-empty value among `keys` of the state's values."""
    for k in keys:
        x = v.get(k)
        if x not in (None, "", [], {}):
            return x
    raise Missing("state has no " + "/".join(keys))


def first_block(v, key):
    b = v.get(key)
    if isinstance(b, list):
        return b[0] if b else {}
    return b or {}


def match(items, key, want, what):
    """None when some item has item[key] == want, else a reason."""
    for it in items or []:
        if it.get(key) == want:
            return None
    return f"{what} {want} not returned"


# ---------------------------------------------------------------- API Gateway

def apigw_account(c, v):
    # A singleton: what the resource manages is the account's CloudWatch role.
    acct = c.get_account()
    want = v.get("cloudwatch_role_arn") or ""
    have = acct.get("cloudwatchRoleArn") or ""
    if want and have != want:
        return f"cloudwatchRoleArn is {have or 'unset'}, state has {want}"
    return None


def apigw_api_key(c, v):
    r = c.get_api_key(apiKey=need(v, "id"))
    return None if r.get("id") == v["id"] else "api key id mismatch"


def apigw_deployment(c, v):
    # moto 5.2.1 answers an unknown deployment id with HTTP 500 (KeyError) instead of NotFound;
    # it still counts as not found (detail "500: emulator internal error page").
    r = c.get_deployment(restApiId=need(v, "rest_api_id"), deploymentId=need(v, "id"))
    return None if r.get("id") == v["id"] else "deployment id mismatch"


def apigw_integration(c, v):
    # moto 5.2.1 answers get_integration for a method without integration (or an unknown
    # method) with 200 and an empty body instead of NotFound, hence the `type` test.
    r = c.get_integration(restApiId=need(v, "rest_api_id"), resourceId=need(v, "resource_id"),
                          httpMethod=need(v, "http_method"))
    return None if r.get("type") else "no integration on the method"


def apigw_method(c, v):
    r = c.get_method(restApiId=need(v, "rest_api_id"), resourceId=need(v, "resource_id"),
                     httpMethod=need(v, "http_method"))
    return None if r.get("httpMethod") == v["http_method"] else "method not returned"


def apigw_method_settings(c, v):
    # No API of its own: the settings live in the stage's methodSettings, keyed by method_path.
    # moto 5.2.1 ignores update_stage "remove" operations, so deleting method settings has
    # no effect there (the check can still fail: unknown stage or method_path).
    r = c.get_stage(restApiId=need(v, "rest_api_id"), stageName=need(v, "stage_name"))
    path = need(v, "method_path")
    if path in (r.get("methodSettings") or {}):
        return None
    return f"stage has no methodSettings for {path}"


def apigw_resource(c, v):
    r = c.get_resource(restApiId=need(v, "rest_api_id"), resourceId=need(v, "id"))
    return None if r.get("id") == v["id"] else "resource id mismatch"


def apigw_rest_api(c, v):
    r = c.get_rest_api(restApiId=need(v, "id"))
    return None if r.get("id") == v["id"] else "rest api id mismatch"


def apigw_rest_api_policy(c, v):
    # No API of its own: the policy is the rest API's `policy` attribute (id = rest_api_id).
    # moto 5.2.1 stores it but returns it unescaped, which the provider cannot parse, so the
    # stacks apply it with count = 0 on the emulator.
    r = c.get_rest_api(restApiId=need(v, "rest_api_id", "id"))
    return None if r.get("policy") else "rest api has no policy"


def apigw_stage(c, v):
    r = c.get_stage(restApiId=need(v, "rest_api_id"), stageName=need(v, "stage_name"))
    return None if r.get("stageName") == v["stage_name"] else "stage name mismatch"


def apigw_usage_plan(c, v):
    r = c.get_usage_plan(usagePlanId=need(v, "id"))
    return None if r.get("id") == v["id"] else "usage plan id mismatch"


def apigw_usage_plan_key(c, v):
    r = c.get_usage_plan_key(usagePlanId=need(v, "usage_plan_id"), keyId=need(v, "key_id", "id"))
    return None if r.get("id") == (v.get("key_id") or v.get("id")) else "usage plan key id mismatch"


def apigw_vpc_link(c, v):
    r = c.get_vpc_link(vpcLinkId=need(v, "id"))
    if r.get("id") != v["id"]:
        return "vpc link id mismatch"
    return "status DELETING" if r.get("status") == "DELETING" else None


# ---------------------------------------------------------------- Batch

def batch_compute_environment(c, v):
    name = need(v, "compute_environment_name", "name", "id")
    r = c.describe_compute_environments(computeEnvironments=[name])
    for ce in r.get("computeEnvironments", []):
        if ce.get("computeEnvironmentName") == name or ce.get("computeEnvironmentArn") == v.get("arn"):
            return "status DELETED" if ce.get("status") == "DELETED" else None
    return f"compute environment {name} not returned"


def batch_job_queue(c, v):
    ident = need(v, "arn", "id", "name")
    r = c.describe_job_queues(jobQueues=[ident])
    for q in r.get("jobQueues", []):
        if ident in (q.get("jobQueueArn"), q.get("jobQueueName")):
            return "status DELETED" if q.get("status") == "DELETED" else None
    return f"job queue {ident} not returned"


# ---------------------------------------------------------------- CloudWatch Logs / EventBridge

def logs_log_group(c, v):
    # CloudWatch Logs has no get-by-name: describe with the exact name as prefix, then match it.
    name = need(v, "name", "id")
    r = c.describe_log_groups(logGroupNamePrefix=name)
    return match(r.get("logGroups"), "logGroupName", name, "log group")


def events_rule(c, v):
    kw = {"Name": need(v, "name")}
    bus = v.get("event_bus_name")
    if bus and bus != "default":
        kw["EventBusName"] = bus
    r = c.describe_rule(**kw)
    return None if r.get("Name") == v["name"] else "rule name mismatch"


def events_target(c, v):
    # EventBridge has no get for one target: list the rule's targets and match target_id.
    kw = {"Rule": need(v, "rule")}
    bus = v.get("event_bus_name")
    if bus and bus != "default":
        kw["EventBusName"] = bus
    r = c.list_targets_by_rule(**kw)
    return match(r.get("Targets"), "Id", need(v, "target_id"), "target")


# ---------------------------------------------------------------- RDS

def rds_instance(c, v):
    # By `identifier`, not `id`: the provider's id is the DbiResourceId, and moto gives a
    # read replica the same DbiResourceId as its source (describe by filter returns both).
    # Read replicas are the same type and are checked the same way.
    ident = need(v, "identifier")
    r = c.describe_db_instances(DBInstanceIdentifier=ident)
    for db in r.get("DBInstances", []):
        if db.get("DBInstanceIdentifier") == ident:
            return "status deleting" if db.get("DBInstanceStatus") == "deleting" else None
    return f"db instance {ident} not returned"


def rds_parameter_group(c, v):
    name = need(v, "name", "id")
    r = c.describe_db_parameter_groups(DBParameterGroupName=name)
    return match(r.get("DBParameterGroups"), "DBParameterGroupName", name, "parameter group")


def rds_subnet_group(c, v):
    name = need(v, "name", "id")
    r = c.describe_db_subnet_groups(DBSubnetGroupName=name)
    return match(r.get("DBSubnetGroups"), "DBSubnetGroupName", name, "subnet group")


# ---------------------------------------------------------------- DynamoDB

def dynamodb_table(c, v):
    name = need(v, "name", "id")
    t = c.describe_table(TableName=name).get("Table", {})
    if t.get("TableName") != name:
        return "table name mismatch"
    return "status DELETING" if t.get("TableStatus") == "DELETING" else None


# ---------------------------------------------------------------- ECS / ECR

def ecs_cluster(c, v):
    ident = need(v, "arn", "id", "name")
    r = c.describe_clusters(clusters=[ident])
    for cl in r.get("clusters", []):
        if ident in (cl.get("clusterArn"), cl.get("clusterName")):
            return "status INACTIVE" if cl.get("status") == "INACTIVE" else None
    return f"cluster {ident} not returned"


def ecs_service(c, v):
    ident = need(v, "id", "name")
    r = c.describe_services(cluster=need(v, "cluster"), services=[ident])
    for s in r.get("services", []):
        if ident in (s.get("serviceArn"), s.get("serviceName")):
            return "status INACTIVE" if s.get("status") == "INACTIVE" else None
    return f"service {ident} not returned"


def ecs_task_definition(c, v):
    arn = need(v, "arn", "arn_without_revision")
    td = c.describe_task_definition(taskDefinition=arn).get("taskDefinition", {})
    if td.get("taskDefinitionArn") != arn:
        return "task definition arn mismatch"
    # Deregistered revisions stay describable; they are gone for Terraform.
    return "status INACTIVE (deregistered)" if td.get("status") == "INACTIVE" else None


def ecr_repository(c, v):
    name = need(v, "name", "id")
    r = c.describe_repositories(repositoryNames=[name])
    return match(r.get("repositories"), "repositoryName", name, "repository")


def ecr_lifecycle_policy(c, v):
    repo = need(v, "repository", "id")
    r = c.get_lifecycle_policy(repositoryName=repo)
    return None if r.get("lifecyclePolicyText") else "repository has no lifecycle policy"


# ---------------------------------------------------------------- EC2 / VPC

def ec2_vpc(c, v):
    r = c.describe_vpcs(VpcIds=[need(v, "id")])
    return match(r.get("Vpcs"), "VpcId", v["id"], "vpc")


def ec2_subnet(c, v):
    r = c.describe_subnets(SubnetIds=[need(v, "id")])
    return match(r.get("Subnets"), "SubnetId", v["id"], "subnet")


def ec2_security_group(c, v):
    r = c.describe_security_groups(GroupIds=[need(v, "id")])
    return match(r.get("SecurityGroups"), "GroupId", v["id"], "security group")


def ec2_sg_rule(egress):
    def check(c, v):
        rid = need(v, "security_group_rule_id", "id")
        r = c.describe_security_group_rules(SecurityGroupRuleIds=[rid])
        for rule in r.get("SecurityGroupRules", []):
            if rule.get("SecurityGroupRuleId") == rid:
                if bool(rule.get("IsEgress")) != egress:
                    return f"rule {rid} is {'ingress' if egress else 'egress'}"
                return None
        return f"security group rule {rid} not returned"
    return check


def ec2_internet_gateway(c, v):
    r = c.describe_internet_gateways(InternetGatewayIds=[need(v, "id")])
    return match(r.get("InternetGateways"), "InternetGatewayId", v["id"], "internet gateway")


def ec2_eip(c, v):
    alloc = need(v, "allocation_id", "id")
    r = c.describe_addresses(AllocationIds=[alloc])
    return match(r.get("Addresses"), "AllocationId", alloc, "address")


def ec2_nat_gateway(c, v):
    r = c.describe_nat_gateways(NatGatewayIds=[need(v, "id")])
    for n in r.get("NatGateways", []):
        if n.get("NatGatewayId") == v["id"]:
            st = n.get("State")
            return f"state {st}" if st in ("deleting", "deleted", "failed") else None
    return f"nat gateway {v['id']} not returned"


def ec2_route_table(c, v):
    r = c.describe_route_tables(RouteTableIds=[need(v, "id")])
    return match(r.get("RouteTables"), "RouteTableId", v["id"], "route table")


def ec2_route(c, v):
    # A route has no id of its own in the API: describe its table, match the destination.
    rtb = need(v, "route_table_id")
    dests = [("DestinationCidrBlock", v.get("destination_cidr_block")),
             ("DestinationIpv6CidrBlock", v.get("destination_ipv6_cidr_block")),
             ("DestinationPrefixListId", v.get("destination_prefix_list_id"))]
    key, want = next(((k, d) for k, d in dests if d), (None, None))
    if not key:
        raise Missing("state has no route destination")
    r = c.describe_route_tables(RouteTableIds=[rtb])
    for t in r.get("RouteTables", []):
        if t.get("RouteTableId") == rtb:
            return match(t.get("Routes"), key, want, "route to")
    return f"route table {rtb} not returned"


def ec2_route_table_association(c, v):
    # No describe for an association: describe its table and match the association id.
    rtb = need(v, "route_table_id")
    r = c.describe_route_tables(RouteTableIds=[rtb])
    for t in r.get("RouteTables", []):
        if t.get("RouteTableId") == rtb:
            return match(t.get("Associations"), "RouteTableAssociationId", need(v, "id"), "association")
    return f"route table {rtb} not returned"


def ec2_vpc_endpoint(c, v):
    r = c.describe_vpc_endpoints(VpcEndpointIds=[need(v, "id")])
    for e in r.get("VpcEndpoints", []):
        if e.get("VpcEndpointId") == v["id"]:
            st = (e.get("State") or "").lower()
            return f"state {st}" if st in ("deleting", "deleted", "failed") else None
    return f"vpc endpoint {v['id']} not returned"


def ec2_flow_log(c, v):
    r = c.describe_flow_logs(FlowLogIds=[need(v, "id")])
    return match(r.get("FlowLogs"), "FlowLogId", v["id"], "flow log")


def ec2_launch_template(c, v):
    r = c.describe_launch_templates(LaunchTemplateIds=[need(v, "id")])
    return match(r.get("LaunchTemplates"), "LaunchTemplateId", v["id"], "launch template")


# ---------------------------------------------------------------- ELBv2

def elb_lb(c, v):
    arn = need(v, "arn", "id")
    r = c.describe_load_balancers(LoadBalancerArns=[arn])
    return match(r.get("LoadBalancers"), "LoadBalancerArn", arn, "load balancer")


def elb_listener(c, v):
    arn = need(v, "arn", "id")
    r = c.describe_listeners(ListenerArns=[arn])
    return match(r.get("Listeners"), "ListenerArn", arn, "listener")


def elb_listener_rule(c, v):
    arn = need(v, "arn", "id")
    r = c.describe_rules(RuleArns=[arn])
    return match(r.get("Rules"), "RuleArn", arn, "rule")


def elb_target_group(c, v):
    arn = need(v, "arn", "id")
    r = c.describe_target_groups(TargetGroupArns=[arn])
    return match(r.get("TargetGroups"), "TargetGroupArn", arn, "target group")


# ---------------------------------------------------------------- IAM

def iam_role(c, v):
    name = need(v, "name", "id")
    r = c.get_role(RoleName=name)
    return None if r.get("Role", {}).get("RoleName") == name else "role name mismatch"


def iam_role_policy(c, v):
    role, name = need(v, "role"), need(v, "name")
    r = c.get_role_policy(RoleName=role, PolicyName=name)
    return None if r.get("PolicyName") == name else "policy name mismatch"


def iam_role_policy_attachment(c, v):
    # IAM has no get for one attachment: list the role's attached policies, match the ARN.
    role, arn = need(v, "role"), need(v, "policy_arn")
    pages = c.get_paginator("list_attached_role_policies").paginate(RoleName=role)
    items = [p for page in pages for p in page.get("AttachedPolicies", [])]
    return match(items, "PolicyArn", arn, "attached policy")


def iam_policy(c, v):
    arn = need(v, "arn", "id")
    r = c.get_policy(PolicyArn=arn)
    return None if r.get("Policy", {}).get("Arn") == arn else "policy arn mismatch"


def iam_instance_profile(c, v):
    name = need(v, "name", "id")
    r = c.get_instance_profile(InstanceProfileName=name)
    return None if r.get("InstanceProfile", {}).get("InstanceProfileName") == name else "profile name mismatch"


# ---------------------------------------------------------------- KMS

def kms_key(c, v):
    kid = need(v, "key_id", "id")
    m = c.describe_key(KeyId=kid).get("KeyMetadata", {})
    if m.get("KeyId") != kid:
        return "key id mismatch"
    st = m.get("KeyState")
    return f"KeyState {st}" if st in ("PendingDeletion", "PendingReplicaDeletion") else None


def kms_alias(c, v):
    # describe_key resolves an alias name; the alias exists when it resolves to its target key.
    name = need(v, "name", "id")
    m = c.describe_key(KeyId=name).get("KeyMetadata", {})
    want = v.get("target_key_id")
    if want and want not in (m.get("KeyId"), m.get("Arn")):
        return f"alias points to {m.get('KeyId')}, state has {want}"
    return None


# ---------------------------------------------------------------- S3

def s3_bucket(c, v):
    c.head_bucket(Bucket=need(v, "bucket", "id"))
    return None


def s3_lifecycle(c, v):
    r = c.get_bucket_lifecycle_configuration(Bucket=need(v, "bucket", "id"))
    return None if r.get("Rules") else "no lifecycle rules"


def s3_ownership(c, v):
    r = c.get_bucket_ownership_controls(Bucket=need(v, "bucket", "id"))
    return None if r.get("OwnershipControls", {}).get("Rules") else "no ownership controls"


def s3_policy(c, v):
    r = c.get_bucket_policy(Bucket=need(v, "bucket", "id"))
    return None if r.get("Policy") else "no bucket policy"


def s3_public_access_block(c, v):
    r = c.get_public_access_block(Bucket=need(v, "bucket", "id"))
    return None if r.get("PublicAccessBlockConfiguration") else "no public access block"


def s3_sse(c, v):
    # Buckets always have a default (SSE-S3) encryption, so match the state's algorithm.
    r = c.get_bucket_encryption(Bucket=need(v, "bucket", "id"))
    rules = r.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    want = first_block(first_block(v, "rule"), "apply_server_side_encryption_by_default").get("sse_algorithm")
    have = [x.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for x in rules]
    if not rules:
        return "no encryption rules"
    if want and want not in have:
        return f"SSEAlgorithm is {have}, state has {want}"
    return None


def s3_versioning(c, v):
    # Versioning cannot be removed, only suspended: match the state's status.
    bucket = need(v, "bucket", "id")
    want = first_block(v, "versioning_configuration").get("status")
    have = c.get_bucket_versioning(Bucket=bucket).get("Status")
    if want == "Disabled":
        c.head_bucket(Bucket=bucket)
        return None if not have else f"versioning is {have}, state has Disabled"
    if not have:
        return "versioning never enabled"
    return None if (not want or have == want) else f"versioning is {have}, state has {want}"


# ---------------------------------------------------------------- Cognito / Secrets Manager / Step Functions

def cognito_user_pool(c, v):
    r = c.describe_user_pool(UserPoolId=need(v, "id"))
    return None if r.get("UserPool", {}).get("Id") == v["id"] else "user pool id mismatch"


def cognito_user_pool_client(c, v):
    r = c.describe_user_pool_client(UserPoolId=need(v, "user_pool_id"), ClientId=need(v, "id"))
    return None if r.get("UserPoolClient", {}).get("ClientId") == v["id"] else "client id mismatch"


def cognito_user_pool_domain(c, v):
    # Real AWS answers an unknown domain with an empty DomainDescription, not an error.
    dom = need(v, "domain", "id")
    d = c.describe_user_pool_domain(Domain=dom).get("DomainDescription") or {}
    if d.get("Domain") != dom:
        return f"domain {dom} not returned"
    want = v.get("user_pool_id")
    if want and d.get("UserPoolId") != want:
        return f"domain belongs to {d.get('UserPoolId')}, state has {want}"
    return None


def secretsmanager_secret(c, v):
    arn = need(v, "arn", "id")
    r = c.describe_secret(SecretId=arn)
    if r.get("ARN") != arn:
        return "secret arn mismatch"
    return "scheduled for deletion" if r.get("DeletedDate") else None


def secretsmanager_secret_rotation(c, v):
    # The rotation is a setting of its secret: the secret must have rotation on, every so many days.
    secret = need(v, "secret_id", "id")
    r = c.describe_secret(SecretId=secret)
    if not r.get("RotationEnabled"):
        return "rotation is not enabled on the secret"
    wanted = (v.get("rotation_rules") or [{}])[0].get("automatically_after_days")
    got = (r.get("RotationRules") or {}).get("AutomaticallyAfterDays")
    return None if wanted is None or wanted == got else "rotates every %s days, not %s" % (got, wanted)


def sfn_state_machine(c, v):
    # moto 5.2.1 lacks ValidateStateMachineDefinition (plan) and ListStateMachineVersions (read); the
    # project's emulator launcher answers both (flow/emulator/gaps.ts SHIMMED).
    arn = need(v, "arn", "id")
    r = c.describe_state_machine(stateMachineArn=arn)
    if r.get("stateMachineArn") != arn:
        return "state machine arn mismatch"
    return "status DELETING" if r.get("status") == "DELETING" else None


# ---------------------------------------------------------------- the table

CHECKS = {
    "aws_api_gateway_account": ("apigateway", "get_account", apigw_account),
    "aws_api_gateway_api_key": ("apigateway", "get_api_key", apigw_api_key),
    "aws_api_gateway_deployment": ("apigateway", "get_deployment", apigw_deployment),
    "aws_api_gateway_integration": ("apigateway", "get_integration", apigw_integration),
    "aws_api_gateway_method": ("apigateway", "get_method", apigw_method),
    "aws_api_gateway_method_settings": ("apigateway", "get_stage", apigw_method_settings),
    "aws_api_gateway_resource": ("apigateway", "get_resource", apigw_resource),
    "aws_api_gateway_rest_api": ("apigateway", "get_rest_api", apigw_rest_api),
    "aws_api_gateway_rest_api_policy": ("apigateway", "get_rest_api", apigw_rest_api_policy),
    "aws_api_gateway_stage": ("apigateway", "get_stage", apigw_stage),
    "aws_api_gateway_usage_plan": ("apigateway", "get_usage_plan", apigw_usage_plan),
    "aws_api_gateway_usage_plan_key": ("apigateway", "get_usage_plan_key", apigw_usage_plan_key),
    "aws_api_gateway_vpc_link": ("apigateway", "get_vpc_link", apigw_vpc_link),
    "aws_batch_compute_environment": ("batch", "describe_compute_environments", batch_compute_environment),
    "aws_batch_job_queue": ("batch", "describe_job_queues", batch_job_queue),
    "aws_cloudwatch_event_rule": ("events", "describe_rule", events_rule),
    "aws_cloudwatch_event_target": ("events", "list_targets_by_rule", events_target),
    "aws_cloudwatch_log_group": ("logs", "describe_log_groups", logs_log_group),
    "aws_cognito_user_pool": ("cognito-idp", "describe_user_pool", cognito_user_pool),
    "aws_cognito_user_pool_client": ("cognito-idp", "describe_user_pool_client", cognito_user_pool_client),
    "aws_cognito_user_pool_domain": ("cognito-idp", "describe_user_pool_domain", cognito_user_pool_domain),
    "aws_db_instance": ("rds", "describe_db_instances", rds_instance),
    "aws_db_parameter_group": ("rds", "describe_db_parameter_groups", rds_parameter_group),
    "aws_db_subnet_group": ("rds", "describe_db_subnet_groups", rds_subnet_group),
    "aws_default_security_group": ("ec2", "describe_security_groups", ec2_security_group),
    "aws_dynamodb_table": ("dynamodb", "describe_table", dynamodb_table),
    "aws_ecr_lifecycle_policy": ("ecr", "get_lifecycle_policy", ecr_lifecycle_policy),
    "aws_ecr_repository": ("ecr", "describe_repositories", ecr_repository),
    "aws_ecs_cluster": ("ecs", "describe_clusters", ecs_cluster),
    "aws_ecs_service": ("ecs", "describe_services", ecs_service),
    "aws_ecs_task_definition": ("ecs", "describe_task_definition", ecs_task_definition),
    "aws_eip": ("ec2", "describe_addresses", ec2_eip),
    "aws_flow_log": ("ec2", "describe_flow_logs", ec2_flow_log),
    "aws_iam_instance_profile": ("iam", "get_instance_profile", iam_instance_profile),
    "aws_iam_policy": ("iam", "get_policy", iam_policy),
    "aws_iam_role": ("iam", "get_role", iam_role),
    "aws_iam_role_policy": ("iam", "get_role_policy", iam_role_policy),
    "aws_iam_role_policy_attachment": ("iam", "list_attached_role_policies", iam_role_policy_attachment),
    "aws_internet_gateway": ("ec2", "describe_internet_gateways", ec2_internet_gateway),
    "aws_kms_alias": ("kms", "describe_key", kms_alias),
    "aws_kms_key": ("kms", "describe_key", kms_key),
    "aws_launch_template": ("ec2", "describe_launch_templates", ec2_launch_template),
    "aws_lb": ("elbv2", "describe_load_balancers", elb_lb),
    "aws_lb_listener": ("elbv2", "describe_listeners", elb_listener),
    "aws_lb_listener_rule": ("elbv2", "describe_rules", elb_listener_rule),
    "aws_lb_target_group": ("elbv2", "describe_target_groups", elb_target_group),
    "aws_nat_gateway": ("ec2", "describe_nat_gateways", ec2_nat_gateway),
    "aws_route": ("ec2", "describe_route_tables", ec2_route),
    "aws_route_table": ("ec2", "describe_route_tables", ec2_route_table),
    "aws_route_table_association": ("ec2", "describe_route_tables", ec2_route_table_association),
    "aws_s3_bucket": ("s3", "head_bucket", s3_bucket),
    "aws_s3_bucket_lifecycle_configuration": ("s3", "get_bucket_lifecycle_configuration", s3_lifecycle),
    "aws_s3_bucket_ownership_controls": ("s3", "get_bucket_ownership_controls", s3_ownership),
    "aws_s3_bucket_policy": ("s3", "get_bucket_policy", s3_policy),
    "aws_s3_bucket_public_access_block": ("s3", "get_public_access_block", s3_public_access_block),
    "aws_s3_bucket_server_side_encryption_configuration": ("s3", "get_bucket_encryption", s3_sse),
    "aws_s3_bucket_versioning": ("s3", "get_bucket_versioning", s3_versioning),
    "aws_secretsmanager_secret": ("secretsmanager", "describe_secret", secretsmanager_secret),
    "aws_secretsmanager_secret_rotation": ("secretsmanager", "describe_secret", secretsmanager_secret_rotation),
    "aws_security_group": ("ec2", "describe_security_groups", ec2_security_group),
    "aws_sfn_state_machine": ("stepfunctions", "describe_state_machine", sfn_state_machine),
    "aws_subnet": ("ec2", "describe_subnets", ec2_subnet),
    "aws_vpc": ("ec2", "describe_vpcs", ec2_vpc),
    "aws_vpc_endpoint": ("ec2", "describe_vpc_endpoints", ec2_vpc_endpoint),
    "aws_vpc_security_group_egress_rule": ("ec2", "describe_security_group_rules", ec2_sg_rule(True)),
    "aws_vpc_security_group_ingress_rule": ("ec2", "describe_security_group_rules", ec2_sg_rule(False)),
}


# ---------------------------------------------------------------- plumbing

class BadInput(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise BadInput(message)


def load_resources(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file")
    except IsADirectoryError:
        raise BadInput(f"{path}: is a directory")
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"{path}: cannot read: {e}")
    except json.JSONDecodeError as e:
        raise BadInput(f"{path}: not JSON ({e.msg} at line {e.lineno})")
    values = doc.get("values") if isinstance(doc, dict) else None
    if not isinstance(values, dict) or not isinstance(values.get("root_module"), dict):
        raise BadInput(f"{path}: no values.root_module (not `terraform show -json` output of a non-empty state)")
    out, stack = [], [values["root_module"]]
    while stack:
        mod = stack.pop(0)
        for r in mod.get("resources") or []:
            if isinstance(r, dict) and r.get("mode") == "managed":
                out.append(r)
        stack.extend(m for m in mod.get("child_modules") or [] if isinstance(m, dict))
    return out


def region_of(values, default):
    for key in ("arn", "id"):
        x = values.get(key)
        if isinstance(x, str) and x.startswith("arn:"):
            parts = x.split(":", 5)
            if len(parts) == 6 and parts[3]:
                return parts[3]
    if isinstance(values.get("region"), str) and values["region"]:
        return values["region"]
    return default


class Clients:
    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.cache = {}

    def get(self, service, region):
        key = (service, region)
        if key not in self.cache:
            cfg = Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 2},
                         s3={"addressing_style": "path"})
            kw = {"region_name": region, "config": cfg}
            if self.endpoint:
                kw["endpoint_url"] = self.endpoint
            self.cache[key] = boto3.session.Session().client(service, **kw)
        return self.cache[key]


def short(s, n=200):
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[: n - 3] + "..."


def check_one(clients, r, default_region):
    rtype = r.get("type")
    service, op, fn = CHECKS[rtype]
    values = r.get("values") or {}
    entry = {"address": r.get("address"), "type": rtype, "found": False, "how": f"{service}.{op}", "detail": ""}
    try:
        client = clients.get(service, region_of(values, default_region))
        reason = fn(client, values)
    except Missing as e:
        reason = str(e)
    except ClientError as e:
        err = e.response.get("Error", {})
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code, msg = err.get("Code") or status, err.get("Message") or ""
        if "<html" in msg.lower() or "<!doctype" in msg.lower():
            # moto answers some unknown ids with an internal error page instead of NotFound
            msg = "emulator internal error page (unknown id?)"
        reason = f"{code}: {msg}".rstrip(": ")
    except BotoCoreError as e:
        reason = f"{type(e).__name__}: {e}"
    except Exception as e:  # never a stack trace; report and go on
        reason = f"{type(e).__name__}: {e}"
    if reason is None:
        entry["found"] = True
    else:
        entry["detail"] = short(reason)
    return entry


def main(argv):
    p = Parser(description="Check that every managed resource of a Terraform state exists in the emulator.")
    p.add_argument("state_json", help="file holding `terraform show -json` output")
    p.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION"),
                   help="region for resources without one in their ARN (default: AWS_DEFAULT_REGION)")
    args = p.parse_args(argv)
    resources = load_resources(args.state_json)
    if not args.region and any(r.get("type") in CHECKS for r in resources):
        raise BadInput("no region: set AWS_DEFAULT_REGION or pass --region")
    clients = Clients(os.environ.get("AWS_ENDPOINT_URL"))
    checked, unsupported = [], set()
    for r in resources:
        if r.get("type") in CHECKS:
            checked.append(check_one(clients, r, args.region))
        else:
            unsupported.add(str(r.get("type")))
    json.dump({"checked": checked, "unsupported": sorted(unsupported)}, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BadInput as e:
        print(f"inventory.py: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("inventory.py: interrupted", file=sys.stderr)
        sys.exit(130)
