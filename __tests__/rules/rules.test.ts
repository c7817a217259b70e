import { Fn } from "cdktf";
import { BatchComputeEnvironment } from "@cdktf/provider-aws/lib/batch-compute-environment";
import { BatchJobDefinition } from "@cdktf/provider-aws/lib/batch-job-definition";
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { CognitoUserPool } from "@cdktf/provider-aws/lib/cognito-user-pool";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener, LbListenerDefaultAction } from "@cdktf/provider-aws/lib/lb-listener";
import { LbListenerRule, LbListenerRuleAction } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketAcl } from "@cdktf/provider-aws/lib/s3-bucket-acl";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { TerraformStack } from "cdktf";
import { ALL_RULES } from "../../modules/rules";
import { policyJson, PolicyStatement } from "../../modules/policy";
import { Role } from "../../modules/role";
import { SecureBucket } from "../../modules/secure-bucket";
import { Build, database, findings, kmsKey, launchTemplate, logGroup, override, restApi, secureBucket, securityGroup, table, vpc } from "./fixtures";

/**
 * One case per rule: every `unsafe` stack makes the rule fire (at its level, with its fix in the message),
 * every `safe` one leaves it quiet. Unsafe variants are mostly a safe resource with one `addOverride`, so
 * they also show the pack reads the synthesized JSON, escape hatches included.
 */
interface RuleCase {
  readonly unsafe: Record<string, Build>;
  readonly safe: Record<string, Build>;
  /** The stack's environment. @default "prod" */
  readonly environment?: string;
}

/** SecureBucket with SSE-KMS under a rotated key. */
const kmsBucket = (s: TerraformStack) =>
  new SecureBucket(s, "kms-bucket", { name: "kms-bucket", kmsKey: kmsKey(s), noncurrentVersionRetentionDays: 30, abortIncompleteUploadsAfterDays: 7 });
const bareBucket = (s: TerraformStack) => new S3Bucket(s, "bare", { bucket: "bare-bucket" });
const bucketPolicy = (s: TerraformStack, statements: PolicyStatement[]) => {
  const b = secureBucket(s);
  new S3BucketPolicy(s, "extra-policy", { bucket: b.bucket.id, policy: policyJson(statements) });
};
const iamPolicy = (s: TerraformStack, statements: PolicyStatement[]) =>
  new IamPolicy(s, "policy", { name: "p", policy: policyJson(statements) });
const trust = (s: TerraformStack, principal: unknown) =>
  new IamRole(s, "role", {
    name: "r",
    assumeRolePolicy: Fn.jsonencode({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["sts:AssumeRole"], Principal: principal }] }),
  });
const ingressRule = (s: TerraformStack, props: Partial<ConstructorParameters<typeof VpcSecurityGroupIngressRule>[2]>) =>
  new VpcSecurityGroupIngressRule(s, "ingress", {
    securityGroupId: "sg-0123456789abcdef0",
    ipProtocol: "tcp",
    fromPort: 443,
    toPort: 443,
    cidrIpv4: "10.0.0.0/16",
    description: "HTTPS from the VPC",
    ...props,
  });
const taskDefinition = (s: TerraformStack, container: Record<string, unknown>) =>
  new EcsTaskDefinition(s, "task", {
    family: "f",
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: "256",
    memory: "512",
    containerDefinitions: Fn.jsonencode([{ name: "app", image: "app:1", ...container }]),
  });
const ecsService = (s: TerraformStack, assignPublicIp: boolean) =>
  new EcsService(s, "service", {
    name: "svc",
    launchType: "FARGATE",
    networkConfiguration: { subnets: ["subnet-0123456789abcdef0"], securityGroups: ["sg-0123456789abcdef0"], assignPublicIp },
  });
const computeEnvironment = (s: TerraformStack, type: string, withTemplate: boolean) => {
  const lt = withTemplate ? launchTemplate(s) : undefined;
  new BatchComputeEnvironment(s, "ce", {
    type: "MANAGED",
    computeResources: {
      type,
      maxVcpus: 16,
      subnets: ["subnet-0123456789abcdef0"],
      securityGroupIds: ["sg-0123456789abcdef0"],
      ...(type.startsWith("FARGATE") ? {} : { instanceType: ["optimal"], instanceRole: "arn:aws:iam::123456789012:instance-profile/x" }),
      ...(lt && { launchTemplate: { launchTemplateId: lt.id } }),
    },
  });
};

