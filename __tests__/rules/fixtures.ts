import { TerraformResource, TerraformStack, Testing } from "cdktf";
import { ApiGatewayDeployment } from "@cdktf/provider-aws/lib/api-gateway-deployment";
import { ApiGatewayMethod } from "@cdktf/provider-aws/lib/api-gateway-method";
import { ApiGatewayMethodSettings } from "@cdktf/provider-aws/lib/api-gateway-method-settings";
import { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import { ApiGatewayStage } from "@cdktf/provider-aws/lib/api-gateway-stage";
import { ApiGatewayUsagePlan } from "@cdktf/provider-aws/lib/api-gateway-usage-plan";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { ALL_RULES, Finding, RulePack, StackReport } from "../../modules/rules";
import { SecureBucket } from "../../modules/secure-bucket";

/**
 * Small stacks for the rule tests: each builder makes a resource the rules accept, and takes overrides
 * (applied with `addOverride`, the way an escape hatch would change it) to make it unsafe.
 */

export type Build = (stack: TerraformStack) => void;
export type Overrides = Record<string, unknown>;

/** Applies `overrides` to `resource` with addOverride (a value of undefined removes the field). */
export function override<T extends TerraformResource>(resource: T, overrides: Overrides = {}): T {
  for (const [path, value] of Object.entries(overrides)) resource.addOverride(path, value);
  return resource;
}

/** A stack with the AWS provider, built by `build`, checked by the whole pack. */
export function checkStack(build: Build, environment?: string): { stack: TerraformStack; report: StackReport } {
  const stack = new TerraformStack(Testing.app(), "test");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  build(stack);
  const report = new RulePack({ rules: ALL_RULES, environment }).check(stack);
  return { stack, report };
}

/** Every finding (errors and warnings) of the pack on the stack `build` makes. */
export const findings = (build: Build, environment = "prod"): Finding[] => {
  const { report } = checkStack(build, environment);
  return [...report.errors, ...report.warnings];
};

/** SecureBucket, with overrides per child resource (`bucket`, `public-access-block`, `encryption`, `policy`, ...). */
export function secureBucket(stack: TerraformStack, overrides: Record<string, Overrides> = {}, id = "bucket"): SecureBucket {
  const b = new SecureBucket(stack, id, { name: `${id}-name`, noncurrentVersionRetentionDays: 30, abortIncompleteUploadsAfterDays: 7 });
  for (const [child, o] of Object.entries(overrides)) override(b.node.findChild(child) as TerraformResource, o);
  return b;
}

export const database = (stack: TerraformStack, overrides: Overrides = {}) =>
  override(
    new DbInstance(stack, "db", {
      engine: "postgres",
      instanceClass: "db.t4g.small",
      allocatedStorage: 20,
      username: "metaflow",
      manageMasterUserPassword: true,
      storageEncrypted: true,
      publiclyAccessible: false,
      multiAz: true,
      backupRetentionPeriod: 7,
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "final",
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    }),
    overrides,
  );

export const table = (stack: TerraformStack, overrides: Overrides = {}) =>
  override(
    new DynamodbTable(stack, "table", {
      name: "t",
      billingMode: "PAY_PER_REQUEST",
      hashKey: "pathspec",
      attribute: [{ name: "pathspec", type: "S" }],
      serverSideEncryption: { enabled: true },
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: true,
    }),
    overrides,
  );

export const kmsKey = (stack: TerraformStack, overrides: Overrides = {}) =>
  override(new KmsKey(stack, "key", { enableKeyRotation: true, lifecycle: { preventDestroy: true } }), overrides);

export const launchTemplate = (stack: TerraformStack, overrides: Overrides = {}) =>
  override(
    new LaunchTemplate(stack, "lt", {
      namePrefix: "lt-",
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 },
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 30, volumeType: "gp3", encrypted: "true" } }],
    }),
    overrides,
  );

export const logGroup = (stack: TerraformStack, overrides: Overrides = {}, id = "logs") =>
  override(new CloudwatchLogGroup(stack, id, { name: id, retentionInDays: 30 }), overrides);

/** A VPC with (optionally) its flow log and its emptied default security group. */
export function vpc(stack: TerraformStack, with_: { flowLog?: boolean; defaultGroup?: Overrides | false } = {}): Vpc {
  const v = new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" });
  if (with_.flowLog !== false) {
    const logs = logGroup(stack, {}, "flow-logs");
    new FlowLog(stack, "flow-log", { vpcId: v.id, trafficType: "ALL", logDestination: logs.arn, iamRoleArn: "arn:aws:iam::123456789012:role/flow-logs" });
  }
  if (with_.defaultGroup !== false) override(new DefaultSecurityGroup(stack, "default-sg", { vpcId: v.id }), with_.defaultGroup ?? {});
  return v;
}

/** A security group with one inline HTTPS ingress from inside the VPC and no egress. */
export const securityGroup = (stack: TerraformStack, overrides: Overrides = {}, id = "sg") =>
  override(
    new SecurityGroup(stack, id, {
      name: id,
      description: "HTTPS from the VPC",
      vpcId: "vpc-0123456789abcdef0",
      ingress: [{ description: "HTTPS from the VPC", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/16"] }],
    }),
    overrides,
  );

/**
 * A REST API with one method (API key required), a stage with access logs, and method settings that
 * throttle it; `settings: false` leaves the settings out, `plan` adds a throttling usage plan.
 */
export function restApi(
  stack: TerraformStack,
  o: { method?: Overrides; stage?: Overrides; settings?: Overrides | false; plan?: Overrides | false } = {},
): void {
  const api = new ApiGatewayRestApi(stack, "api", { name: "api" });
  const method = override(
    new ApiGatewayMethod(stack, "method", { restApiId: api.id, resourceId: api.rootResourceId, httpMethod: "GET", authorization: "NONE", apiKeyRequired: true }),
    o.method,
  );
  const deployment = new ApiGatewayDeployment(stack, "deployment", { restApiId: api.id, dependsOn: [method] });
  const logs = logGroup(stack, {}, "access-logs");
  const stage = override(
    new ApiGatewayStage(stack, "stage", {
      restApiId: api.id,
      deploymentId: deployment.id,
      stageName: "api",
      accessLogSettings: { destinationArn: logs.arn, format: "$context.requestId" },
    }),
    o.stage,
  );
  if (o.settings !== false) {
    override(
      new ApiGatewayMethodSettings(stack, "settings", {
        restApiId: api.id,
        stageName: stage.stageName,
        methodPath: "*/*",
        settings: { loggingLevel: "OFF", throttlingRateLimit: 10, throttlingBurstLimit: 20 },
      }),
      o.settings,
    );
  }
  if (o.plan !== undefined && o.plan !== false) {
    override(
      new ApiGatewayUsagePlan(stack, "plan", {
        name: "plan",
        apiStages: [{ apiId: api.id, stage: stage.stageName }],
        throttleSettings: { rateLimit: 10, burstLimit: 20 },
      }),
      o.plan,
    );
  }
}
