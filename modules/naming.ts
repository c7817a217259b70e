import { Token } from "cdktf";

/**
 * The one naming helper. Every AWS name this project sets comes from here, and every name rule lives here:
 * the rules of each resource type (length, characters, how a name starts and ends, the prefixes and
 * suffixes AWS reserves), the rules of the segments users choose (namePrefix, environment, compute
 * environment and queue names) and of the names users give (buckets). Config validation calls into this
 * file, so a config that validates yields legal names everywhere.
 */

/** AWS limits on the names this project derives (characters). */
export const NAME_LIMITS = {
  /** A whole S3 bucket name (the state bucket, an existing datastore). */
  bucket: 63,
  /** `bucket_prefix`: Terraform appends a 26-character unique suffix; the bucket name limit is 63. */
  bucketPrefix: 37,
  iamRole: 64,
  /** `name_prefix` on IAM roles: Terraform appends 26 characters to a 64-character limit. */
  iamRolePrefix: 38,
  iamPolicy: 128,
  logGroup: 512,
  kmsAlias: 256,
  /** Batch compute environments and job queues. */
  batch: 128,
  /** `name_prefix` of launch templates (128) less Terraform's 26-character suffix. */
  launchTemplatePrefix: 102,
  instanceProfile: 128,
  /** RDS instance identifiers. */
  dbIdentifier: 63,
  /** `name_prefix` of RDS parameter groups (255) less Terraform's 26-character suffix. */
  dbParameterGroupPrefix: 229,
  /** RDS snapshot identifiers (the final snapshot). */
  dbSnapshot: 255,
  /** Load balancer and target group names. */
  loadBalancer: 32,
  /** `name_prefix` of target groups: the provider allows 6 characters (it appends the rest). */
  targetGroupPrefix: 6,
  ecs: 255,
  dynamoTable: 255,
  /** ECR repository names. */
  ecrRepository: 256,
  /** Step Functions state machine names. */
  stateMachine: 80,
  /** EventBridge rule names. */
  eventRule: 64,
  securityGroup: 255,
  /** `name_prefix` of security groups (255) less Terraform's 26-character suffix. */
  securityGroupPrefix: 229,
  /** The `Name` tag value. */
  tagValue: 256,
  /** Cognito user pool and app client names. */
  cognitoUserPool: 128,
  /** The prefix of a Cognito hosted sign-in domain (`<prefix>.auth.<region>.amazoncognito.com`). */
  cognitoDomain: 63,
} as const;

export type NameKind = keyof typeof NAME_LIMITS;

/** AWS tag limits: tags per resource, and characters (Unicode code points) per key and per value. */
export const TAG_LIMITS = { perResource: 50, keyCharacters: 128, valueCharacters: 256 } as const;

/** S3 object keys (the Terraform state keys): at most 1,024 bytes of UTF-8. */
export const S3_KEY_MAX_BYTES = 1024;

/** Longest name prefix and environment name, chosen so every kind above fits (see naming tests). */
export const MAX_PREFIX_LENGTH = 16;
export const MAX_ENVIRONMENT_LENGTH = 10;

/** Prefixes S3 reserves for bucket names (access points, Object Lambda, S3 Express, examples). */
export const S3_RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"] as const;
/** Security group names must not start like their ids; load balancer names like internal ones' DNS names. */
export const SECURITY_GROUP_RESERVED_PREFIX = "sg-";
export const LOAD_BALANCER_RESERVED_PREFIX = "internal-";
/** Words a Cognito domain prefix must not contain (AWS reserves them). */
export const COGNITO_DOMAIN_RESERVED_WORDS = ["aws", "amazon", "cognito"] as const;
/** Suffixes S3 reserves for bucket names. */
export const S3_RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] as const;

/**
 * How AWS forbids some names to start: every name derived from `<namePrefix>-<environment>-` must start with
 * none of these (S3 buckets, security groups, load balancers). For checks written in another language (the
 * plain Terraform modules' variable validation); NAME_RULES applies them per kind.
 */
export const RESERVED_NAME_STARTS: readonly string[] = [...S3_RESERVED_PREFIXES, SECURITY_GROUP_RESERVED_PREFIX, LOAD_BALANCER_RESERVED_PREFIX];