/** An application load balancer as the UI makes it: HTTPS, TLS 1.3, clean headers; with listeners of `listeners`. */
const COGNITO_SIGN_IN: LbListenerRuleAction = {
  type: "authenticate-cognito",
  order: 1,
  authenticateCognito: { userPoolArn: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_x", userPoolClientId: "client", userPoolDomain: "metaflow-ui" },
};
const FORWARD = (order = 2): LbListenerRuleAction => ({ type: "forward", order, targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/ui/1" });
const REDIRECT: LbListenerDefaultAction = { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } };
const NOT_FOUND: LbListenerDefaultAction = { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404" } };
interface AlbShape {
  readonly lb?: Record<string, unknown>;
  readonly http?: LbListenerDefaultAction[];
  readonly httpsDefault?: LbListenerDefaultAction[];
  readonly https?: Record<string, unknown>;
  /** Actions of one rule on the HTTPS listener. @default sign in, then forward */
  readonly rule?: LbListenerRuleAction[];
  /** Actions of one rule on the HTTP listener. @default no such rule */
  readonly httpRule?: LbListenerRuleAction[];
}
const alb = (s: TerraformStack, shape: AlbShape = {}) => {
  const lb = override(new Lb(s, "alb", { name: "ui", internal: false, loadBalancerType: "application", subnets: ["subnet-1", "subnet-2"], dropInvalidHeaderFields: true }), shape.lb);
  const http = new LbListener(s, "http", { loadBalancerArn: lb.arn, port: 80, protocol: "HTTP", defaultAction: shape.http ?? [REDIRECT] });
  const https = override(
    new LbListener(s, "https", {
      loadBalancerArn: lb.arn, port: 443, protocol: "HTTPS", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x",
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", defaultAction: shape.httpsDefault ?? [NOT_FOUND],
    }),
    shape.https,
  );
  new LbListenerRule(s, "rule", { listenerArn: https.arn, priority: 10, condition: [{ pathPattern: { values: ["/*"] } }], action: shape.rule ?? [COGNITO_SIGN_IN, FORWARD()] });
  if (shape.httpRule) new LbListenerRule(s, "http-rule", { listenerArn: http.arn, priority: 10, condition: [{ pathPattern: { values: ["/*"] } }], action: shape.httpRule });
};
/** A user pool as UserPool makes it, with overrides. */
const userPool = (s: TerraformStack, overrides: Record<string, unknown> = {}) =>
  override(
    new CognitoUserPool(s, "pool", {
      name: "ui",
      adminCreateUserConfig: { allowAdminCreateUserOnly: true },
      mfaConfiguration: "ON",
      softwareTokenMfaConfiguration: { enabled: true },
      passwordPolicy: { minimumLength: 14, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true, temporaryPasswordValidityDays: 3 },
      deletionProtection: "ACTIVE",
    }),
    overrides,
  );

const CASES: Record<string, RuleCase> = {
  // --- S3
  "MF-S3-1": {
    unsafe: {
      "a bucket without a public access block": bareBucket,
      "a public access block with restrict_public_buckets off (override)": (s) => secureBucket(s, { "public-access-block": { restrict_public_buckets: false } }),
    },
    safe: { SecureBucket: (s) => secureBucket(s) },
  },
  "MF-S3-2": {
    unsafe: {
      "a bucket without default encryption": bareBucket,
      "encryption without an algorithm (override)": (s) =>
        secureBucket(s, { encryption: { "rule.0.apply_server_side_encryption_by_default": undefined } }),
    },
    safe: { "SecureBucket (SSE-S3)": (s) => secureBucket(s), "SecureBucket with a KMS key": (s) => kmsBucket(s) },
  },
  "MF-S3-3": {
    unsafe: {
      "a bucket without a policy": bareBucket,
      "a policy that only denies old TLS (override)": (s) =>
        secureBucket(s, {
          policy: {
            policy: policyJson([
              { Effect: "Deny", Principal: "*", Action: ["s3:*"], Resource: "*", Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } },
            ]),
          },
        }),
    },
    safe: { SecureBucket: (s) => secureBucket(s) },
  },
  "MF-S3-4": {
    unsafe: {
      "a bucket without versioning": bareBucket,
      "versioning Suspended (override)": (s) => secureBucket(s, { versioning: { "versioning_configuration.status": "Suspended" } }),
    },
    safe: { SecureBucket: (s) => secureBucket(s) },
  },
  "MF-S3-5": {
    unsafe: {
      "a public-read bucket ACL": (s) => new S3BucketAcl(s, "acl", { bucket: secureBucket(s).bucket.id, acl: "public-read" }),
      "a grant to AllUsers": (s) =>
        new S3BucketAcl(s, "acl", {
          bucket: secureBucket(s).bucket.id,
          accessControlPolicy: {
            owner: { id: "owner" },
            grant: [{ permission: "READ", grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" } }],
          },
        }),
      "a legacy acl argument on the bucket": (s) => new S3Bucket(s, "legacy", { bucket: "legacy", acl: "public-read-write" }),
    },
    safe: { "a private ACL": (s) => new S3BucketAcl(s, "acl", { bucket: secureBucket(s).bucket.id, acl: "private" }) },
  },
  "MF-S3-6": {
    unsafe: {
      'an Allow to Principal "*"': (s) => bucketPolicy(s, [{ Sid: "Public", Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: "*" }]),
      'an Allow to AWS "*" with a TLS-only condition': (s) =>
        bucketPolicy(s, [{ Effect: "Allow", Principal: { AWS: "*" }, Action: ["s3:GetObject"], Resource: "*", Condition: { Bool: { "aws:SecureTransport": "true" } } }]),
    },
    safe: {
      "SecureBucket's deny-only policy": (s) => secureBucket(s),
      'an Allow to "*" narrowed to one VPC endpoint': (s) =>
        bucketPolicy(s, [{ Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: "*", Condition: { StringEquals: { "aws:SourceVpce": "vpce-0123456789abcdef0" } } }]),
    },
  },
  "MF-S3-7": {
    unsafe: {
      "a bucket without ownership controls": bareBucket,
      "ObjectWriter ownership (override)": (s) => secureBucket(s, { ownership: { "rule.object_ownership": "ObjectWriter" } }),
    },
    safe: { SecureBucket: (s) => secureBucket(s) },
  },
  // --- RDS
  "MF-RDS-1": {
    unsafe: { "storage_encrypted false (override)": (s) => database(s, { storage_encrypted: false }) },
    safe: { "an encrypted instance": (s) => database(s) },
  },
  "MF-RDS-2": {
    unsafe: { "publicly_accessible true (override)": (s) => database(s, { publicly_accessible: true }) },
    safe: { "a private instance": (s) => database(s) },
  },
  "MF-RDS-3": {
    environment: "prod",
    unsafe: { "multi_az false in prod": (s) => database(s, { multi_az: false }) },
    safe: { "multi_az true in prod": (s) => database(s) },
  },
  "MF-RDS-4": {
    unsafe: {
      "backups kept 3 days": (s) => database(s, { backup_retention_period: 3 }),
      "no backup_retention_period": (s) => database(s, { backup_retention_period: undefined }),
    },
    safe: { "7 days": (s) => database(s), "35 days": (s) => database(s, { backup_retention_period: 35 }) },
  },
  "MF-RDS-5": {
    unsafe: { "deletion_protection false": (s) => database(s, { deletion_protection: false }) },
    safe: { "deletion_protection true": (s) => database(s) },
  },
  "MF-RDS-6": {
    unsafe: {
      "a password argument": (s) => database(s, { manage_master_user_password: undefined, password: "hunter2hunter2" }),
      "manage_master_user_password off": (s) => database(s, { manage_master_user_password: false }),
    },
    safe: { "an RDS-managed password": (s) => database(s) },
  },
  "MF-RDS-7": {
    unsafe: { "skip_final_snapshot true": (s) => database(s, { skip_final_snapshot: true }) },
    safe: { "a final snapshot": (s) => database(s) },
  },
  // --- security groups
  "MF-SG-1": {
    unsafe: {
      "inline ingress from 0.0.0.0/0": (s) => securityGroup(s, { "ingress.0.cidr_blocks": ["0.0.0.0/0"] }),
      "inline ingress from ::/0": (s) => securityGroup(s, { "ingress.0.ipv6_cidr_blocks": ["::/0"] }),
      "an aws_vpc_security_group_ingress_rule from 0.0.0.0/0": (s) => ingressRule(s, { cidrIpv4: "0.0.0.0/0" }),
      "an aws_vpc_security_group_ingress_rule from ::/0": (s) => ingressRule(s, { cidrIpv4: undefined, cidrIpv6: "::/0" }),
      "an aws_security_group_rule from 0.0.0.0/0": (s) =>
        new SecurityGroupRule(s, "legacy", { type: "ingress", securityGroupId: "sg-1", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"], description: "ssh" }),
    },
    safe: {
      "ingress from the VPC": (s) => securityGroup(s),
      "an ingress rule from a security group": (s) => ingressRule(s, { cidrIpv4: undefined, referencedSecurityGroupId: "sg-0123456789abcdef1" }),
      "egress to 0.0.0.0/0 (not ingress)": (s) => new VpcSecurityGroupEgressRule(s, "egress", { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "HTTPS out" }),
    },
  },
  "MF-SG-2": {
    unsafe: {
      "inline ingress of every protocol": (s) => securityGroup(s, { "ingress.0.protocol": "-1", "ingress.0.from_port": 0, "ingress.0.to_port": 0 }),
      "an ingress rule with ip_protocol -1 from a group": (s) => ingressRule(s, { ipProtocol: "-1", fromPort: undefined, toPort: undefined, cidrIpv4: undefined, referencedSecurityGroupId: "sg-2" }),
      "an ingress rule over tcp 0-65535": (s) => ingressRule(s, { fromPort: 0, toPort: 65535 }),
    },
    safe: {
      "one port": (s) => ingressRule(s, {}),
      "ICMP of every type": (s) => ingressRule(s, { ipProtocol: "icmp", fromPort: -1, toPort: -1 }),
    },
  },
  "MF-SG-3": {
    unsafe: {
      "inline egress of everything to 0.0.0.0/0": (s) =>
        securityGroup(s, { egress: [{ description: "all", protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["0.0.0.0/0"] }] }),
      "an egress rule of everything to ::/0": (s) => new VpcSecurityGroupEgressRule(s, "egress", { securityGroupId: "sg-1", ipProtocol: "-1", cidrIpv6: "::/0", description: "all" }),
    },
    safe: {
      "HTTPS egress to 0.0.0.0/0": (s) => new VpcSecurityGroupEgressRule(s, "egress", { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "HTTPS out" }),
      "no egress at all": (s) => securityGroup(s),
    },
  },
  "MF-SG-4": {
    unsafe: {
      "a group without a description": (s) => securityGroup(s, { description: undefined }),
      "an inline rule without a description": (s) => securityGroup(s, { "ingress.0.description": "" }),
      "a standalone rule without a description": (s) => ingressRule(s, { description: undefined }),
    },
    safe: { "described group and rules": (s) => { securityGroup(s); ingressRule(s, {}); } },
  },
  // --- IAM
  "MF-IAM-1": {
    unsafe: {
      'Action "*"': (s) => iamPolicy(s, [{ Effect: "Allow", Action: ["*"], Resource: "arn:aws:s3:::b" }]),
      'a service wildcard "s3:*" in a role policy': (s) =>
        new IamRolePolicy(s, "rp", { role: "r", policy: policyJson([{ Effect: "Allow", Action: ["s3:*"], Resource: "arn:aws:s3:::b" }]) }),
      'a prefix wildcard "s3:Get*"': (s) => iamPolicy(s, [{ Effect: "Allow", Action: ["s3:Get*"], Resource: "arn:aws:s3:::b" }]),
      "NotAction in an Allow (raw JSON)": (s) =>
        new IamPolicy(s, "policy", { name: "p", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }] }) }),
    },
    safe: {
      "named actions": (s) => iamPolicy(s, [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b/*" }]),
      'a Deny of "s3:*"': (s) => iamPolicy(s, [{ Effect: "Deny", Action: ["s3:*"], Resource: "*" }]),
    },
  },
  "MF-IAM-2": {
    unsafe: {
      'a scopable action on "*"': (s) => iamPolicy(s, [{ Sid: "Read", Effect: "Allow", Action: ["s3:GetObject"], Resource: "*" }]),
      'an allow-listed action mixed with a scopable one on "*"': (s) =>
        iamPolicy(s, [{ Effect: "Allow", Action: ["ecr:GetAuthorizationToken", "iam:PassRole"], Resource: ["*"] }]),
    },
    safe: {
      'ecr:GetAuthorizationToken on "*" (allow-listed)': (s) => iamPolicy(s, [{ Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" }]),
      "a scoped action": (s) => iamPolicy(s, [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b/*" }]),
    },
  },
  "MF-IAM-3": {
    unsafe: {
      'Principal "*"': (s) => trust(s, "*"),
      'AWS "*"': (s) => trust(s, { AWS: "*" }),
      "a wildcard service": (s) => trust(s, { Service: "*.amazonaws.com" }),
      "a principal that is no ARN": (s) => trust(s, { AWS: ["somebody"] }),
    },
    safe: {
      "a service principal (Role)": (s) => new Role(s, "role", { name: "r", assumedBy: "batch.amazonaws.com", description: "d" }),
      "explicit principal ARNs (Role)": (s) =>
        new Role(s, "role", { name: "r", assumedBy: { awsPrincipals: ["arn:aws:iam::123456789012:role/people", "arn:aws:iam::123456789012:root"] }, description: "d" }),
    },
  },
  "MF-IAM-4": {
    unsafe: {
      "AdministratorAccess attached": (s) => new IamRolePolicyAttachment(s, "a", { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }),
      "IAMFullAccess in managed_policy_arns": (s) =>
        new IamRole(s, "role", { name: "r", assumeRolePolicy: "{}", managedPolicyArns: ["arn:aws:iam::aws:policy/IAMFullAccess"] }),
    },
    safe: { "a service-role policy": (s) => new IamRolePolicyAttachment(s, "a", { role: "r", policyArn: "arn:aws:iam::aws:policy/service-role/AWSBatchServiceRole" }) },
  },
  // --- logs
  "MF-LOG-1": {
    unsafe: { "no retention": (s) => logGroup(s, { retention_in_days: undefined }), "retention 0": (s) => logGroup(s, { retention_in_days: 0 }) },
    safe: { "30 days": (s) => logGroup(s) },
  },
  "MF-LOG-2": {
    unsafe: { "a VPC without a flow log": (s) => vpc(s, { flowLog: false }) },
    safe: { "a VPC with a flow log": (s) => vpc(s) },
  },
  // --- EC2, Batch
  "MF-EC2-1": {
    unsafe: {
      'http_tokens "optional"': (s) => launchTemplate(s, { "metadata_options.http_tokens": "optional" }),
      "no metadata_options": (s) => launchTemplate(s, { metadata_options: undefined }),
      "an instance without IMDSv2": (s) => new Instance(s, "i", { ami: "ami-0123456789abcdef0", instanceType: "t3.micro", rootBlockDevice: { encrypted: true } }),
    },
    safe: {
      "IMDSv2 required": (s) => launchTemplate(s),
      "an instance with IMDSv2": (s) =>
        new Instance(s, "i", { ami: "ami-0123456789abcdef0", instanceType: "t3.micro", metadataOptions: { httpTokens: "required" }, rootBlockDevice: { encrypted: true } }),
    },
  },
  "MF-EC2-2": {
    unsafe: {
      "an unencrypted launch-template volume": (s) => launchTemplate(s, { "block_device_mappings.0.ebs.encrypted": "false" }),
      "a launch template without block devices": (s) => launchTemplate(s, { block_device_mappings: undefined }),
      "an unencrypted aws_ebs_volume": (s) => new EbsVolume(s, "v", { availabilityZone: "us-east-1a", size: 10 }),
      "an instance with neither a root_block_device nor a launch template": (s) =>
        new Instance(s, "i", { ami: "ami-0123456789abcdef0", instanceType: "t3.micro", metadataOptions: { httpTokens: "required" } }),
    },
    safe: {
      "encrypted launch-template volumes": (s) => launchTemplate(s),
      "an instance whose root volume comes from its encrypted launch template": (s) => {
        const template = launchTemplate(s);
        new Instance(s, "i", { instanceType: "t3.micro", launchTemplate: { id: template.id, version: "$Default" }, metadataOptions: { httpTokens: "required" } });
      },
      "an encrypted aws_ebs_volume": (s) => new EbsVolume(s, "v", { availabilityZone: "us-east-1a", size: 10, encrypted: true }),
    },
  },
  "MF-BATCH-1": {
    unsafe: { "an EC2 environment without a launch template": (s) => computeEnvironment(s, "EC2", false), "SPOT without one": (s) => computeEnvironment(s, "SPOT", false) },
    safe: { "EC2 with a launch template": (s) => computeEnvironment(s, "EC2", true), "Fargate (no instances)": (s) => computeEnvironment(s, "FARGATE", false) },
  },
  // --- ECS
  "MF-ECS-1": {
    unsafe: {
      "a DB_PASSWORD variable": (s) => taskDefinition(s, { environment: [{ name: "DB_PASSWORD", value: "x" }] }),
      "an API_KEY variable in a Batch job definition": (s) =>
        new BatchJobDefinition(s, "job", { name: "j", type: "container", containerProperties: JSON.stringify({ image: "i", environment: [{ name: "API_KEY", value: "x" }] }) }),
      "MF_METADATA_DB_PSWD in the environment": (s) => taskDefinition(s, { environment: [{ name: "MF_METADATA_DB_PSWD", value: "x" }] }),
    },
    safe: {
      "the password through secrets": (s) =>
        taskDefinition(s, { environment: [{ name: "DB_HOST", value: "h" }], secrets: [{ name: "MF_METADATA_DB_PSWD", valueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x" }] }),
    },
  },
  "MF-ECS-2": {
    unsafe: { "assign_public_ip true": (s) => ecsService(s, true) },
    safe: { "assign_public_ip false": (s) => ecsService(s, false) },
  },
  "MF-ECS-3": {
    unsafe: { "a cluster without Container Insights": (s) => new EcsCluster(s, "c", { name: "c" }) },
    safe: { "Container Insights enabled": (s) => new EcsCluster(s, "c", { name: "c", setting: [{ name: "containerInsights", value: "enabled" }] }) },
  },
  // --- DynamoDB
  "MF-DDB-1": {
    unsafe: { "PITR off": (s) => table(s, { "point_in_time_recovery.enabled": false }) },
    safe: { "PITR on": (s) => table(s) },
  },
  "MF-DDB-2": {
    unsafe: { "no server-side encryption": (s) => table(s, { server_side_encryption: undefined }) },
    safe: { "server-side encryption on": (s) => table(s) },
  },
  // --- API Gateway
  "MF-APIGW-1": {
    unsafe: { "a stage without access logs": (s) => restApi(s, { stage: { access_log_settings: undefined } }) },
    safe: { "a stage with access logs": (s) => restApi(s) },
  },
  "MF-APIGW-2": {
    unsafe: {
      "a stage with no throttling": (s) => restApi(s, { settings: false }),
      "method settings with throttling off (-1)": (s) => restApi(s, { settings: { "settings.throttling_rate_limit": -1 } }),
    },
    safe: { "method settings that throttle": (s) => restApi(s), "a usage plan that throttles": (s) => restApi(s, { settings: false, plan: {} }) },
  },
  "MF-APIGW-3": {
    unsafe: { "a method with neither key nor authorizer": (s) => restApi(s, { method: { api_key_required: false } }) },
    safe: { "an API key": (s) => restApi(s), "IAM authorization": (s) => restApi(s, { method: { api_key_required: false, authorization: "AWS_IAM" } }) },
  },
  "MF-APIGW-4": {
    unsafe: { "data trace on": (s) => restApi(s, { settings: { "settings.data_trace_enabled": true } }) },
    safe: { "data trace off": (s) => restApi(s) },
  },
  // --- KMS
  "MF-KMS-1": {
    unsafe: { "rotation off": (s) => kmsKey(s, { enable_key_rotation: false }) },
    safe: { "rotation on": (s) => kmsKey(s), "an asymmetric key (cannot rotate)": (s) => kmsKey(s, { enable_key_rotation: undefined, customer_master_key_spec: "RSA_2048", key_usage: "SIGN_VERIFY" }) },
  },
  // --- data safety
  "MF-DATA-1": {
    unsafe: { "a bucket without prevent_destroy": bareBucket, "prevent_destroy turned off (override)": (s) => secureBucket(s, { bucket: { "lifecycle.prevent_destroy": false } }) },
    safe: { SecureBucket: (s) => secureBucket(s) },
  },
  "MF-DATA-2": {
    unsafe: { "force_destroy true": (s) => secureBucket(s, { bucket: { force_destroy: true } }) },
    safe: { SecureBucket: (s) => secureBucket(s) },
  },
  "MF-DATA-3": {
    unsafe: { "a key without prevent_destroy": (s) => kmsKey(s, { "lifecycle.prevent_destroy": false }) },
    safe: { "a key with prevent_destroy": (s) => kmsKey(s) },
  },
  "MF-DATA-4": {
    unsafe: { "no deletion protection, no prevent_destroy": (s) => database(s, { deletion_protection: false }) },
    safe: {
      "deletion protection": (s) => database(s),
      "prevent_destroy only": (s) => database(s, { deletion_protection: false, "lifecycle.prevent_destroy": true }),
    },
  },
  "MF-DATA-5": {
    unsafe: { "no deletion protection, no prevent_destroy": (s) => table(s, { deletion_protection_enabled: false }) },
    safe: { "deletion protection": (s) => table(s), "prevent_destroy only": (s) => table(s, { deletion_protection_enabled: undefined, "lifecycle.prevent_destroy": true }) },
  },
  // --- network
  "MF-VPC-1": {
    unsafe: {
      "a VPC whose default group is not managed": (s) => vpc(s, { defaultGroup: false }),
      "a default group with an ingress rule": (s) =>
        vpc(s, { defaultGroup: { ingress: [{ protocol: "-1", from_port: 0, to_port: 0, self: true }] } }),
    },
    safe: { "a VPC with an emptied default group": (s) => vpc(s) },
  },
  "MF-VPC-2": {
    unsafe: { "a subnet mapping public IPs": (s) => new Subnet(s, "subnet", { vpcId: "vpc-1", cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: true }) },
    safe: { "a subnet without": (s) => new Subnet(s, "subnet", { vpcId: "vpc-1", cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: false }) },
  },
  "MF-ECR-1": {
    unsafe: {
      "mutable tags": (s) => new EcrRepository(s, "repo", { name: "r", imageTagMutability: "MUTABLE", imageScanningConfiguration: { scanOnPush: true } }),
      "no mutability set (MUTABLE)": (s) => new EcrRepository(s, "repo", { name: "r", imageScanningConfiguration: { scanOnPush: true } }),
    },
    safe: { "immutable tags": (s) => new EcrRepository(s, "repo", { name: "r", imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } }) },
  },
  "MF-ECR-2": {
    unsafe: {
      "no scanning": (s) => new EcrRepository(s, "repo", { name: "r", imageTagMutability: "IMMUTABLE" }),
      "scan_on_push off": (s) => new EcrRepository(s, "repo", { name: "r", imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: false } }),
    },
    safe: { "scan on push": (s) => new EcrRepository(s, "repo", { name: "r", imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } }) },
  },
  "MF-ECR-3": {
    unsafe: { "a repository without a lifecycle policy": (s) => new EcrRepository(s, "repo", { name: "r", imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } }) },
    safe: {
      "a repository with one": (s) => {
        const repo = new EcrRepository(s, "repo", { name: "r", imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } });
        new EcrLifecyclePolicy(s, "lifecycle", { repository: repo.name, policy: "{}" });
      },
    },
  },
  "MF-ELB-1": {
    unsafe: { "an internet-facing load balancer": (s) => new Lb(s, "lb", { name: "lb", internal: false, loadBalancerType: "network", subnets: ["subnet-1"] }) },
    safe: { "an internal one": (s) => new Lb(s, "lb", { name: "lb", internal: true, loadBalancerType: "network", subnets: ["subnet-1"] }) },
  },
  "MF-ELB-2": {
    unsafe: {
      "an HTTP listener that forwards": (s) => alb(s, { http: [{ type: "forward", targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/ui/1" }] }),
      "an HTTP listener redirecting to plain HTTP": (s) => alb(s, { http: [{ type: "redirect", redirect: { protocol: "HTTP", port: "8080", statusCode: "HTTP_301" } }] }),
      "a rule on the HTTP listener that forwards": (s) => alb(s, { httpRule: [FORWARD(1)] }),
    },
    safe: {
      "an HTTP listener that only redirects to HTTPS": (s) => alb(s),
      "a network load balancer's TCP listener": (s) => new LbListener(s, "tcp", { loadBalancerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/md/1", port: 80, protocol: "TCP", defaultAction: [{ type: "forward", targetGroupArn: "arn:tg" }] }),
    },
  },
  "MF-ELB-3": {
    unsafe: {
      "an HTTPS listener without ssl_policy (AWS's 2016 policy allows TLS 1.0)": (s) => alb(s, { https: { ssl_policy: undefined } }),
      "an HTTPS listener on a TLS 1.2-only policy from 2016": (s) => alb(s, { https: { ssl_policy: "ELBSecurityPolicy-TLS-1-2-2017-01" } }),
    },
    safe: {
      "ELBSecurityPolicy-TLS13-1-2-2021-06": (s) => alb(s),
      "the TLS 1.3-only policy": (s) => alb(s, { https: { ssl_policy: "ELBSecurityPolicy-TLS13-1-3-2021-06" } }),
    },
  },
  "MF-ELB-4": {
    unsafe: { "an application load balancer passing invalid headers on": (s) => alb(s, { lb: { drop_invalid_header_fields: false } }) },
    safe: {
      "one that drops them": (s) => alb(s),
      "a network load balancer (no HTTP headers)": (s) => new Lb(s, "lb", { name: "lb", internal: true, loadBalancerType: "network", subnets: ["subnet-1"] }),
    },
  },
  "MF-ELB-5": {
    unsafe: {
      "an internet-facing load balancer whose rule forwards without sign-in": (s) => alb(s, { rule: [FORWARD(1)] }),
      "one whose HTTPS listener forwards by default without sign-in": (s) => alb(s, { httpsDefault: [{ type: "forward", targetGroupArn: "arn:tg" }] }),
      "one that signs in only after forwarding": (s) => alb(s, { rule: [{ ...COGNITO_SIGN_IN, order: 2 }, FORWARD(1)] }),
    },
    safe: {
      "every forward after a Cognito sign-in": (s) => alb(s),
      "an OIDC sign-in": (s) =>
        alb(s, {
          rule: [
            { type: "authenticate-oidc", order: 1, authenticateOidc: { issuer: "https://idp", authorizationEndpoint: "https://idp/a", tokenEndpoint: "https://idp/t", userInfoEndpoint: "https://idp/u", clientId: "c", clientSecret: "${data.x.y.secret_string}" } },
            FORWARD(),
          ],
        }),
      "an internal load balancer forwarding without sign-in": (s) => alb(s, { lb: { internal: true }, rule: [FORWARD(1)] }),
    },
  },
  // --- Cognito
  "MF-COG-1": {
    unsafe: { "a pool anyone may sign up to": (s) => userPool(s, { "admin_create_user_config.allow_admin_create_user_only": false }), "no admin_create_user_config": (s) => userPool(s, { admin_create_user_config: undefined }) },
    safe: { "admins create users": (s) => userPool(s) },
  },
  "MF-COG-2": {
    unsafe: {
      "MFA optional": (s) => userPool(s, { mfa_configuration: "OPTIONAL" }),
      "MFA not set (off)": (s) => userPool(s, { mfa_configuration: undefined }),
      "MFA on with no method": (s) => userPool(s, { software_token_mfa_configuration: undefined }),
    },
    safe: { "TOTP MFA required": (s) => userPool(s) },
  },
  "MF-COG-3": {
    unsafe: {
      "no password policy (AWS's 8 characters)": (s) => userPool(s, { password_policy: undefined }),
      "10 characters": (s) => userPool(s, { "password_policy.minimum_length": 10 }),
      "no symbols": (s) => userPool(s, { "password_policy.require_symbols": false }),
      "temporary passwords valid 30 days": (s) => userPool(s, { "password_policy.temporary_password_validity_days": 30 }),
    },
    safe: { "14 characters of all four kinds, temporary passwords 3 days": (s) => userPool(s), "20 characters": (s) => userPool(s, { "password_policy.minimum_length": 20 }) },
  },
  "MF-DATA-6": {
    unsafe: { "deletion protection INACTIVE": (s) => userPool(s, { deletion_protection: "INACTIVE" }), "deletion protection not set": (s) => userPool(s, { deletion_protection: undefined }) },
    safe: { "deletion protection ACTIVE": (s) => userPool(s), "prevent_destroy only": (s) => userPool(s, { deletion_protection: undefined, "lifecycle.prevent_destroy": true }) },
  },
};

test("the pack has at least 30 rules, each id once", () => {
  expect(ALL_RULES.length).toBeGreaterThanOrEqual(30);
  expect(new Set(ALL_RULES.map((r) => r.id)).size).toBe(ALL_RULES.length);
});

test("every rule has an unsafe and a safe case, and every case is a rule", () => {
  const ids = ALL_RULES.map((r) => r.id);
  expect(Object.keys(CASES).sort()).toEqual([...ids].sort());
  for (const c of Object.values(CASES)) {
    expect(Object.keys(c.unsafe).length).toBeGreaterThan(0);
    expect(Object.keys(c.safe).length).toBeGreaterThan(0);
  }
});

describe.each(ALL_RULES.map((rule) => [rule.id, rule] as const))("%s", (id, rule) => {
  const c: RuleCase = CASES[id] ?? { unsafe: {}, safe: {} };
  const unsafe = Object.entries(c.unsafe);
  const safe = Object.entries(c.safe);

  if (unsafe.length > 0) {
    test.each(unsafe)(`fires (${rule.level}) on %s`, (_title, build) => {
      const found = findings(build, c.environment).filter((f) => f.ruleId === id);
      expect(found.length).toBeGreaterThan(0);
      for (const f of found) {
        expect(f.level).toBe(rule.level);
        expect(f.message).toContain(`Fix: ${rule.fix}`);
        expect(f.path).toMatch(/^test\//);
      }
    });
  }
  if (safe.length > 0) {
    test.each(safe)("stays quiet on %s", (_title, build) => {
      expect(findings(build, c.environment).filter((f) => f.ruleId === id)).toEqual([]);
    });
  }
});

describe("MF-RDS-3 in dev-like environments", () => {
  test.each(["dev", "dev2", "test", "sandbox", "ci", "demo-eu"])("stays quiet on a single-zone database in %s", (environment) => {
    expect(findings((s) => database(s, { multi_az: false }), environment).map((f) => f.ruleId)).not.toContain("MF-RDS-3");
  });
  test.each(["prod", "production", "staging", "devops", "no-nat"])("fires on a single-zone database in %s", (environment) => {
    expect(findings((s) => database(s, { multi_az: false }), environment).map((f) => f.ruleId)).toContain("MF-RDS-3");
  });
});

describe("what a rule sees", () => {
  test("an addOverride escape hatch on a safe construct is checked as synthesized", () => {
    const found = findings((s) => override(database(s), { storage_encrypted: false }));
    expect(found.map((f) => f.ruleId)).toEqual(["MF-RDS-1"]);
    expect(found[0].address).toMatch(/^aws_db_instance\.db/);
  });

  test("lifecycle set through the construct's props counts (prevent_destroy)", () => {
    expect(findings((s) => secureBucket(s)).map((f) => f.ruleId)).not.toContain("MF-DATA-1");
  });

  test("a stack-level override (stack.addOverride) counts too", () => {
    const found = findings((s) => {
      database(s);
      s.addOverride("resource.aws_db_instance.db.publicly_accessible", true);
    });
    expect(found.map((f) => f.ruleId)).toEqual(["MF-RDS-2"]);
  });

  test("a policy Terraform computes (a data source's JSON) is skipped, not guessed", () => {
    expect(findings((s) => new IamPolicy(s, "p", { name: "p", policy: "${data.aws_iam_policy_document.x.json}" }))).toEqual([]);
  });
});
