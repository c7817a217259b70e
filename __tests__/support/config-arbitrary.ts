import * as fc from "fast-check";
import { z } from "zod";
import { ConfigSchema } from "../../modules/config/schema";
import { anyJson, nastyString } from "./fuzz";

/**
 * Environment configs generated from the schema itself: `z.toJSONSchema(ConfigSchema)` gives every field,
 * its type, enum, range, pattern and whether it is required; each becomes an arbitrary. Refinements the JSON
 * schema cannot carry (CIDRs, names, cross-field rules) are reached through the values of HINTS, which mix
 * legal values with the edge cases this project refuses, keyed by field name.
 */

type JsonSchema = {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
};

const CIDRS = [
  "10.0.0.0/16", "10.1.0.0/16", "10.60.0.0/20", "172.16.0.0/12", "10.0.0.0/19", "10.0.32.0/19", "10.0.224.0/22", "10.0.228.0/22",
  "203.0.113.0/24", "0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/28", "010.0.0.0/16", "10.0.0.1/16", "10.0.0.0/016", "10.0.0.0/33", "10.0.0.0",
];
const ECR = (region: string, domain = "amazonaws.com") => `123456789012.dkr.ecr.${region}.${domain}/metaflow_metadata_service`;
const ARN = (partition: string, account: string) => `arn:${partition}:iam::${account}:policy/boundary`;

/** Values worth trying per field name: legal ones and the edge cases the project refuses. */
const HINTS: Record<string, readonly unknown[]> = {
  region: ["us-east-1", "eu-west-1", "us-west-2", "cn-north-1", "us-gov-west-1", "ap-northeast-1", "us-east-7"],
  namePrefix: ["metaflow", "mlplatform", "mf", "sg", "internal", "sthree", "amzn-s3", "xn--x", "a", "Meta", "p".repeat(16), "p".repeat(17)],
  accountId: ["123456789012", "111111111111", "12345"],
  permissionsBoundaryArn: [ARN("aws", "123456789012"), ARN("aws", "aws"), ARN("aws-cn", "123456789012"), ARN("aws", "222222222222"), "boundary"],
  vpcCidr: CIDRS,
  privateSubnetCidrs: CIDRS,
  publicSubnetCidrs: CIDRS,
  allowedSourceCidrs: CIDRS,
  clientCidrs: CIDRS,
  availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c", "eu-west-1a", "eu-west-1b", "us-west-2a", "us-west-2b"],
  bucket: ["acme-state", "acme.state", "a..b", "192.168.1.1", "state-s3alias", "sthree-state", "ab", "Bad_Bucket"],
  bucketName: ["acme-data", "acme.data", "data--ol-s3", "10.0.0.1", "amzn-s3-demo-x", "My_Bucket"],
  kmsKeyArn: [
    "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  ],
  keyPrefix: ["metaflow", "teams/ml", "/metaflow", "k".repeat(985), "k".repeat(986)],
  image: ["netflixoss/metaflow_metadata_service", ECR("us-east-1"), ECR("eu-west-1"), ECR("us-east-1", "amazonaws.com.cn"), ECR("cn-north-1", "amazonaws.com.cn"), "public.ecr.aws/x/y"],
  imageTag: ["v2.5.1", "v2.4.0", "latest"],
  name: ["cpu", "gpu", "spot", "ondemand", "default", "serverless", "Q", "x"],
  computeEnvironments: ["cpu", "gpu", "spot", "ondemand"],
  defaultQueue: ["default", "cpu", "gpu"],
  instanceTypes: ["m6i", "c6i.large", "m7g", "m7i", "g5", "g6", "p4d.24xlarge", "M6I"],
  instanceClass: ["db.t4g.small", "db.m7g.large", "t4g.small"],
  jobRoleManagedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess", ARN("aws", "222222222222")],
  principalArns: ["arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:role/ds", "arn:aws-cn:iam::123456789012:role/ds", "data-scientists"],
  protectedResources: ["aws_efs_file_system", "aws_s3_bucket", "module.a.aws_kms_key.k", "aws_s3_bucket.logs", "S3 Bucket"],
  retentionDays: [1, 7, 30, 90, 365, 10],
  logRetentionDays: [7, 30, 90, 100],
  accessLogRetentionDays: [30, 90, 11],
  executionLogRetentionDays: [30, 90, 2],
  memoryMiB: [512, 1024, 2048, 3072, 4096],
  enabled: [true, false],
  certificateArn: [
    "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012",
    "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012",
    "arn:aws-cn:acm:cn-north-1:123456789012:certificate/12345678-1234-1234-1234-123456789012",
    "arn:aws:iam::123456789012:server-certificate/ui",
  ],
  hostname: ["metaflow.example.com", "ui.internal", "Metaflow.example.com", "https://metaflow.example.com", "localhost", `${"a".repeat(63)}.example.com`],
  allowedCidrs: CIDRS,
  clientSecretArn: ["arn:aws:secretsmanager:us-east-1:123456789012:secret:ui-AbCdEf", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ui-AbCdEf", "hunter2"],
  clientSecretKey: ["client_secret", "client-secret", "a.b", "bad key"],
  issuer: ["https://login.example.com", "http://login.example.com", "https://login.example.com:8443/oauth2"],
  authorizationEndpoint: ["https://login.example.com/authorize", "https://login.example.com/a?x=1"],
  tokenEndpoint: ["https://login.example.com/token", "ftp://login.example.com"],
  userInfoEndpoint: ["https://login.example.com/userinfo"],
  clientId: ["metaflow-ui", "0oa1metaflowui", "has space"],
  scope: ["openid", "openid email", "email", "openid  email"],
  domainPrefix: ["metaflow-ui", "acme-cognito", "Metaflow", "-ui", "m".repeat(64)],
  sessionTimeoutSeconds: [60, 3600, 28800, 604800, 604801],
};

/** Tag keys and values: legal ones, the project's own, AWS's prefix, and too long. */
const TAG_KEYS = fc.constantFrom("team", "CostCenter", "Owner", "Name", "Tier", "Project", "aws:x", "k".repeat(129), "a|b", "");
const TAG_VALUES = fc.constantFrom("ml", "", "platform team", "a|b", "v".repeat(257), "\u{1D400}".repeat(200));

const string = (schema: JsonSchema, hints: readonly unknown[] | undefined): fc.Arbitrary<unknown> => {
  const own: { weight: number; arbitrary: fc.Arbitrary<unknown> }[] = [];
  if (hints) own.push({ weight: 24, arbitrary: fc.constantFrom(...hints) });
  if (schema.enum) own.push({ weight: 24, arbitrary: fc.constantFrom(...schema.enum) });
  if (schema.pattern) own.push({ weight: 12, arbitrary: fc.stringMatching(new RegExp(schema.pattern, "u"), { size: "xsmall" }) });
  own.push({ weight: 1, arbitrary: nastyString });
  return fc.oneof({ depthSize: "small" }, ...own);
};

const number = (schema: JsonSchema, hints: readonly unknown[] | undefined): fc.Arbitrary<unknown> => {
  const min = schema.minimum ?? -1;
  const max = Math.min(schema.maximum ?? 100000, (schema.minimum ?? 0) + 100000);
  const own: { weight: number; arbitrary: fc.Arbitrary<unknown> }[] = [{ weight: 8, arbitrary: fc.integer({ min, max }) }];
  if (hints) own.push({ weight: 12, arbitrary: fc.constantFrom(...hints) });
  own.push({ weight: 1, arbitrary: fc.constantFrom(min - 1, max + 1, 1.5, -0, "7") });
  return fc.oneof(...own);
};

/** An arbitrary of values for `schema`, at field `key` (for HINTS). */
export function fromJsonSchema(schema: JsonSchema, key = ""): fc.Arbitrary<unknown> {
  const hints = HINTS[key];
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => fromJsonSchema(s, key)));
  if (schema.const !== undefined) return fc.constant(schema.const);
  switch (schema.type) {
    case "string":
      return string(schema, hints);
    case "number":
    case "integer":
      return number(schema, hints);
    case "boolean":
      return fc.oneof({ weight: 9, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constantFrom("yes", 0, null) });
    case "array": {
      const items = fromJsonSchema(schema.items ?? {}, key);
      const minLength = schema.minItems ?? 0;
      return fc.oneof(
        { weight: 9, arbitrary: fc.array(items, { minLength, maxLength: Math.min(schema.maxItems ?? 4, minLength + 3) }) },
        { weight: 1, arbitrary: fc.array(items, { maxLength: 1 }) },
      );
    }
    case "object":
      return object(schema);
    default:
      // A field the JSON schema cannot describe (a key of the other mode): rarely given, then with any value.
      return anyJson;
  }
}