/** A name AWS would refuse; `kind` says which rules, `problem` which one it breaks. */
export class InvalidNameError extends Error {
  constructor(
    public readonly kind: NameKind,
    public readonly value: string,
    public readonly problem: string,
    message = `${kind} name "${value}" ${problem}`,
  ) {
    super(message);
    this.name = "InvalidNameError";
  }
}

/** A name longer than its kind allows. */
export class NameTooLongError extends InvalidNameError {}

/** One rule a name must meet: undefined when it does, else what it must do ("must not start with ..."). */
type NameCheck = (name: string) => string | undefined;

const quoteList = (items: readonly string[]) =>
  items.length === 1 ? `"${items[0]}"` : `${items.slice(0, -1).map((i) => `"${i}"`).join(", ")} or "${items[items.length - 1]}"`;

const characters = (pattern: RegExp, allowed: string): NameCheck => (name) => (pattern.test(name) ? undefined : `may hold only ${allowed}`);
const startsWith = (pattern: RegExp, what: string): NameCheck => (name) => (pattern.test(name) ? undefined : `must start with ${what}`);
const endsWith = (pattern: RegExp, what: string): NameCheck => (name) => (pattern.test(name) ? undefined : `must end with ${what}`);
const notPrefixed = (prefixes: readonly string[], why: string): NameCheck => (name) =>
  prefixes.some((p) => name.startsWith(p)) ? `must not start with ${quoteList(prefixes)} (${why})` : undefined;
const notSuffixed = (suffixes: readonly string[], why: string): NameCheck => (name) =>
  suffixes.some((s) => name.endsWith(s)) ? `must not end with ${quoteList(suffixes)} (${why})` : undefined;
const notContaining = (text: string): NameCheck => (name) => (name.includes(text) ? `must not contain "${text}"` : undefined);
const notIpAddress: NameCheck = (name) => (/^\d+\.\d+\.\d+\.\d+$/.test(name) ? "must not be formatted as an IP address" : undefined);
const minLength = (n: number): NameCheck => (name) => (name.length < n ? `must have at least ${n} characters` : undefined);

const IAM_CHARACTERS = characters(/^[\w+=,.@-]+$/, "letters, digits and + = , . @ _ -");
const S3_CHARACTERS = characters(/^[a-z0-9.-]+$/, "lower-case letters, digits, dots and hyphens");
const S3_START = startsWith(/^[a-z0-9]/, "a lower-case letter or digit");
const S3_PREFIXES = notPrefixed(S3_RESERVED_PREFIXES, "S3 reserves them");
const RDS_START = startsWith(/^[a-z]/, "a letter");
const RDS_CHARACTERS = characters(/^[a-z0-9-]+$/, "lower-case letters, digits and hyphens");
const NO_TRAILING_HYPHEN = endsWith(/[^-]$/, "a letter or digit");
const SECURITY_GROUP_CHECKS = [
  characters(/^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/, "letters, digits, spaces and . _ - : / ( ) # , @ [ ] + = & ; { } ! $ *"),
  notPrefixed([SECURITY_GROUP_RESERVED_PREFIX], "AWS reserves it for security group ids"),
];

