import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../main";
import { ENDPOINTS_REQUIRED_WITHOUT_NAT } from "../modules/config/network-config";
import { ECR_SERVICE_IMAGE, NO_NAT_JOB_IMAGE } from "./support/configs";

/**
 * Every invalid config goes through the real CLI entry (`main`) in-process: it must return non-zero, name
 * the file, the field and (where there is one) the offending value on stderr, say what is allowed, and
 * write nothing (the output directory is not even created).
 */

interface Case {
  /** What is wrong, for the test title. */
  readonly title: string;
  /** File name in the config dir; the environment name is its basename. @default "dev.json" */
  readonly file?: string;
  /** The config, written as JSON; or `raw` text or bytes written as-is. */
  readonly config?: unknown;
  readonly raw?: string | Buffer;
  /** The field path as printed, e.g. `network.privateSubnetCidrs[1]`; undefined when the problem is the file itself. */
  readonly path?: string;
  /** The offending value, printed as JSON after the path. Left out when the message has none (unknown keys, syntax). */
  readonly value?: unknown;
  /** What the message must say. */
  readonly message: RegExp;
}

interface Run {
  readonly code: number;
  readonly stderr: string;
  readonly stdout: string;
  readonly dir: string;
  readonly outdir: string;
}

const tempRoots: string[] = [];

function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `metaflow-${label}-`));
  tempRoots.push(dir);
  return dir;
}

/** Writes `files` into a fresh config dir and runs `main` with a fresh, not yet existing, output dir. */
function run(files: Record<string, unknown | { raw: string | Buffer }>, extraArgs: string[] = []): Run {
  const dir = tempDir("config");
  for (const [name, content] of Object.entries(files)) {
    const text = isRaw(content) ? content.raw : JSON.stringify(content, null, 2);
    fs.writeFileSync(path.join(dir, name), text);
  }
  const outdir = path.join(tempDir("out"), "cdktf.out");
  const savedOutdir = process.env.CDKTF_OUTDIR;
  const savedConfigDir = process.env.METAFLOW_CONFIG_DIR;
  process.env.CDKTF_OUTDIR = outdir;
  delete process.env.METAFLOW_CONFIG_DIR;
  const stderr: string[] = [];
  const stdout: string[] = [];
  const errSpy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(chunk.toString());
    return true;
  });
  const outSpy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(chunk.toString());
    return true;
  });
  try {
    const code = main(["--config-dir", dir, ...extraArgs]);
    return { code, stderr: stderr.join(""), stdout: stdout.join(""), dir, outdir };
  } finally {
    errSpy.mockRestore();
    outSpy.mockRestore();
    if (savedOutdir === undefined) delete process.env.CDKTF_OUTDIR;
    else process.env.CDKTF_OUTDIR = savedOutdir;
    if (savedConfigDir !== undefined) process.env.METAFLOW_CONFIG_DIR = savedConfigDir;
  }
}

function isRaw(content: unknown): content is { raw: string | Buffer } {
  return typeof content === "object" && content !== null && "raw" in content && Object.keys(content).length === 1;
}

/** The problem lines (`  - <file>: ...`) on stderr. */
function problemLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.startsWith("  - ")).map((line) => line.slice(4));
}

/** Lines about `file` whose field path is exactly `field` (not a longer path that starts with it). */
function linesFor(stderr: string, file: string, field: string | undefined): string[] {
  const head = field === undefined ? `${file}: ` : `${file}: ${field}`;
  return problemLines(stderr).filter((line) => line.startsWith(head) && (field === undefined || /^[: ]/.test(line.slice(head.length))));
}

function expectRejected(result: Run, c: Case): void {
  const file = path.join(result.dir, c.file ?? "dev.json");
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain("Invalid configuration");
  const lines = linesFor(result.stderr, file, c.path);
  // Show the whole stderr when no line is about the expected field.
  if (lines.length === 0) throw new Error(`no problem reported for ${file} ${c.path ?? ""}; stderr was:\n${result.stderr}`);
  const matching = lines.filter(
    (line) => c.message.test(line) && (c.value === undefined || line.includes(` ${JSON.stringify(c.value)}`)),
  );
  if (matching.length === 0) {
    throw new Error(
      `expected a line for ${c.path ?? file} with value ${c.value === undefined ? "(none)" : JSON.stringify(c.value)} ` +
        `matching ${c.message}; got:\n${lines.join("\n")}`,
    );
  }
  expect(fs.existsSync(result.outdir)).toBe(false);
  expect(result.stdout).not.toMatch(/Synthesized/);
}

const ALLOWED_TOP_LEVEL = "region, namePrefix, tags, accountId, permissionsBoundaryArn, protectedResources, network, storage, compute, database, service, scheduling, ui, state";
const ALLOWED_CREATE_NETWORK =
  "mode, vpcCidr, availabilityZones, privateSubnetCidrs, publicSubnetCidrs, natGateways, natInstanceType, interfaceEndpoints, flowLogs";
const ALLOWED_SERVICE = "image, imageTag, cpu, memoryMiB, desiredCount, logRetentionDays, publicAccess, apiGateway, clientCidrs, databaseTls";
const ALLOWED_API_GATEWAY = "throttleRateLimit, throttleBurstLimit, allowedSourceCidrs, accessLogRetentionDays, accountLoggingRole";
const ALLOWED_DATABASE = "engineVersion, instanceClass, allocatedStorageGiB, maxAllocatedStorageGiB, multiAz, backupRetentionDays, performanceInsights, logRetentionDays, passwordRotationDays";
/** A created network without NAT that lists every endpoint it needs: valid on its own. */
const NO_NAT_NETWORK = { mode: "create", natGateways: "none", interfaceEndpoints: [...ENDPOINTS_REQUIRED_WITHOUT_NAT] };
const LEADING_ZERO = (zero: string, decimal: string) =>
  new RegExp(`has a number with a leading zero \\(${zero}\\), which some tools read as octal \\(010 is 8\\) and Terraform refuses; write it in plain decimal, e\\.g\\. ${decimal.replace(/\./g, "\\.")}$`);
const S3_RESERVED_PREFIX = /S3 bucket names must not start with "xn--", "sthree-" or "amzn-s3-demo-" \(S3 reserves them\)/;
const S3_RESERVED_SUFFIX = /S3 bucket names must not end with "-s3alias", "--ol-s3", "\.mrap", "--x-s3" or "--table-s3" \(S3 reserves them\)/;
/** A user-given bucket name refused by S3's rule `rule`. */
const BUCKET_RULE = (rule: RegExp) => new RegExp(`is not a valid S3 bucket name: (S3 bucket names )?${rule.source}.*; choose another name$`);
/** A namePrefix whose derived name `example` (in environment `env`) breaks `rule`. */
const DERIVED = (example: string, rule: RegExp, env = "dev") =>
  new RegExp(`makes names like "${example}" in environment ${env}, but ${rule.source}; choose another namePrefix$`);
const RESERVED_KEY = /is not allowed as a key: JavaScript reserves it \(it would be dropped or misread\); remove it$/;
/** Lists nested `depth` deep: `[[[...]]]`. */
const nested = (depth: number): unknown => Array.from({ length: depth }).reduce<unknown>((inner) => [inner], []);
const ONLY_CREATE_NETWORK = /applies only with mode "create" \(an existing network keeps its own CIDRs, zones, NAT, endpoints and flow logs\); remove it$/;
const ECR_OTHER_REGION = /is in ECR of region eu-west-1, but the service's execution role may pull only from ECR in us-east-1; copy it to 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/\.\.\.$/;
const OTHER_ACCOUNT = (account: string, accountId: string) =>
  new RegExp(`belongs to account ${account}, but accountId is ${accountId}; IAM attaches only policies of the role's own account or AWS managed ones$`);