const ABSENT = Symbol("absent");

function object(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.additionalProperties && typeof schema.additionalProperties === "object" && !schema.properties) {
    // A record: tags.
    return fc.dictionary(TAG_KEYS, TAG_VALUES, { maxKeys: 4 });
  }
  const properties = Object.entries(schema.properties ?? {}).filter(([k]) => k !== "$schema");
  const required = new Set(schema.required ?? []);
  const fields = properties.map(([k, s]) => {
    const value = fromJsonSchema(s, k);
    const describable = s.type !== undefined || s.oneOf !== undefined || s.anyOf !== undefined || s.const !== undefined;
    if (required.has(k)) return value.map((v) => [k, v] as const);
    return fc.oneof(
      { weight: describable ? 6 : 40, arbitrary: fc.constant([k, ABSENT] as const) },
      { weight: 3, arbitrary: value.map((v) => [k, v] as const) },
    );
  });
  const typo = fc.oneof({ weight: 30, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom("regoin", "natGateway", "memoryMb", "x"), anyJson) });
  return fc.tuple(fc.tuple(...fields), typo).map(([entries, extra]) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) if (v !== ABSENT) out[k] = v;
    if (extra) out[extra[0]] = extra[1];
    return out;
  });
}

/** The JSON schema of an environment file's input. */
export const CONFIG_JSON_SCHEMA = z.toJSONSchema(ConfigSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;

/** Whole environment configs, as the schema describes them. */
export const generatedConfig: fc.Arbitrary<unknown> = fromJsonSchema(CONFIG_JSON_SCHEMA);

/** Environment names (file names): legal ones, and some the project refuses. */
export const environmentName = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom("dev", "prod", "demo", "stage") },
  { weight: 1, arbitrary: fc.constantFrom("Prod", "production01", "x", "e".repeat(10)) },
);