/** The rules of each kind besides its length (NAME_LIMITS), as AWS and the Terraform provider state them. */
const NAME_RULES: Record<NameKind, { readonly what: string; readonly checks: readonly NameCheck[] }> = {
  bucket: {
    what: "S3 bucket names",
    checks: [
      minLength(3), S3_CHARACTERS, S3_START, endsWith(/[a-z0-9]$/, "a lower-case letter or digit"), notContaining(".."), notIpAddress,
      S3_PREFIXES, notSuffixed(S3_RESERVED_SUFFIXES, "S3 reserves them"),
    ],
  },
  // Terraform appends digits, so the end rules and the IP-address rule cannot apply to a prefix.
  bucketPrefix: { what: "S3 bucket names", checks: [S3_CHARACTERS, S3_START, notContaining(".."), S3_PREFIXES] },
  iamRole: { what: "IAM role names", checks: [IAM_CHARACTERS] },
  iamRolePrefix: { what: "IAM role names", checks: [IAM_CHARACTERS] },
  iamPolicy: { what: "IAM policy names", checks: [IAM_CHARACTERS] },
  instanceProfile: { what: "IAM instance profile names", checks: [IAM_CHARACTERS] },
  logGroup: { what: "CloudWatch log group names", checks: [characters(/^[.\-_/#A-Za-z0-9]+$/, "letters, digits and . - _ / #")] },
  kmsAlias: {
    what: "KMS alias names",
    checks: [
      startsWith(/^alias\//, '"alias/"'), characters(/^alias\/[A-Za-z0-9/_-]+$/, "letters, digits and / _ - after alias/"),
      notPrefixed(["alias/aws/"], "AWS reserves it for its own keys"),
    ],
  },
  batch: { what: "Batch compute environment and job queue names", checks: [characters(/^[A-Za-z0-9_-]+$/, "letters, digits, hyphens and underscores")] },
  launchTemplatePrefix: { what: "launch template names", checks: [characters(/^[A-Za-z0-9().\-/_]+$/, "letters, digits and ( ) . - / _")] },
  dbIdentifier: { what: "RDS instance identifiers", checks: [RDS_CHARACTERS, RDS_START, notContaining("--"), NO_TRAILING_HYPHEN] },
  dbParameterGroupPrefix: { what: "RDS parameter group names", checks: [RDS_CHARACTERS, RDS_START, notContaining("--")] },
  dbSnapshot: { what: "RDS snapshot identifiers", checks: [characters(/^[A-Za-z0-9-]+$/, "letters, digits and hyphens"), startsWith(/^[A-Za-z]/, "a letter"), notContaining("--"), NO_TRAILING_HYPHEN] },
  loadBalancer: {
    what: "load balancer names",
    checks: [
      characters(/^[A-Za-z0-9-]+$/, "letters, digits and hyphens"), startsWith(/^[A-Za-z0-9]/, "a letter or digit"), NO_TRAILING_HYPHEN,
      notPrefixed([LOAD_BALANCER_RESERVED_PREFIX], "AWS reserves it for the DNS names of internal load balancers"),
    ],
  },
  targetGroupPrefix: { what: "target group names", checks: [characters(/^[A-Za-z0-9-]+$/, "letters, digits and hyphens"), startsWith(/^[A-Za-z0-9]/, "a letter or digit")] },
  ecs: { what: "ECS cluster, service and task family names", checks: [characters(/^[A-Za-z0-9_-]+$/, "letters, digits, hyphens and underscores")] },
  dynamoTable: { what: "DynamoDB table names", checks: [minLength(3), characters(/^[A-Za-z0-9_.-]+$/, "letters, digits and _ . -")] },
  ecrRepository: {
    what: "ECR repository names",
    checks: [
      minLength(2), characters(/^[a-z0-9._/-]+$/, "lower-case letters, digits and . _ - /"),
      startsWith(/^[a-z0-9]/, "a lower-case letter or digit"), endsWith(/[a-z0-9]$/, "a lower-case letter or digit"),
    ],
  },
  stateMachine: { what: "Step Functions state machine names", checks: [characters(/^[A-Za-z0-9_-]+$/, "letters, digits, hyphens and underscores")] },
  eventRule: { what: "EventBridge rule names", checks: [characters(/^[A-Za-z0-9._-]+$/, "letters, digits and . _ -")] },
  securityGroup: {
    what: "security group names",
    checks: SECURITY_GROUP_CHECKS,
  },
  securityGroupPrefix: {
    what: "security group names",
    checks: SECURITY_GROUP_CHECKS,
  },
  tagValue: { what: "tag values", checks: [characters(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, "letters, digits, spaces and _ . : / = + - @")] },
  cognitoUserPool: { what: "Cognito user pool and app client names", checks: [characters(/^[\w\s+=,.@-]+$/, "letters, digits, spaces and + = , . @ _ -")] },
  cognitoDomain: {
    what: "Cognito domain prefixes",
    checks: [
      characters(/^[a-z0-9-]+$/, "lower-case letters, digits and hyphens"), startsWith(/^[a-z0-9]/, "a lower-case letter or digit"), NO_TRAILING_HYPHEN,
      (name) => {
        const word = COGNITO_DOMAIN_RESERVED_WORDS.find((w) => name.includes(w));
        return word ? `must not contain "${word}" (AWS reserves ${quoteList(COGNITO_DOMAIN_RESERVED_WORDS)} in Cognito domains)` : undefined;
      },
    ],
  },
};

/**
 * What is wrong with `name` as a name of `kind`: the first rule it breaks, in words ("must not start with
 * ..."), or undefined when AWS would accept it. Lengths are in characters.
 */
export function nameProblem(kind: NameKind, name: string): string | undefined {
  const limit = NAME_LIMITS[kind];
  if (name.length > limit) return `must have at most ${limit} characters (this one has ${name.length})`;
  for (const check of NAME_RULES[kind].checks) {
    const problem = check(name);
    if (problem) return problem;
  }
  return undefined;
}

/** "security group names", for messages. */
export const describeKind = (kind: NameKind) => NAME_RULES[kind].what;

/** Throws InvalidNameError (NameTooLongError for a length) unless `name` is legal for `kind`. */
export function checkName(kind: NameKind, name: string, hint = "Use a shorter namePrefix or environment name."): string {
  const limit = NAME_LIMITS[kind];
  if (name.length > limit) {
    throw new NameTooLongError(kind, name, `must have at most ${limit} characters (this one has ${name.length})`, `${kind} name "${name}" has ${name.length} characters; AWS allows ${limit}. ${hint}`);
  }
  const problem = nameProblem(kind, name);
  if (problem) throw new InvalidNameError(kind, name, problem, `${kind} name "${name}": ${describeKind(kind)} ${problem}`);
  return name;
}

/**
 * A target group `name_prefix`: target group names have no room for the environment (32 characters with
 * the provider's suffix), so the prefix is a short fixed purpose, `mfui-`.
 */
export function targetGroupPrefix(purpose: string): string {
  return checkName("targetGroupPrefix", `${purpose}-`, "Use a shorter purpose.");
}

/** An S3 bucket name the user gives (state.bucket, storage.bucketName): what is wrong with it, if anything. */
export const bucketNameProblem = (name: string) => nameProblem("bucket", name);

/**
 * A segment users choose that becomes part of every name (namePrefix, the environment name): 2 to
 * `maxLength` lower-case letters, digits and hyphens, starting with a letter, ending with a letter or digit,
 * without "--" (RDS identifiers refuse it). Returns every rule it breaks, each a sentence about `what`.
 */
export function segmentProblems(what: string, segment: string, maxLength: number): string[] {
  const problems: string[] = [];
  if (segment.length < 2) problems.push(`${what} must have 2 to ${maxLength} characters`);
  if (segment.length > maxLength) problems.push(`${what} must have 2 to ${maxLength} characters (it is part of bucket and IAM role names)`);
  if (!/^[a-z][a-z0-9-]*[a-z0-9]$/.test(segment)) {
    problems.push(`${what} may hold lower-case letters, digits and hyphens, must start with a letter and end with a letter or digit`);
  }
  if (segment.includes("--")) problems.push(`${what} must not contain "--"`);
  return problems;
}

/** Longest name of a compute environment or job queue: it is a purpose in Batch and launch template names. */
export const MAX_PURPOSE_LENGTH = 24;

/** A compute environment or job queue name (a purpose in Batch, launch template and IAM names): what is wrong with it. */
export function purposeProblem(name: string): string | undefined {
  return new RegExp(`^[a-z][a-z0-9-]{0,${MAX_PURPOSE_LENGTH - 2}}[a-z0-9]$`).test(name)
    ? undefined
    : `must be 2 to ${MAX_PURPOSE_LENGTH} lower-case letters, digits and hyphens, starting with a letter`;
}

/**
 * The default name of the Terraform state bucket (one per account and region, shared by environments):
 * `<prefix>-tfstate-<account>-<region>`, or `<prefix>-tfstate-<region>` when the account is not configured.
 * Throws InvalidNameError when S3 would refuse it.
 */
export function defaultStateBucketName(prefix: string, region: string, accountId?: string): string {
  const name = [prefix, "tfstate", accountId, region].filter(Boolean).join("-");
  return checkName("bucket", name, "Set state.bucket.");
}

/**
 * The longest `state.keyPrefix`: state keys are `<keyPrefix>/<environment>/<stack>.tfstate` (the stack is
 * `metaflow-<environment>`) and `<keyPrefix>/bootstrap/metaflow-state.tfstate`, and each must fit S3's
 * 1,024 bytes with the longest environment name.
 */
export const MAX_STATE_KEY_PREFIX_LENGTH =
  S3_KEY_MAX_BYTES - Math.max(`/${"e".repeat(MAX_ENVIRONMENT_LENGTH)}/metaflow-${"e".repeat(MAX_ENVIRONMENT_LENGTH)}.tfstate`.length, "/bootstrap/metaflow-state.tfstate".length);

export class Naming {
  /** `<prefix>-<environment>`: the stem of every name. */
  public readonly base: string;

  constructor(
    public readonly prefix: string,
    public readonly environment: string,
  ) {
    this.base = `${prefix}-${environment}`;
  }

  /**
   * Every rule a name of each kind would break with this prefix and environment, found by deriving one name
   * of each kind (the purposes are stand-ins: the rules a prefix can break look at how a name starts).
   * Config validation calls this, so no construct meets an illegal name.
   */
  public static problems(prefix: string, environment: string): InvalidNameError[] {
    if (Token.isUnresolved(prefix) || Token.isUnresolved(environment)) return [];
    const naming = new Naming(prefix, environment);
    const samples: (() => string)[] = [
      () => naming.resource("vpc"),
      () => naming.securityGroup("database"),
      () => naming.securityGroupPrefix("batch"),
      () => naming.bucketPrefix("ds"),
      () => naming.iamRole("batch"),
      () => naming.iamRolePrefix("batch"),
      () => naming.batch("cpu"),
      () => naming.batchPrefix("cpu"),
      () => naming.launchTemplatePrefix("batch-cpu"),
      () => naming.instanceProfile("batch-instance"),
      () => naming.dbIdentifier("metadata"),
      () => naming.dbParameterGroupPrefix("postgres17"),
      () => naming.dbSnapshot("metadata-final"),
      () => naming.loadBalancer("md"),
      () => naming.ecs("metadata"),
      () => naming.iamPolicy("metaflow-users"),
      () => naming.vendedLogGroup("step-functions"),
      () => naming.dynamoTable("step-functions"),
      () => naming.ecrRepository("jobs"),
      () => naming.stateMachine("restart-metadata"),
      () => naming.eventRule("db-password-rotated"),
      () => naming.logGroup("metadata-service"),
      () => naming.kmsAlias("datastore"),
    ];
    const problems: InvalidNameError[] = [];
    for (const sample of samples) {
      try {
        sample();
      } catch (e) {
        if (!(e instanceof InvalidNameError)) throw e;
        problems.push(e);
      }
    }
    return problems;
  }

  /** A plain resource name, used for `Name` tags and security group names: `<base>-<purpose>`. */
  public resource(purpose: string): string {
    return this.check("tagValue", `${this.base}-${purpose}`);
  }

  public securityGroup(purpose: string): string {
    return this.check("securityGroup", `${this.base}-${purpose}`);
  }

  /** A security group `name_prefix`, for groups replaced create-before-destroy. */
  public securityGroupPrefix(purpose: string): string {
    return this.check("securityGroupPrefix", `${this.base}-${purpose}-`);
  }

  /** An S3 `bucket_prefix`; Terraform makes the name globally unique. */
  public bucketPrefix(purpose: string): string {
    return this.check("bucketPrefix", `${this.base}-${purpose}-`);
  }

  public iamRole(purpose: string): string {
    return this.check("iamRole", `${this.base}-${purpose}`);
  }

  /** A role `name_prefix`, for roles that must be replaced create-before-destroy. */
  public iamRolePrefix(purpose: string): string {
    return this.check("iamRolePrefix", `${this.base}-${purpose}-`);
  }

  /** A Batch job queue name. */
  public batch(purpose: string): string {
    return this.check("batch", `${this.base}-${purpose}`);
  }

  /** A `name_prefix` for Batch compute environments, replaced create-before-destroy. */
  public batchPrefix(purpose: string): string {
    return this.check("batch", `${this.base}-${purpose}-`);
  }

  public launchTemplatePrefix(purpose: string): string {
    return this.check("launchTemplatePrefix", `${this.base}-${purpose}-`);
  }

  public instanceProfile(purpose: string): string {
    return this.check("instanceProfile", `${this.base}-${purpose}`);
  }

  /** An RDS instance identifier (fixed, so its log groups can be created first, with retention). */
  public dbIdentifier(purpose: string): string {
    return this.check("dbIdentifier", `${this.base}-${purpose}`);
  }

  /** An RDS parameter group `name_prefix` (groups are replaced create-before-destroy). */
  public dbParameterGroupPrefix(purpose: string): string {
    return this.check("dbParameterGroupPrefix", `${this.base}-${purpose}-`);
  }

  /** An RDS snapshot identifier (the final snapshot taken when the instance is deleted). */
  public dbSnapshot(purpose: string): string {
    return this.check("dbSnapshot", `${this.base}-${purpose}`);
  }

  /** Load balancer and target group names (32 characters at most). */
  public loadBalancer(purpose: string): string {
    return this.check("loadBalancer", `${this.base}-${purpose}`);
  }

  /** ECS cluster, service and task family names. */
  public ecs(purpose: string): string {
    return this.check("ecs", `${this.base}-${purpose}`);
  }

  public iamPolicy(purpose: string): string {
    return this.check("iamPolicy", `${this.base}-${purpose}`);
  }

  /**
   * A log group AWS services deliver into (Step Functions): under `/aws/vendedlogs/`, which keeps CloudWatch's
   * resource policy small. `/aws/vendedlogs/metaflow/<base>/<purpose>`.
   */
  public vendedLogGroup(purpose: string): string {
    return this.check("logGroup", `/aws/vendedlogs/metaflow/${this.base}/${purpose}`);
  }

  /**
   * METAFLOW_SFN_STATE_MACHINE_PREFIX. Metaflow names state machines (and their EventBridge rules)
   * `<prefix>_<flow>`, so IAM scopes to `<prefix>_*`, which no other environment's names can match.
   */
  public get stateMachinePrefix(): string {
    return this.base;
  }

  public dynamoTable(purpose: string): string {
    return this.check("dynamoTable", `${this.base}-${purpose}`);
  }

  /** An ECR repository: `<base>-<purpose>`. */
  public ecrRepository(purpose: string): string {
    return this.check("ecrRepository", `${this.base}-${purpose}`);
  }

  /**
   * A state machine of the project's own: `<base>-<purpose>`, outside `<prefix>_*` (the underscore), the
   * names Metaflow's state machines take and the people who run flows may create and delete.
   */
  public stateMachine(purpose: string): string {
    return this.check("stateMachine", `${this.base}-${purpose}`);
  }

  /** An EventBridge rule of the project's own: `<base>-<purpose>`, outside `<prefix>_*` as above. */
  public eventRule(purpose: string): string {
    return this.check("eventRule", `${this.base}-${purpose}`);
  }

  /** CloudWatch log group: `/metaflow/<base>/<purpose>`. */
  public logGroup(purpose: string): string {
    return this.check("logGroup", `/metaflow/${this.base}/${purpose}`);
  }

  public kmsAlias(purpose: string): string {
    return this.check("kmsAlias", `alias/${this.base}-${purpose}`);
  }

  /** Cognito user pool and app client names: `<base>-<purpose>`. */
  public cognitoUserPool(purpose: string): string {
    return this.check("cognitoUserPool", `${this.base}-${purpose}`);
  }

  /**
   * The prefix of a Cognito hosted sign-in domain. Prefixes are unique in a region across every AWS account,
   * so the default takes the account id when it is known: `<base>-<purpose>[-<accountId>]`.
   */
  public cognitoDomain(purpose: string, accountId?: string): string {
    return this.check("cognitoDomain", [this.base, purpose, accountId].filter(Boolean).join("-"));
  }

  private check(kind: NameKind, name: string): string {
    // A name built from Terraform values (a module's variables) is checked by those variables' validation.
    if (Token.isUnresolved(name)) return name;
    return checkName(kind, name);
  }
}