/** The UI on, with a certificate of the stack's region, and `more`. */
const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012";
const ui = (more: object = {}) => ({ ui: { enabled: true, certificateArn: CERTIFICATE, ...more } });
const OIDC = {
  issuer: "https://login.example.com", authorizationEndpoint: "https://login.example.com/authorize", tokenEndpoint: "https://login.example.com/token",
  userInfoEndpoint: "https://login.example.com/userinfo", clientId: "metaflow-ui", clientSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:metaflow-ui-oidc-AbCdEf",
};
/** ui.readReplica, refused whatever its value: what RDS refuses, that this deployment always does it, what the UI does instead. */
const READ_REPLICA_REFUSED =
  /cannot take effect: RDS cannot create a read replica of a database whose master user password RDS manages in Secrets Manager, and this deployment always has RDS manage it \(MF-RDS-6; the password's rotation depends on it\); the UI backend reads the primary; remove it$/;
const CIDR_NOTATION = /must be an IPv4 network address in CIDR notation, e\.g\. 10\.0\.0\.0\/16/;
const NAME_CHARACTERS = /may hold lower-case letters, digits and hyphens, must start with a letter and end with a letter or digit/;
const existingNetwork = (privateSubnetIds: string[], publicSubnetIds?: string[]) => ({
  network: { mode: "existing", vpcId: "vpc-0123456789abcdef0", privateSubnetIds, ...(publicSubnetIds ? { publicSubnetIds } : {}) },
});
const SUBNET_A = "subnet-0123456789abcdef0";
const SUBNET_B = "subnet-0123456789abcdef1";

const cases: Case[] = [
  // --- region, names
  { title: "region not in the list", config: { region: "us-east-7" }, path: "region", value: "us-east-7", message: /expected one of .*"us-east-1".*"eu-west-1"/ },
  { title: "namePrefix longer than 16", config: { namePrefix: "a".repeat(17) }, path: "namePrefix", value: "a".repeat(17), message: /namePrefix must have 2 to 16 characters/ },
  { title: "namePrefix upper-case", config: { namePrefix: "Metaflow" }, path: "namePrefix", value: "Metaflow", message: NAME_CHARACTERS },
  { title: "namePrefix starting with a digit", config: { namePrefix: "1metaflow" }, path: "namePrefix", value: "1metaflow", message: NAME_CHARACTERS },
  { title: 'namePrefix containing "--"', config: { namePrefix: "meta--flow" }, path: "namePrefix", value: "meta--flow", message: /must not contain "--"/ },
  { title: 'namePrefix starting with "xn--" (refused for its "--")', config: { namePrefix: "xn--metaflow" }, path: "namePrefix", value: "xn--metaflow", message: /must not contain "--"/ },
  // --- names the prefix derives, checked against each resource type's AWS rules
  { title: 'namePrefix "sthree-flow": bucket names would start with "sthree-"', config: { namePrefix: "sthree-flow" }, path: "namePrefix", value: "sthree-flow", message: DERIVED("sthree-flow-dev-ds-", S3_RESERVED_PREFIX) },
  { title: 'namePrefix "sthree": bucket names would start with "sthree-"', config: { namePrefix: "sthree" }, path: "namePrefix", value: "sthree", message: DERIVED("sthree-dev-ds-", S3_RESERVED_PREFIX) },
  { title: 'namePrefix "amzn-s3" in environment "demo": bucket names would start with "amzn-s3-demo-"', file: "demo.json", config: { namePrefix: "amzn-s3" }, path: "namePrefix", value: "amzn-s3", message: DERIVED("amzn-s3-demo-ds-", S3_RESERVED_PREFIX, "demo") },
  { title: 'namePrefix "sg": security group names would start with "sg-"', config: { namePrefix: "sg" }, path: "namePrefix", value: "sg", message: DERIVED("sg-dev-database", /security group names must not start with "sg-" \(AWS reserves it for security group ids\)/) },
  { title: 'namePrefix "internal": load balancer names would start with "internal-"', config: { namePrefix: "internal" }, path: "namePrefix", value: "internal", message: DERIVED("internal-dev-md", /load balancer names must not start with "internal-" \(AWS reserves it for the DNS names of internal load balancers\)/) },
  { title: "environment name with upper case (Prod.json)", file: "Prod.json", config: {}, path: "environment name", value: "Prod", message: /the environment name may hold lower-case letters.*\(rename the file\)/ },
  { title: "environment name of 12 characters", file: "production01.json", config: {}, path: "environment name", value: "production01", message: /the environment name must have 2 to 10 characters.*\(rename the file\)/ },
  // --- unknown keys
  { title: "unknown top-level key (typo regoin)", config: { regoin: "us-east-1" }, path: "regoin", message: new RegExp(`unknown key; did you mean "region"\\? allowed keys are: ${ALLOWED_TOP_LEVEL}$`) },
  { title: "unknown nested key network.natGateway", config: { network: { mode: "create", natGateway: "none" } }, path: "network.natGateway", message: new RegExp(`unknown key; did you mean "natGateways"\\? allowed keys are: ${ALLOWED_CREATE_NETWORK}$`) },
  { title: "unknown key in storage (existing)", config: { storage: { mode: "existing", bucketName: "my-bucket", kmsKey: "x" } }, path: "storage.kmsKey", message: /unknown key; allowed keys are: mode, bucketName, kmsKeyArn$/ },
  // --- enums
  { title: "natGateways not an option", config: { network: { mode: "create", natGateways: "two" } }, path: "network.natGateways", value: "two", message: /expected one of "none"\|"single"\|"perAz"\|"instance"/ },
  { title: "natInstanceType without its size", config: { network: { mode: "create", natGateways: "instance", natInstanceType: "t4g" } }, path: "network.natInstanceType", value: "t4g", message: /must be an EC2 instance type with its size, like t4g\.nano or t3\.micro/ },
  { title: "natInstanceType with NAT gateways", config: { network: { mode: "create", natGateways: "single", natInstanceType: "t4g.nano" } }, path: "network.natInstanceType", value: "t4g.nano", message: /applies only with natGateways "instance" \(it is "single"\); remove it or set natGateways to "instance"/ },
  { title: "storage.encryption not an option", config: { storage: { mode: "create", encryption: "aes256" } }, path: "storage.encryption", value: "aes256", message: /expected one of "kms"\|"s3"/ },
  // The offending value is not asserted here: see the known-bug case below.
  { title: "network.mode not an option", config: { network: { mode: "hybrid" } }, path: "network.mode", message: /mode must be one of "create", "existing"/ },
  { title: "interface endpoint not an option", config: { network: { mode: "create", interfaceEndpoints: ["sts", "s3"] } }, path: "network.interfaceEndpoints[1]", value: "s3", message: /expected one of .*"ecr\.api".*"ssm"/ },
  { title: "flowLogs.trafficType not an option", config: { network: { mode: "create", flowLogs: { trafficType: "SOME" } } }, path: "network.flowLogs.trafficType", value: "SOME", message: /expected one of "ALL"\|"ACCEPT"\|"REJECT"/ },
  { title: "interface endpoint listed twice", config: { network: { mode: "create", interfaceEndpoints: ["sts", "logs", "sts"] } }, path: "network.interfaceEndpoints[2]", value: "sts", message: /is listed twice; each endpoint once/ },
  // --- CIDRs
  { title: "CIDR prefix /33", config: { network: { mode: "create", vpcCidr: "10.0.0.0/33" } }, path: "network.vpcCidr", value: "10.0.0.0/33", message: CIDR_NOTATION },
  { title: "CIDR that is not an address", config: { network: { mode: "create", vpcCidr: "10.0.0/16" } }, path: "network.vpcCidr", value: "10.0.0/16", message: CIDR_NOTATION },
  { title: "CIDR with host bits set", config: { network: { mode: "create", vpcCidr: "10.0.0.1/16" } }, path: "network.vpcCidr", value: "10.0.0.1/16", message: CIDR_NOTATION },
  { title: "CIDR with an octet written with a leading zero (octal to some parsers)", config: { network: { mode: "create", vpcCidr: "010.0.0.0/16" } }, path: "network.vpcCidr", value: "010.0.0.0/16", message: LEADING_ZERO("010", "10.0.0.0/16") },
  { title: "subnet CIDR with a zero-padded octet", config: { network: { mode: "create", privateSubnetCidrs: ["10.0.0.0/19", "10.0.032.0/19"] } }, path: "network.privateSubnetCidrs[1]", value: "10.0.032.0/19", message: LEADING_ZERO("032", "10.0.32.0/19") },
  { title: "client CIDR with a zero-padded prefix length", config: { service: { clientCidrs: ["10.1.0.0/016"] } }, path: "service.clientCidrs[0]", value: "10.1.0.0/016", message: LEADING_ZERO("016", "10.1.0.0/16") },
  { title: "subnet CIDR not in notation", config: { network: { mode: "create", privateSubnetCidrs: ["10.0.0.0/19", "10.0.32.0"] } }, path: "network.privateSubnetCidrs[1]", value: "10.0.32.0", message: CIDR_NOTATION },
  { title: "VPC prefix /8", config: { network: { mode: "create", vpcCidr: "10.0.0.0/8" } }, path: "network.vpcCidr", value: "10.0.0.0/8", message: /must have a prefix length from \/16 to \/28/ },
  { title: "subnet outside the VPC", config: { network: { mode: "create", privateSubnetCidrs: ["10.0.0.0/19", "10.1.0.0/19"] } }, path: "network.privateSubnetCidrs[1]", value: "10.1.0.0/19", message: /must lie inside vpcCidr 10\.0\.0\.0\/16/ },
  { title: "overlapping private subnets", config: { network: { mode: "create", privateSubnetCidrs: ["10.0.0.0/19", "10.0.16.0/20"] } }, path: "network.privateSubnetCidrs[1]", value: "10.0.16.0/20", message: /overlaps privateSubnetCidrs\[0\] \(10\.0\.0\.0\/19\); subnets must not overlap/ },
  { title: "public subnet overlapping a private one", config: { network: { mode: "create", publicSubnetCidrs: ["10.0.0.0/22", "10.0.228.0/22"] } }, path: "network.publicSubnetCidrs[0]", value: "10.0.0.0/22", message: /overlaps privateSubnetCidrs\[0\]/ },
  { title: "one private subnet CIDR for two zones", config: { network: { mode: "create", privateSubnetCidrs: ["10.0.0.0/19"] } }, path: "network.privateSubnetCidrs", value: ["10.0.0.0/19"], message: /must list one CIDR per availability zone \(2: us-east-1a, us-east-1b\), not 1/ },
  // --- availability zones
  { title: "one availability zone only", config: { network: { mode: "create", availabilityZones: ["us-east-1a"] } }, path: "network.availabilityZones", value: ["us-east-1a"], message: /list at least two availability zones/ },
  { title: "zone of another region", config: { region: "eu-west-1", network: { mode: "create", availabilityZones: ["eu-west-1a", "us-east-1b"] } }, path: "network.availabilityZones[1]", value: "us-east-1b", message: /must be a zone of region eu-west-1, like eu-west-1a/ },
  { title: "zone that is not a zone name", config: { network: { mode: "create", availabilityZones: ["us-east-1a", "x".repeat(300)] } }, path: "network.availabilityZones[1]", message: /must be an availability zone name like us-east-1a$/ },
  { title: "duplicate zone", config: { network: { mode: "create", availabilityZones: ["us-east-1a", "us-east-1a"] } }, path: "network.availabilityZones[1]", value: "us-east-1a", message: /is listed twice; each zone once/ },
  // --- NAT and endpoints, flow logs
  {
    title: 'natGateways "none" without the required interface endpoints',
    config: { network: { mode: "create", natGateways: "none", interfaceEndpoints: ["ecr.api", "ecr.dkr", "ecs", "logs"] } },
    path: "network.interfaceEndpoints",
    value: ["ecr.api", "ecr.dkr", "ecs", "logs"],
    message: /with natGateways "none".*add "ecs-agent", "ecs-telemetry", "sts", "secretsmanager" or choose natGateways "single" or "perAz"$/,
  },
  { title: "flowLogs.retentionDays 10", config: { network: { mode: "create", flowLogs: { retentionDays: 10 } } }, path: "network.flowLogs.retentionDays", value: 10, message: /must be one of the periods CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30,/ },
  // --- existing network
  { title: "existing network with one private subnet", config: existingNetwork([SUBNET_A]), path: "network.privateSubnetIds", value: [SUBNET_A], message: /list at least two private subnets, in distinct availability zones/ },
  { title: "malformed subnet id", config: existingNetwork([SUBNET_A, "subnet-12345"]), path: "network.privateSubnetIds[1]", value: "subnet-12345", message: /must be an id like subnet-0123456789abcdef0/ },
  { title: "malformed VPC id", config: { network: { mode: "existing", vpcId: "vpc-XYZ", privateSubnetIds: [SUBNET_A, SUBNET_B] } }, path: "network.vpcId", value: "vpc-XYZ", message: /must be an id like vpc-0123456789abcdef0/ },
  { title: "duplicate subnet id (private and public)", config: existingNetwork([SUBNET_A, SUBNET_B], [SUBNET_A]), path: "network.publicSubnetIds[0]", value: SUBNET_A, message: /is listed twice; list each subnet once/ },
  // --- storage
  { title: "existing storage with a bad bucket name", config: { storage: { mode: "existing", bucketName: "My_Bucket" } }, path: "storage.bucketName", value: "My_Bucket", message: BUCKET_RULE(/may hold only lower-case letters, digits, dots and hyphens/) },
  { title: "existing bucket name with a reserved suffix (--ol-s3)", config: { storage: { mode: "existing", bucketName: "datastore--ol-s3" } }, path: "storage.bucketName", value: "datastore--ol-s3", message: BUCKET_RULE(S3_RESERVED_SUFFIX) },
  { title: "existing bucket name of two characters", config: { storage: { mode: "existing", bucketName: "ab" } }, path: "storage.bucketName", value: "ab", message: BUCKET_RULE(/must have at least 3 characters/) },
  { title: "existing bucket name of 64 characters", config: { storage: { mode: "existing", bucketName: "b".repeat(64) } }, path: "storage.bucketName", value: "b".repeat(64), message: BUCKET_RULE(/must have at most 63 characters \(this one has 64\)/) },
  { title: "bad KMS key ARN", config: { storage: { mode: "existing", bucketName: "my-bucket", kmsKeyArn: "arn:aws:kms:us-east-1:123:key/abc" } }, path: "storage.kmsKeyArn", value: "arn:aws:kms:us-east-1:123:key/abc", message: /must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key\/<uuid>/ },
  { title: "negative noncurrentVersionRetentionDays", config: { storage: { mode: "create", noncurrentVersionRetentionDays: -5 } }, path: "storage.noncurrentVersionRetentionDays", value: -5, message: /must be at least 1/ },
  { title: "zero noncurrentVersionRetentionDays", config: { storage: { mode: "create", noncurrentVersionRetentionDays: 0 } }, path: "storage.noncurrentVersionRetentionDays", value: 0, message: /must be at least 1/ },
  { title: "non-integer noncurrentVersionRetentionDays", config: { storage: { mode: "create", noncurrentVersionRetentionDays: 1.5 } }, path: "storage.noncurrentVersionRetentionDays", value: 1.5, message: /must be a whole number/ },
  { title: "kmsKeyDeletionWindowDays above 30", config: { storage: { mode: "create", kmsKeyDeletionWindowDays: 31 } }, path: "storage.kmsKeyDeletionWindowDays", value: 31, message: /must be at most 30/ },
  // --- tags, IAM
  { title: "tag value with a character AWS refuses", config: { tags: { team: "a|b" } }, path: "tags.team", value: "a|b", message: /tag values may hold letters, digits, spaces and _ \. : \/ = \+ - @/ },
  { title: "46 tags: with the project's 5 a resource would carry 51", config: { tags: Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`team-${i}`, "x"])) }, path: "tags", message: /has 46 tags; AWS allows 50 per resource and the project sets 5 of its own \(Project, Environment, ManagedBy, Name, Tier\), so list at most 45$/ },
  { title: "tag key Name (set on resources by the project)", config: { tags: { Name: "metaflow" } }, path: "tags.Name", value: "Name", message: /Name and Tier are set on resources by the project \(Name on most, Tier on subnets\), which would override yours there; use another key$/ },
  { title: "tag value of 257 characters outside the BMP (counted as AWS counts)", config: { tags: { team: "\u{1D400}".repeat(257) } }, path: "tags.team", message: /tag values have at most 256 characters$/ },
  { title: "tag key of 129 characters", config: { tags: { ["k".repeat(129)]: "x" } }, path: `tags.${"k".repeat(129)}`, message: /is not allowed as a key: tag keys have at most 128 characters$/ },
  { title: "permissionsBoundaryArn not an ARN", config: { permissionsBoundaryArn: "boundary" }, path: "permissionsBoundaryArn", value: "boundary", message: /must be an IAM policy ARN like arn:aws:iam::123456789012:policy\/boundary/ },
  // --- the file itself
  { title: "tag key starting with aws:", config: { tags: { "aws:team": "data" } }, path: "tags.aws:team", value: "aws:team", message: /is not allowed as a key: tag keys must not start with aws: \(reserved by AWS\)/ },
  { title: "reserved tag key Environment", config: { tags: { Environment: "prod" } }, path: "tags.Environment", value: "Environment", message: /Project, Environment, ManagedBy are set by the project; remove them/ },
  { title: "network.mode not one of the modes", config: { network: { mode: "hybrid" } }, path: "network.mode", value: "hybrid", message: /mode must be one of "create", "existing"/ },
  { title: "storage.mode missing", config: { storage: { bucketName: "my-bucket" } }, path: "storage.mode", message: /\(missing\) mode must be one of "create", "existing"/ },
  { title: "a file that is not valid JSON", raw: '{ "region": "us-east-1", }', message: /not valid JSON \(.+\); fix the syntax/ },
  // --- the input's size, depth, encoding and keys
  { title: "a file over 256 KiB", raw: JSON.stringify({ region: "us-east-1", $schema: "x".repeat(300 * 1024) }), message: /: is \d+ bytes; a config file may have at most 262144 bytes \(256 KiB\); is this the right file\?$/ },
  { title: "lists nested 40 levels deep", config: { tags: nested(40) }, path: "tags[0][0][0][0][0]...", message: /is nested more than 32 levels deep; a config has at most 5 levels \(is this the right file\?\)$/ },
  { title: "a file in UTF-16 with a byte-order mark", raw: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"region": "us-east-1"}', "utf16le")]), message: /is UTF-16 encoded \(it starts with a UTF-16 byte-order mark\); save it as UTF-8 JSON$/ },
  { title: "a file holding NUL bytes (UTF-16 without a byte-order mark)", raw: Buffer.from('{"region": "us-east-1"}', "utf16le"), message: /holds NUL bytes, so it is binary or UTF-16\/32 text, not UTF-8 JSON; save it as UTF-8 JSON$/ },
  { title: "a file in Latin-1 (not UTF-8)", raw: Buffer.from('{"tags": {"team": "caf\xe9"}}', "latin1"), message: /is not valid UTF-8 text; save it as UTF-8 JSON$/ },
  { title: "a __proto__ key in tags (JSON.parse keeps it, the schema would drop it)", raw: '{"tags": {"__proto__": "x", "team": "ml"}}', path: "tags.__proto__", value: "__proto__", message: RESERVED_KEY },
  { title: "a __proto__ object in network", raw: '{"network": {"mode": "create", "__proto__": {"natGateways": "none"}}}', path: "network.__proto__", value: "__proto__", message: RESERVED_KEY },
  { title: "a constructor key in tags", raw: '{"tags": {"constructor": "x"}}', path: "tags.constructor", value: "constructor", message: RESERVED_KEY },
  { title: "a prototype key at the top level", raw: '{"prototype": {}}', path: "prototype", value: "prototype", message: RESERVED_KEY },
  { title: "20,000 bad entries: 50 listed, the rest counted", config: { protectedResources: Array.from({ length: 20000 }, () => "X") }, message: /\.\.\. and 19950 more problems; fix the ones above and run again$/ },
  { title: "a JSON array instead of an object", config: ["us-east-1"], path: "(top level)", value: ["us-east-1"], message: /expected object/ },
  // --- compute
  { title: "compute: minVcpus above maxVcpus", config: { compute: { computeEnvironments: [{ name: "cpu", kind: "ec2", minVcpus: 10, maxVcpus: 8 }] } }, path: "compute.computeEnvironments[0].minVcpus", value: 10, message: /must be <= maxVcpus \(8\)$/ },
  { title: "compute: minVcpus above the kind's default maxVcpus", config: { compute: { computeEnvironments: [{ name: "gpu", kind: "gpu", minVcpus: 65 }], jobQueues: [{ name: "gpu", computeEnvironments: ["gpu"] }] } }, path: "compute.computeEnvironments[0].minVcpus", value: 65, message: /must be <= maxVcpus \(64\)$/ },
  { title: "compute: desiredVcpus below minVcpus", config: { compute: { computeEnvironments: [{ name: "cpu", kind: "ec2", minVcpus: 2, desiredVcpus: 1 }] } }, path: "compute.computeEnvironments[0].desiredVcpus", value: 1, message: /must lie between minVcpus \(2\) and maxVcpus \(256\)$/ },
  { title: "compute: desiredVcpus above maxVcpus", config: { compute: { computeEnvironments: [{ name: "cpu", kind: "ec2", desiredVcpus: 40, maxVcpus: 32 }] } }, path: "compute.computeEnvironments[0].desiredVcpus", value: 40, message: /must lie between minVcpus \(0\) and maxVcpus \(32\)$/ },
  { title: "compute: duplicate compute environment name", config: { compute: { computeEnvironments: [{ name: "cpu", kind: "ec2" }, { name: "cpu", kind: "spot" }] } }, path: "compute.computeEnvironments[1].name", value: "cpu", message: /is used twice; compute environment names must be unique$/ },
  { title: "compute: duplicate job queue name", config: { compute: { jobQueues: [{ name: "main", computeEnvironments: ["cpu"] }, { name: "main", computeEnvironments: ["cpu"] }] } }, path: "compute.jobQueues[1].name", value: "main", message: /is used twice; job queue names must be unique$/ },
  { title: "compute: queue naming an unknown environment", config: { compute: { jobQueues: [{ name: "main", computeEnvironments: ["cpu", "gpu"] }] } }, path: "compute.jobQueues[0].computeEnvironments[1]", value: "gpu", message: /names no compute environment; choose from cpu$/ },
  { title: "compute: environment listed twice in a queue", config: { compute: { jobQueues: [{ name: "main", computeEnvironments: ["cpu", "cpu"] }] } }, path: "compute.jobQueues[0].computeEnvironments[1]", value: "cpu", message: /is listed twice in this queue$/ },
  {
    title: "compute: queue mixing Fargate and EC2",
    config: { compute: { computeEnvironments: [{ name: "cpu", kind: "ec2" }, { name: "serverless", kind: "fargate" }], jobQueues: [{ name: "main", computeEnvironments: ["cpu", "serverless"] }] } },
    path: "compute.jobQueues[0].computeEnvironments",
    value: ["cpu", "serverless"],
    message: /mixes Fargate and EC2 environments; Batch needs one or the other in a queue$/,
  },
  { title: "compute: defaultQueue naming no queue", config: { compute: { defaultQueue: "gpu" } }, path: "compute.defaultQueue", value: "gpu", message: /names no job queue; choose from default$/ },
  {
    title: "compute: GPU environment with a non-GPU instance type",
    config: { compute: { computeEnvironments: [{ name: "gpu", kind: "gpu", instanceTypes: ["g5", "m6i.xlarge"] }], jobQueues: [{ name: "gpu", computeEnvironments: ["gpu"] }] } },
    path: "compute.computeEnvironments[0].instanceTypes[1]",
    value: "m6i.xlarge",
    message: /is not an NVIDIA GPU instance type; gpu environments take families g4dn, g5, .*p5/,
  },
  { title: "compute: GPU instance type in an ec2 environment", config: { compute: { computeEnvironments: [{ name: "cpu", kind: "ec2", instanceTypes: ["m6i", "p4d.24xlarge"] }] } }, path: "compute.computeEnvironments[0].instanceTypes[1]", value: "p4d.24xlarge", message: /is a GPU instance type; put it in an environment of kind "gpu" so it gets the GPU AMI$/ },
  {
    title: "compute: Fargate environment with instanceTypes",
    config: { compute: { computeEnvironments: [{ name: "serverless", kind: "fargate", instanceTypes: ["m6i"] }], jobQueues: [{ name: "main", computeEnvironments: ["serverless"] }] } },
    path: "compute.computeEnvironments[0].instanceTypes",
    value: ["m6i"],
    message: /does not apply to fargate environments \(Fargate picks the hosts\); remove it$/,
  },
  {
    title: "compute: Fargate Spot environment with rootVolumeGiB",
    config: { compute: { computeEnvironments: [{ name: "serverless", kind: "fargateSpot", rootVolumeGiB: 100 }], jobQueues: [{ name: "main", computeEnvironments: ["serverless"] }] } },
    path: "compute.computeEnvironments[0].rootVolumeGiB",
    value: 100,
    message: /does not apply to fargateSpot environments \(Fargate picks the hosts\); remove it$/,
  },
  {
    title: "compute: spot environment with an on-demand allocation strategy",
    config: { compute: { computeEnvironments: [{ name: "spot", kind: "spot", allocationStrategy: "BEST_FIT_PROGRESSIVE" }], jobQueues: [{ name: "main", computeEnvironments: ["spot"] }] } },
    path: "compute.computeEnvironments[0].allocationStrategy",
    value: "BEST_FIT_PROGRESSIVE",
    message: /must be one of SPOT_CAPACITY_OPTIMIZED, SPOT_PRICE_CAPACITY_OPTIMIZED for spot environments$/,
  },
  { title: "compute: ec2 environment with a spot allocation strategy", config: { compute: { computeEnvironments: [{ name: "cpu", kind: "ec2", allocationStrategy: "SPOT_CAPACITY_OPTIMIZED" }] } }, path: "compute.computeEnvironments[0].allocationStrategy", value: "SPOT_CAPACITY_OPTIMIZED", message: /must be one of BEST_FIT_PROGRESSIVE, BEST_FIT for ec2 environments$/ },
  { title: "compute: no job queues", config: { compute: { jobQueues: [] } }, path: "compute.jobQueues", value: [], message: /list at least one job queue, or leave the field out for one over the first environment$/ },
  { title: "compute: no compute environments", config: { compute: { computeEnvironments: [] } }, path: "compute.computeEnvironments", value: [], message: /list at least one compute environment$/ },
  {
    title: "compute: four environments in one queue",
    config: { compute: { computeEnvironments: ["a1", "a2", "a3", "a4"].map((name) => ({ name, kind: "ec2" })), jobQueues: [{ name: "main", computeEnvironments: ["a1", "a2", "a3", "a4"] }] } },
    path: "compute.jobQueues[0].computeEnvironments",
    value: ["a1", "a2", "a3", "a4"],
    message: /list one to three compute environments \(a Batch limit\)$/,
  },
  { title: "compute: queue with no environments", config: { compute: { jobQueues: [{ name: "main", computeEnvironments: [] }] } }, path: "compute.jobQueues[0].computeEnvironments", value: [], message: /list one to three compute environments$/ },
  { title: "compute: bad instance type text", config: { compute: { computeEnvironments: [{ name: "cpu", kind: "ec2", instanceTypes: ["M6I.large"] }] } }, path: "compute.computeEnvironments[0].instanceTypes[0]", value: "M6I.large", message: /must be an EC2 instance type or family, like m6i or m6i\.xlarge$/ },
  { title: "compute: empty instanceTypes", config: { compute: { computeEnvironments: [{ name: "cpu", kind: "ec2", instanceTypes: [] }] } }, path: "compute.computeEnvironments[0].instanceTypes", value: [], message: /list at least one instance type, or leave the field out for the defaults$/ },
  { title: "compute: bad environment name", config: { compute: { computeEnvironments: [{ name: "CPU", kind: "ec2" }], jobQueues: [{ name: "main", computeEnvironments: ["CPU"] }] } }, path: "compute.computeEnvironments[0].name", value: "CPU", message: /must be 2 to 24 lower-case letters, digits and hyphens, starting with a letter$/ },
  { title: "compute: one-letter queue name", config: { compute: { jobQueues: [{ name: "q", computeEnvironments: ["cpu"] }] } }, path: "compute.jobQueues[0].name", value: "q", message: /must be 2 to 24 lower-case letters, digits and hyphens, starting with a letter$/ },
  { title: "compute: kind not an option", config: { compute: { computeEnvironments: [{ name: "cpu", kind: "tpu" }] } }, path: "compute.computeEnvironments[0].kind", value: "tpu", message: /expected one of "ec2"\|"spot"\|"gpu"\|"fargate"\|"fargateSpot"/ },
  {
    title: "compute: unknown key in a compute environment (maxVcpu)",
    config: { compute: { computeEnvironments: [{ name: "cpu", kind: "ec2", maxVcpu: 8 }] } },
    path: "compute.computeEnvironments[0].maxVcpu",
    message: /unknown key; did you mean "maxVcpus"\? allowed keys are: name, kind, instanceTypes, minVcpus, desiredVcpus, maxVcpus, rootVolumeGiB, allocationStrategy$/,
  },
  { title: "compute: jobRoleManagedPolicyArns entry not a policy ARN", config: { compute: { jobRoleManagedPolicyArns: ["AmazonS3ReadOnlyAccess"] } }, path: "compute.jobRoleManagedPolicyArns[0]", value: "AmazonS3ReadOnlyAccess", message: /must be an IAM policy ARN$/ },
  { title: "compute: batchServiceRole not an option", config: { compute: { batchServiceRole: "custom" } }, path: "compute.batchServiceRole", value: "custom", message: /expected one of "dedicated"\|"serviceLinked"/ },
  // --- compute rules added with the remote-state work
  { title: "compute: Graviton and x86 types in one environment", config: { compute: { computeEnvironments: [{ name: "cpu", kind: "ec2", instanceTypes: ["m7g", "m7i"] }] } }, path: "compute.computeEnvironments[0].instanceTypes", value: ["m7g", "m7i"], message: /mixes Graviton \(arm64\) and x86_64 types/ },
  { title: "compute: a managed policy listed twice", config: { compute: { jobRoleManagedPolicyArns: ["arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/A"] } }, path: "compute.jobRoleManagedPolicyArns[1]", value: "arn:aws:iam::aws:policy/A", message: /is listed twice; attach each policy once/ },
  { title: "compute: Fargate without a route out", config: { network: NO_NAT_NETWORK, service: { image: ECR_SERVICE_IMAGE }, compute: { ...NO_NAT_JOB_IMAGE, computeEnvironments: [{ name: "serverless", kind: "fargate" }] } }, path: "compute.computeEnvironments[0].kind", value: "fargate", message: /needs a route out of the private subnets, but network.natGateways is "none"/ },
  // --- the database password's rotation, TLS to the database, the service image's version
  { title: "database: passwordRotationDays 0", config: { database: { passwordRotationDays: 0 } }, path: "database.passwordRotationDays", value: 0, message: /must be at least 1$/ },
  { title: "database: passwordRotationDays over a year", config: { database: { passwordRotationDays: 400 } }, path: "database.passwordRotationDays", value: 400, message: /must be at most 365$/ },
  { title: "service: an image older than v2.4.6", config: { service: { imageTag: "v2.4.5" } }, path: "service.imageTag", value: "v2.4.5", message: /is older than v2\.4\.6, whose migrations are the first to connect with TLS, which the database requires \(rds\.force_ssl\); use v2\.4\.6 or later$/ },
  { title: "service: databaseTls verify-full without rootCertPath", config: { service: { databaseTls: { mode: "verify-full" } } }, path: "service.databaseTls.rootCertPath", message: /expected string/ },
  { title: "service: databaseTls rootCertPath not absolute", config: { service: { databaseTls: { mode: "verify-full", rootCertPath: "certs/rds.pem" } } }, path: "service.databaseTls.rootCertPath", value: "certs/rds.pem", message: /must be an absolute path in the image/ },
  { title: "service: rootCertPath with databaseTls require", config: { service: { databaseTls: { mode: "require", rootCertPath: "/etc/rds.pem" } } }, path: "service.databaseTls.rootCertPath", value: "/etc/rds.pem", message: /applies only with mode "verify-full" \(require checks no certificate\); remove it$/ },
  { title: "service: databaseTls mode unknown", config: { service: { databaseTls: { mode: "disable" } } }, path: "service.databaseTls.mode", message: /mode must be one of "require", "verify-full"/ },
  // --- the jobs' image
  {
    title: "compute: no jobImage without NAT",
    config: { network: NO_NAT_NETWORK, service: { image: ECR_SERVICE_IMAGE } },
    path: "compute.jobImage",
    message: /is required with network\.natGateways "none": Metaflow's default job image is on Docker Hub and each task first installs boto3 and requests from PyPI, neither reachable without NAT; add \{ "source": "repository", "tag": "\.\.\." \}/,
  },
  {
    title: "compute: a Docker Hub job image without NAT",
    config: { network: NO_NAT_NETWORK, service: { image: ECR_SERVICE_IMAGE }, compute: { jobImage: { source: "external", image: "python:3.11" } } },
    path: "compute.jobImage.image",
    value: "python:3.11",
    message: /cannot be pulled without NAT \(network\.natGateways is "none"\); copy it to ECR in us-east-1/,
  },
  {
    title: "compute: a job image in ECR of another region",
    config: { compute: { jobImage: { source: "external", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/jobs:1" } } },
    path: "compute.jobImage.image",
    value: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/jobs:1",
    message: /is in ECR of region eu-west-1, but the Batch instance and execution roles may pull only from ECR in us-east-1; copy it to 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/\.\.\.$/,
  },
  { title: "compute: a job image tagged latest", config: { compute: { jobImage: { source: "external", image: "python:latest" } } }, path: "compute.jobImage.image", value: "python:latest", message: /must be pinned to a version or digest, not latest$/ },
  { title: "compute: a job image without a tag", config: { compute: { jobImage: { source: "external", image: "python" } } }, path: "compute.jobImage.image", value: "python", message: /must be an image with a tag or digest/ },
  { title: "compute: the repository's tag latest", config: { compute: { jobImage: { source: "repository", tag: "latest" } } }, path: "compute.jobImage.tag", value: "latest", message: /must be pinned to a version, not latest$/ },
  { title: "compute: an image given with the stack's repository", config: { compute: { jobImage: { source: "repository", tag: "1", image: "python:3.11" } } }, path: "compute.jobImage.image", value: "python:3.11", message: /applies only with source "external" \(the stack's repository names the image; give only the tag\); remove it$/ },
  { title: "compute: a tag given with an external image", config: { compute: { jobImage: { source: "external", image: "python:3.11", tag: "1" } } }, path: "compute.jobImage.tag", value: "1", message: /applies only with source "repository" \(an external image is yours; the stack makes no repository for it\); remove it$/ },
  { title: "compute: jobImage source unknown", config: { compute: { jobImage: { source: "dockerhub", image: "python:3.11" } } }, path: "compute.jobImage.source", message: /source must be one of "external", "repository"/ },
  // --- metadata service
  { title: "service: memoryMiB not a Fargate size for the cpu", config: { service: { cpu: 512, memoryMiB: 512 } }, path: "service.memoryMiB", value: 512, message: /is not a Fargate size for cpu 512; use 1024 to 4096 in steps of 1024$/ },
  { title: "service: cpu not a Fargate size", config: { service: { cpu: 300 } }, path: "service.cpu", value: 300, message: /must be one of the Fargate CPU sizes 256, 512, 1024, 2048, 4096$/ },
  { title: "service: desiredCount 0", config: { service: { desiredCount: 0 } }, path: "service.desiredCount", value: 0, message: /must be at least 1$/ },
  { title: 'service: imageTag "latest"', config: { service: { imageTag: "latest" } }, path: "service.imageTag", value: "latest", message: /must be pinned to a version, not latest$/ },
  {
    title: "service: image with a tag (not a repository)",
    config: { service: { image: "netflixoss/metaflow_metadata_service:v2.5.1" } },
    path: "service.image",
    value: "netflixoss/metaflow_metadata_service:v2.5.1",
    message: /must be an image repository without a tag, like netflixoss\/metaflow_metadata_service$/,
  },
  { title: "service: publicAccess not an option", config: { service: { publicAccess: "public" } }, path: "service.publicAccess", value: "public", message: /expected one of "internal"\|"apiGateway"/ },
  { title: "service: clientCidrs entry not a CIDR", config: { service: { clientCidrs: ["10.1.0.0/33"] } }, path: "service.clientCidrs[0]", value: "10.1.0.0/33", message: CIDR_NOTATION },
  {
    title: "service: throttleBurstLimit below throttleRateLimit",
    config: { service: { apiGateway: { throttleRateLimit: 500, throttleBurstLimit: 100 } } },
    path: "service.apiGateway.throttleBurstLimit",
    value: 100,
    message: /must be >= throttleRateLimit \(500\)$/,
  },
  {
    title: "service: allowedSourceCidrs entry listed twice",
    config: { service: { apiGateway: { allowedSourceCidrs: ["203.0.113.0/24", "198.51.100.0/24", "203.0.113.0/24"] } } },
    path: "service.apiGateway.allowedSourceCidrs[2]",
    value: "203.0.113.0/24",
    message: /is listed twice$/,
  },
  { title: "service: allowedSourceCidrs entry with host bits set", config: { service: { apiGateway: { allowedSourceCidrs: ["203.0.113.5/24"] } } }, path: "service.apiGateway.allowedSourceCidrs[0]", value: "203.0.113.5/24", message: CIDR_NOTATION },
  { title: "service: accountLoggingRole not an option", config: { service: { apiGateway: { accountLoggingRole: "none" } } }, path: "service.apiGateway.accountLoggingRole", value: "none", message: /expected one of "create"\|"existing"/ },
  {
    title: 'service: the default (Docker Hub) image with natGateways "none"',
    config: { network: NO_NAT_NETWORK },
    path: "service.image",
    value: "netflixoss/metaflow_metadata_service",
    message: /cannot be pulled without NAT \(network\.natGateways is "none"\); copy it to ECR in us-east-1 \(a pull-through cache works\) and name that repository, or choose natGateways "single"$/,
  },
  {
    title: 'service: an ECR Public image with natGateways "none"',
    config: { network: NO_NAT_NETWORK, service: { image: "public.ecr.aws/netflixoss/metaflow_metadata_service" } },
    path: "service.image",
    value: "public.ecr.aws/netflixoss/metaflow_metadata_service",
    message: /cannot be pulled without NAT \(network\.natGateways is "none"\)/,
  },
  {
    title: "service: unknown key (typo memoryMb)",
    config: { service: { memoryMb: 2048 } },
    path: "service.memoryMb",
    message: new RegExp(`unknown key; did you mean "memoryMiB"\\? allowed keys are: ${ALLOWED_SERVICE}$`),
  },
  { title: "service: unknown key in apiGateway", config: { service: { apiGateway: { throttleRate: 10 } } }, path: "service.apiGateway.throttleRate", message: new RegExp(`unknown key; allowed keys are: ${ALLOWED_API_GATEWAY}$`) },
  // --- settings that cannot take effect
  { title: 'service: apiGateway settings with publicAccess "internal"', config: { service: { publicAccess: "internal", apiGateway: { throttleRateLimit: 50 } } }, path: "service.apiGateway", value: { throttleRateLimit: 50 }, message: /cannot take effect: with publicAccess "internal" no API gateway is made; remove apiGateway or set publicAccess "apiGateway"$/ },
  { title: 'storage: kmsKeyDeletionWindowDays with encryption "s3"', config: { storage: { mode: "create", encryption: "s3", kmsKeyDeletionWindowDays: 7 } }, path: "storage.kmsKeyDeletionWindowDays", value: 7, message: /cannot take effect: with encryption "s3" the bucket uses S3-managed keys and no KMS key is made; remove it or set encryption "kms"$/ },
  { title: "scheduling: executionLogRetentionDays with scheduling off", config: { scheduling: { enabled: false, executionLogRetentionDays: 30 } }, path: "scheduling.executionLogRetentionDays", value: 30, message: /cannot take effect: with enabled false there is no Step Functions execution log; remove it or set enabled true$/ },
  { title: "compute: an environment in no queue (no jobQueues: one queue over the first)", config: { compute: { computeEnvironments: [{ name: "cpu", kind: "ec2" }, { name: "gpu", kind: "gpu" }] } }, path: "compute.computeEnvironments[1].name", value: "gpu", message: /is in no job queue, so no job can run on it and its settings cannot take effect; add it to a queue in jobQueues \(without jobQueues there is one queue, over the first environment\) or remove it$/ },
  { title: "compute: an environment no listed queue names", config: { compute: { computeEnvironments: [{ name: "cpu", kind: "ec2" }, { name: "spot", kind: "spot" }], jobQueues: [{ name: "main", computeEnvironments: ["cpu"] }] } }, path: "compute.computeEnvironments[1].name", value: "spot", message: /is in no job queue, so no job can run on it and its settings cannot take effect; add it to a queue in jobQueues or remove it$/ },
  { title: "protectedResources: a type the gate protects anyway", config: { protectedResources: ["aws_efs_file_system", "aws_s3_bucket"] }, path: "protectedResources[1]", value: "aws_s3_bucket", message: /cannot take effect: the plan gate protects every aws_s3_bucket already; remove it$/ },
  { title: "protectedResources: an address in a module of a type the gate protects anyway", config: { protectedResources: ["module.data.aws_kms_key.main"] }, path: "protectedResources[0]", value: "module.data.aws_kms_key.main", message: /protects every aws_kms_key already/ },
  { title: "protectedResources: an entry listed twice", config: { protectedResources: ["aws_efs_file_system", "aws_efs_file_system"] }, path: "protectedResources[1]", value: "aws_efs_file_system", message: /is listed twice$/ },
  { title: "network: flowLogs for an existing network", config: { network: { ...existingNetwork([SUBNET_A, SUBNET_B]).network, flowLogs: { retentionDays: 30 } } }, path: "network.flowLogs", value: { retentionDays: 30 }, message: ONLY_CREATE_NETWORK },
  { title: "network: interfaceEndpoints for an existing network", config: { network: { ...existingNetwork([SUBNET_A, SUBNET_B]).network, interfaceEndpoints: ["sts"] } }, path: "network.interfaceEndpoints", value: ["sts"], message: ONLY_CREATE_NETWORK },
  { title: "network: natGateways for an existing network", config: { network: { ...existingNetwork([SUBNET_A, SUBNET_B]).network, natGateways: "none" } }, path: "network.natGateways", value: "none", message: ONLY_CREATE_NETWORK },
  { title: "network: vpcId for a created network", config: { network: { mode: "create", vpcId: "vpc-0123456789abcdef0" } }, path: "network.vpcId", value: "vpc-0123456789abcdef0", message: /applies only with mode "existing" \(a created network makes its own VPC and subnets\); remove it$/ },
  { title: "storage: encryption for an existing bucket", config: { storage: { mode: "existing", bucketName: "acme-data", encryption: "kms" } }, path: "storage.encryption", value: "kms", message: /applies only with mode "create" \(an existing bucket keeps its own encryption and lifecycle rules\); remove it$/ },
  { title: "storage: bucketName for a created bucket", config: { storage: { mode: "create", bucketName: "acme-data" } }, path: "storage.bucketName", value: "acme-data", message: /applies only with mode "existing" \(a created bucket gets a generated name and, with encryption "kms", a key of its own\); remove it$/ },
  { title: "state: keyPrefix with the local backend", config: { state: { backend: "local", keyPrefix: "teams/ml" } }, path: "state.keyPrefix", value: "teams/ml", message: /applies only with backend "s3" \(the local backend keeps state in a file\); remove it$/ },
  // --- metadata database
  { title: 'database: engineVersion "12"', config: { database: { engineVersion: "12" } }, path: "database.engineVersion", value: "12", message: /expected one of "16"\|"17"/ },
  { title: "database: instanceClass without the db. prefix", config: { database: { instanceClass: "t4g.small" } }, path: "database.instanceClass", value: "t4g.small", message: /must be an RDS instance class like db\.t4g\.small or db\.m7g\.large$/ },
  {
    title: "database: maxAllocatedStorageGiB below allocatedStorageGiB",
    config: { database: { allocatedStorageGiB: 200, maxAllocatedStorageGiB: 100 } },
    path: "database.maxAllocatedStorageGiB",
    value: 100,
    message: /must be >= allocatedStorageGiB \(200\)$/,
  },
  { title: "database: backupRetentionDays 3", config: { database: { backupRetentionDays: 3 } }, path: "database.backupRetentionDays", value: 3, message: /must be at least 7$/ },
  { title: "database: allocatedStorageGiB 10", config: { database: { allocatedStorageGiB: 10 } }, path: "database.allocatedStorageGiB", value: 10, message: /must be at least 20$/ },
  {
    title: "database: unknown key (typo multiAZ)",
    config: { database: { multiAZ: false } },
    path: "database.multiAZ",
    message: new RegExp(`unknown key; did you mean "multiAz"\\? allowed keys are: ${ALLOWED_DATABASE}$`),
  },
  { title: "database: unknown key with no close match", config: { database: { storageType: "io2" } }, path: "database.storageType", message: new RegExp(`unknown key; allowed keys are: ${ALLOWED_DATABASE}$`) },
  // --- account and state
  { title: "accountId not 12 digits", config: { accountId: "12345" }, path: "accountId", value: "12345", message: /must be a 12-digit AWS account id/ },
  { title: "state.backend not a backend", config: { state: { backend: "gcs" } }, path: "state.backend", value: "gcs", message: /backend must be one of "s3", "local"/ },
  { title: "state.bucket not a bucket name", config: { state: { backend: "s3", bucket: "Bad_Bucket" } }, path: "state.bucket", value: "Bad_Bucket", message: BUCKET_RULE(/may hold only lower-case letters/) },
  { title: "state.bucket with adjacent periods", config: { state: { backend: "s3", bucket: "team..state" } }, path: "state.bucket", value: "team..state", message: BUCKET_RULE(/must not contain "\.\."/) },
  { title: "state.bucket in IP-address form", config: { state: { backend: "s3", bucket: "192.168.5.4" } }, path: "state.bucket", value: "192.168.5.4", message: BUCKET_RULE(/must not be formatted as an IP address/) },
  { title: "state.bucket with a reserved prefix (amzn-s3-demo-)", config: { state: { backend: "s3", bucket: "amzn-s3-demo-state" } }, path: "state.bucket", value: "amzn-s3-demo-state", message: BUCKET_RULE(S3_RESERVED_PREFIX) },
  { title: "state.bucket with a reserved suffix (-s3alias)", config: { state: { backend: "s3", bucket: "team-state-s3alias" } }, path: "state.bucket", value: "team-state-s3alias", message: BUCKET_RULE(S3_RESERVED_SUFFIX) },
  { title: "state.bucket ending with a hyphen", config: { state: { backend: "s3", bucket: "team-state-" } }, path: "state.bucket", value: "team-state-", message: BUCKET_RULE(/must end with a lower-case letter or digit/) },
  { title: "state.keyPrefix with a leading slash", config: { state: { backend: "s3", keyPrefix: "/metaflow" } }, path: "state.keyPrefix", value: "/metaflow", message: /must be an S3 key prefix without leading or trailing \// },
  { title: "state.keyPrefix so long that state keys pass S3's 1,024 bytes", config: { state: { backend: "s3", keyPrefix: "k".repeat(986) } }, path: "state.keyPrefix", message: /must have at most 985 characters, so that every state key \(<keyPrefix>\/<environment>\/metaflow-<environment>\.tfstate\) fits S3's 1024 bytes$/ },
  { title: "state.bootstrapState not an option", config: { state: { backend: "s3", bootstrapState: "remote" } }, path: "state.bootstrapState", value: "remote", message: /expected one of "local"\|"bucket"/ },
  { title: "state.region not a region", config: { state: { backend: "s3", region: "moon-1" } }, path: "state.region", value: "moon-1", message: /expected one of/ },
  { title: "unknown key in the local backend", config: { state: { backend: "local", path: "x" } }, path: "state.path", message: /unknown key; allowed keys are: backend$/ },
  { title: "service: ECR image of another region without NAT", config: { region: "us-east-1", network: { mode: "create", natGateways: "none", interfaceEndpoints: [...ENDPOINTS_REQUIRED_WITHOUT_NAT] }, service: { image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/metaflow_metadata_service" } }, path: "service.image", value: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/metaflow_metadata_service", message: ECR_OTHER_REGION },
  { title: "service: ECR image of another region, even with NAT (the execution role pulls from the stack's region only)", config: { region: "us-east-1", service: { image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/metaflow_metadata_service" } }, path: "service.image", value: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/metaflow_metadata_service", message: ECR_OTHER_REGION },
  { title: "service: ECR image under the China domain for a region of the aws partition", config: { region: "us-east-1", network: NO_NAT_NETWORK, service: { image: "123456789012.dkr.ecr.us-east-1.amazonaws.com.cn/metaflow_metadata_service" } }, path: "service.image", value: "123456789012.dkr.ecr.us-east-1.amazonaws.com.cn/metaflow_metadata_service", message: /names an ECR registry under amazonaws\.com\.cn, but ECR in us-east-1 \(partition aws\) is under amazonaws\.com: 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/\.\.\.$/ },
  { title: "service: ECR image under the global domain in a China region", config: { region: "cn-north-1", service: { image: "123456789012.dkr.ecr.cn-north-1.amazonaws.com/metaflow_metadata_service" } }, path: "service.image", value: "123456789012.dkr.ecr.cn-north-1.amazonaws.com/metaflow_metadata_service", message: /names an ECR registry under amazonaws\.com, but ECR in cn-north-1 \(partition aws-cn\) is under amazonaws\.com\.cn/ },
  // --- ARNs of another partition or account
  { title: "permissionsBoundaryArn of another partition than the region's", config: { region: "us-east-1", permissionsBoundaryArn: "arn:aws-cn:iam::123456789012:policy/boundary" }, path: "permissionsBoundaryArn", value: "arn:aws-cn:iam::123456789012:policy/boundary", message: /is in partition aws-cn, but region us-east-1 is in partition aws, where it cannot be found; use an arn:aws:\.\.\. ARN$/ },
  { title: "permissionsBoundaryArn of the aws partition in a GovCloud region", config: { region: "us-gov-west-1", permissionsBoundaryArn: "arn:aws:iam::123456789012:policy/boundary" }, path: "permissionsBoundaryArn", value: "arn:aws:iam::123456789012:policy/boundary", message: /is in partition aws, but region us-gov-west-1 is in partition aws-us-gov/ },
  { title: "permissionsBoundaryArn of another account than accountId", config: { accountId: "111111111111", permissionsBoundaryArn: "arn:aws:iam::222222222222:policy/boundary" }, path: "permissionsBoundaryArn", value: "arn:aws:iam::222222222222:policy/boundary", message: OTHER_ACCOUNT("222222222222", "111111111111") },
  { title: "compute: a job role policy of another account than accountId", config: { accountId: "111111111111", compute: { jobRoleManagedPolicyArns: ["arn:aws:iam::222222222222:policy/data"] } }, path: "compute.jobRoleManagedPolicyArns[0]", value: "arn:aws:iam::222222222222:policy/data", message: OTHER_ACCOUNT("222222222222", "111111111111") },
  { title: "compute: a job role policy of another partition", config: { compute: { jobRoleManagedPolicyArns: ["arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess"] } }, path: "compute.jobRoleManagedPolicyArns[0]", value: "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess", message: /is in partition aws-us-gov, but region us-east-1 is in partition aws/ },
  { title: "scheduling: a principal of another partition", config: { scheduling: { users: { access: "role", principalArns: ["arn:aws-cn:iam::123456789012:role/ds"] } } }, path: "scheduling.users.principalArns[0]", value: "arn:aws-cn:iam::123456789012:role/ds", message: /is in partition aws-cn, but region us-east-1 is in partition aws/ },
  { title: "storage: a KMS key of another partition", config: { storage: { mode: "existing", bucketName: "acme-data", kmsKeyArn: "arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" } }, path: "storage.kmsKeyArn", message: /"arn:aws-cn:kms:cn-north-1:123456789012:.*\.\.\. is in partition aws-cn, but region us-east-1 is in partition aws/ },
  { title: "service: memory not allowed for 256 CPU units", config: { service: { cpu: 256, memoryMiB: 3072 } }, path: "service.memoryMiB", value: 3072, message: /is not a Fargate size for cpu 256; use 512, 1024 to 2048 in steps of 1024$/ },
  // --- scheduling
  { title: "scheduling: users' role without principals", config: { scheduling: { users: { access: "role" } } }, path: "scheduling.users.principalArns", value: [], message: /lists nobody; access "role" needs at least one principal/ },
  { title: "scheduling: principals without the role", config: { scheduling: { users: { access: "policy", principalArns: ["arn:aws:iam::123456789012:role/ds"] } } }, path: "scheduling.users.principalArns", value: ["arn:aws:iam::123456789012:role/ds"], message: /applies only with access "role"/ },
  { title: "scheduling: a principal that is not an IAM ARN", config: { scheduling: { users: { access: "role", principalArns: ["data-scientists"] } } }, path: "scheduling.users.principalArns[0]", value: "data-scientists", message: /must be an IAM principal ARN/ },
  { title: "scheduling: a principal listed twice", config: { scheduling: { users: { access: "role", principalArns: ["arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:root"] } } }, path: "scheduling.users.principalArns[1]", value: "arn:aws:iam::123456789012:root", message: /is listed twice/ },
  { title: "scheduling: users access not an option", config: { scheduling: { users: { access: "everyone" } } }, path: "scheduling.users.access", value: "everyone", message: /expected one of "none"\|"policy"\|"role"/ },
  { title: "scheduling: execution log retention not a CloudWatch period", config: { scheduling: { executionLogRetentionDays: 100 } }, path: "scheduling.executionLogRetentionDays", value: 100, message: /must be one of the periods CloudWatch Logs accepts/ },
  { title: "scheduling: enabled not a boolean", config: { scheduling: { enabled: "yes" } }, path: "scheduling.enabled", value: "yes", message: /expected boolean/ },
  // --- ui
  { title: "ui: enabled not a boolean", config: { ui: { enabled: "yes" } }, path: "ui.enabled", value: "yes", message: /enabled must be one of true, false$/ },
  { title: "ui: settings while the UI is off", config: { ui: { enabled: false, auth: "none" } }, path: "ui.auth", message: /applies only with enabled true \(the UI is off, so nothing of it is made\); remove it$/ },
  { title: "ui: on without a certificate", config: { ui: { enabled: true } }, path: "ui.certificateArn", message: /expected string/ },
  { title: "ui: a certificate that is not an ACM ARN", config: ui({ certificateArn: "arn:aws:iam::123456789012:server-certificate/ui" }), path: "ui.certificateArn", value: "arn:aws:iam::123456789012:server-certificate/ui", message: /must be an ACM certificate ARN/ },
  { title: "ui: a certificate of another region", config: ui({ certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012" }), path: "ui.certificateArn", message: /is in region eu-west-1, but a load balancer in us-east-1 serves only certificates of us-east-1/ },
  { title: "ui: a certificate of another account than accountId", config: { accountId: "111111111111", ...ui() }, path: "ui.certificateArn", message: /belongs to account 123456789012, but accountId is 111111111111; a load balancer serves only certificates of its own account$/ },
  { title: "ui: a hostname that is no DNS name", config: ui({ hostname: "https://metaflow.example.com" }), path: "ui.hostname", value: "https://metaflow.example.com", message: /must be a DNS name like metaflow\.example\.com/ },
  { title: "ui: scheme not an option", config: ui({ scheme: "public" }), path: "ui.scheme", value: "public", message: /expected one of "internal"\|"internet-facing"/ },
  { title: "ui: allowedCidrs with an internal load balancer", config: ui({ allowedCidrs: ["203.0.113.0/24"] }), path: "ui.allowedCidrs", value: ["203.0.113.0/24"], message: /applies only with scheme "internet-facing"/ },
  { title: "ui: clientCidrs with an internet-facing load balancer", config: ui({ scheme: "internet-facing", allowedCidrs: ["203.0.113.0/24"], clientCidrs: ["10.8.0.0/16"] }), path: "ui.clientCidrs", value: ["10.8.0.0/16"], message: /applies only with scheme "internal"/ },
  { title: "ui: internet-facing without allowedCidrs", config: ui({ scheme: "internet-facing" }), path: "ui.allowedCidrs", value: [], message: /lists nobody; an internet-facing load balancer admits only these networks/ },
  { title: "ui: allowedCidrs admitting the whole internet", config: ui({ scheme: "internet-facing", allowedCidrs: ["0.0.0.0/0"] }), path: "ui.allowedCidrs[0]", value: "0.0.0.0/0", message: /admits the whole internet; the rule pack refuses ingress from 0\.0\.0\.0\/0 \(MF-SG-1\)/ },
  { title: "ui: an allowed CIDR listed twice", config: ui({ scheme: "internet-facing", allowedCidrs: ["203.0.113.0/24", "203.0.113.0/24"] }), path: "ui.allowedCidrs[1]", value: "203.0.113.0/24", message: /is listed twice/ },
  { title: "ui: auth none with an internet-facing load balancer", config: ui({ scheme: "internet-facing", allowedCidrs: ["203.0.113.0/24"], auth: "none" }), path: "ui.auth", value: "none", message: /is not allowed with scheme "internet-facing"/ },
  { title: "ui: auth not an option", config: ui({ auth: "saml" }), path: "ui.auth", value: "saml", message: /expected one of "cognito"\|"oidc"\|"none"/ },
  { title: "ui: auth oidc without the identity provider", config: ui({ auth: "oidc" }), path: "ui.oidc", message: /is required with auth "oidc": give issuer/ },
  { title: "ui: oidc fields with auth cognito", config: ui({ oidc: OIDC }), path: "ui.oidc", message: /applies only with auth "oidc" \(it is "cognito"\)/ },
  { title: "ui: cognito fields with auth oidc", config: ui({ auth: "oidc", oidc: OIDC, cognito: { domainPrefix: "metaflow-ui" } }), path: "ui.cognito", message: /applies only with auth "cognito" \(it is "oidc"\)/ },
  { title: "ui: an oidc endpoint over plain http", config: ui({ auth: "oidc", oidc: { ...OIDC, tokenEndpoint: "http://login.example.com/token" } }), path: "ui.oidc.tokenEndpoint", value: "http://login.example.com/token", message: /must be an https URL of your identity provider/ },
  { title: "ui: an oidc client secret given as a value instead of a secret ARN", config: ui({ auth: "oidc", oidc: { ...OIDC, clientSecretArn: "hunter2-client-secret" } }), path: "ui.oidc.clientSecretArn", message: /must be a Secrets Manager secret ARN/ },
  { title: "ui: an oidc client secret in another region", config: ui({ auth: "oidc", oidc: { ...OIDC, clientSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ui-AbCdEf" } }), path: "ui.oidc.clientSecretArn", message: /is in region eu-west-1, but the stack reads it in us-east-1/ },
  { title: "ui: oidc scopes without openid", config: ui({ auth: "oidc", oidc: { ...OIDC, scope: "email profile" } }), path: "ui.oidc.scope", value: "email profile", message: /must include openid/ },
  { title: "ui: session timeout with auth none", config: ui({ auth: "none", sessionTimeoutSeconds: 3600 }), path: "ui.sessionTimeoutSeconds", value: 3600, message: /cannot take effect: with auth "none" nobody signs in/ },
  { title: "ui: session timeout past the load balancer's seven days", config: ui({ sessionTimeoutSeconds: 700000 }), path: "ui.sessionTimeoutSeconds", value: 700000, message: /must be at most 604800/ },
  { title: "ui: a Cognito domain prefix AWS reserves", config: ui({ cognito: { domainPrefix: "metaflow-cognito" } }), path: "ui.cognito.domainPrefix", value: "metaflow-cognito", message: /Cognito domain prefixes must not contain "cognito"/ },
  { title: "ui: a namePrefix that makes the default Cognito domain prefix illegal", config: { namePrefix: "awsml", ...ui() }, path: "ui.cognito.domainPrefix", message: /the default "awsml-dev-ui" is not valid: Cognito domain prefixes must not contain "aws".*; set ui\.cognito\.domainPrefix$/ },
  { title: "ui: a backend memory size Fargate does not offer", config: ui({ backend: { cpu: 1024, memoryMiB: 1024 } }), path: "ui.backend.memoryMiB", value: 1024, message: /is not a Fargate size for cpu 1024/ },
  { title: "ui: the static UI on latest", config: ui({ staticUi: { imageTag: "latest" } }), path: "ui.staticUi.imageTag", value: "latest", message: /must be pinned to a version, not latest/ },
  { title: "ui: a read replica, which RDS cannot make of a database whose password it manages", config: ui({ readReplica: {} }), path: "ui.readReplica", value: {}, message: READ_REPLICA_REFUSED },
  { title: "ui: a read replica with an instance class", config: ui({ readReplica: { instanceClass: "db.t4g.small" } }), path: "ui.readReplica", value: { instanceClass: "db.t4g.small" }, message: READ_REPLICA_REFUSED },
  { title: "ui: a read replica of any value, the UI off", config: { ui: { enabled: false, readReplica: false } }, path: "ui.readReplica", value: false, message: READ_REPLICA_REFUSED },
  { title: "ui: sign-in without NAT", config: { network: NO_NAT_NETWORK, service: { image: ECR_SERVICE_IMAGE }, ...ui({ staticUi: { image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/metaflow_ui" } }) }, path: "ui.auth", value: "cognito", message: /needs a way out of the private subnets: the load balancer calls the identity provider's token and user-info endpoints/ },
  { title: "ui: the public static UI image without NAT", config: { network: NO_NAT_NETWORK, service: { image: ECR_SERVICE_IMAGE }, ...ui({ auth: "none" }) }, path: "ui.staticUi.image", value: "public.ecr.aws/outerbounds/metaflow_ui", message: /cannot be pulled without NAT/ },
  { title: "ui: internet-facing in an existing network without public subnets", config: { network: { mode: "existing", vpcId: "vpc-0a1b2c3d4e5f60718", privateSubnetIds: ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722"], verifySubnets: false }, ...ui({ scheme: "internet-facing", allowedCidrs: ["203.0.113.0/24"] }) }, path: "ui.scheme", value: "internet-facing", message: /needs public subnets in two zones for the load balancer; set network\.publicSubnetIds/ },
  { title: "ui: an unknown key, with a did-you-mean", config: ui({ hostName: "metaflow.example.com" }), path: "ui.hostName", message: /unknown key; did you mean "hostname"\?/ },
  { title: "protectedResources entry that is neither a type nor an address", config: { protectedResources: ["S3 Bucket"] }, path: "protectedResources[0]", value: "S3 Bucket", message: /must be a resource type like aws_efs_file_system or an address like aws_s3_bucket.logs/ },
];

afterAll(() => {
  for (const dir of tempRoots) fs.rmSync(dir, { recursive: true, force: true });
});

describe("main rejects invalid configs and writes nothing", () => {
  test("control: a valid config in the same harness synthesizes into the output dir", () => {
    const result = run({ "dev.json": { region: "eu-west-1" } });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(fs.existsSync(path.join(result.outdir, "stacks", "metaflow-dev", "cdk.tf.json"))).toBe(true);
  });

  test("the table has at least 40 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  test.each(cases)("$title", (c) => {
    const result = run({ [c.file ?? "dev.json"]: c.raw !== undefined ? { raw: c.raw } : c.config });
    expectRejected(result, c);
  });

  test("several errors in one file are all reported at once", () => {
    const config = {
      region: "mars-1",
      namePrefix: "Bad",
      regoin: "us-east-1",
      network: { mode: "create", vpcCidr: "10.0.0.0/33", natGateways: "two", flowLogs: { retentionDays: 10 } },
      storage: { mode: "create", encryption: "aes", noncurrentVersionRetentionDays: 0 },
    };
    const result = run({ "dev.json": config });
    const expected: Case[] = [
      { title: "", path: "region", value: "mars-1", message: /expected one of/ },
      { title: "", path: "namePrefix", value: "Bad", message: NAME_CHARACTERS },
      { title: "", path: "regoin", message: /unknown key/ },
      { title: "", path: "network.vpcCidr", value: "10.0.0.0/33", message: CIDR_NOTATION },
      { title: "", path: "network.natGateways", value: "two", message: /expected one of/ },
      { title: "", path: "network.flowLogs.retentionDays", value: 10, message: /CloudWatch Logs/ },
      { title: "", path: "storage.encryption", value: "aes", message: /expected one of/ },
      { title: "", path: "storage.noncurrentVersionRetentionDays", value: 0, message: /must be at least 1/ },
    ];
    for (const c of expected) expectRejected(result, c);
    expect(problemLines(result.stderr)).toHaveLength(expected.length);
  });

  test("cross-field errors in one file are all reported at once", () => {
    const config = {
      network: {
        mode: "create",
        availabilityZones: ["us-east-1a", "us-east-1a"],
        privateSubnetCidrs: ["10.0.0.0/19", "10.0.16.0/20"],
        natGateways: "none",
      },
    };
    const result = run({ "dev.json": config });
    expectRejected(result, { title: "", path: "network.availabilityZones[1]", value: "us-east-1a", message: /listed twice/ });
    expectRejected(result, { title: "", path: "network.privateSubnetCidrs[1]", value: "10.0.16.0/20", message: /overlaps/ });
    expectRejected(result, { title: "", path: "network.interfaceEndpoints", value: [], message: /add "ecr\.api"/ });
  });

  test("cross-field network errors are reported alongside errors in other fields", () => {
    const config = { namePrefix: "Bad", network: { mode: "create", privateSubnetCidrs: ["10.0.0.0/19", "10.0.16.0/20"] } };
    const result = run({ "dev.json": config });
    expectRejected(result, { title: "", path: "namePrefix", value: "Bad", message: NAME_CHARACTERS });
    expectRejected(result, { title: "", path: "network.privateSubnetCidrs[1]", value: "10.0.16.0/20", message: /overlaps/ });
  });

  test("a file with thousands of bad entries lists 50 problems and counts the rest", () => {
    const result = run({ "dev.json": { protectedResources: Array.from({ length: 20000 }, (_, i) => `B${i % 10}`) } });
    const lines = problemLines(result.stderr);
    expect(lines).toHaveLength(51);
    expect(lines[0]).toContain('protectedResources[0]: "B0" must be a resource type');
    expect(lines[50]).toMatch(/\.\.\. and 19950 more problems/);
  });

  test("problems over many files are capped at 200 in all", () => {
    const files = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`env${i}.json`, { protectedResources: Array.from({ length: 60 }, () => "X") }]));
    const result = run(files);
    const lines = problemLines(result.stderr);
    expect(lines).toHaveLength(201);
    expect(lines[200]).toMatch(/: \.\.\. and 106 more problems; fix the ones above and run again$/);
    expect(fs.existsSync(result.outdir)).toBe(false);
  });

  test("a config file that is a directory is reported, not thrown", () => {
    const dir = tempDir("config");
    fs.mkdirSync(path.join(dir, "dev.json"));
    const outdir = path.join(tempDir("out"), "cdktf.out");
    const saved = process.env.CDKTF_OUTDIR;
    process.env.CDKTF_OUTDIR = outdir;
    const stderr: string[] = [];
    const spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (stderr.push(chunk.toString()), true));
    try {
      expect(main(["--config-dir", dir])).toBe(1);
    } finally {
      spy.mockRestore();
      if (saved === undefined) delete process.env.CDKTF_OUTDIR;
      else process.env.CDKTF_OUTDIR = saved;
    }
    expect(stderr.join("")).toContain(`${path.join(dir, "dev.json")}: cannot read it: it is a directory; environment files are <name>.json files`);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test("a VPC prefix outside /16../28 is reported once, not again for the subnets derived from it", () => {
    const result = run({ "dev.json": { network: { mode: "create", vpcCidr: "10.0.0.0/8" } } });
    expectRejected(result, { title: "", path: "network.vpcCidr", value: "10.0.0.0/8", message: /from \/16 to \/28/ });
    expect(problemLines(result.stderr)).toHaveLength(1);
  });

  test("an error in one of two environment files stops both", () => {
    const result = run({ "dev.json": {}, "prod.json": { region: "eu-west-1", namePrefix: "Prod" } });
    expectRejected(result, { title: "", file: "prod.json", path: "namePrefix", value: "Prod", message: NAME_CHARACTERS });
    expect(linesFor(result.stderr, path.join(result.dir, "dev.json"), undefined)).toEqual([]);
    expect(result.stderr).toMatch(/Nothing was synthesized/);
    // Neither stack: the output dir does not exist at all (checked above), so no metaflow-dev either.
    expect(fs.existsSync(path.join(result.outdir, "stacks", "metaflow-dev"))).toBe(false);
  });

  test("errors in two environment files are reported together", () => {
    const result = run({ "dev.json": { region: "us-east-7" }, "prod.json": { storage: { mode: "create", encryption: "aes" } } });
    expectRejected(result, { title: "", file: "dev.json", path: "region", value: "us-east-7", message: /expected one of/ });
    expectRejected(result, { title: "", file: "prod.json", path: "storage.encryption", value: "aes", message: /expected one of/ });
  });
});
