import { z } from "zod";
import { describeKind, nameProblem, Naming } from "../naming";
import { parseIpv4Cidr } from "./cidr";
import {
  arnParts, arnScopeProblem, discriminatorError, duplicateIndexes, given, int, Ipv4Cidr, MootSetting, rawObject, Report, RetentionDays, strict,
} from "./common";
import { partitionOf } from "./regions";
import { ecrDomain, isEcrImageIn } from "./images";
import { fargateSizeAllowed } from "./service-config";

/**
 * Config of the UI area (reference §7): the Metaflow UI's backend (the metadata-service image running the
 * UI server) and its static frontend on Fargate in private subnets, behind an HTTPS-only Application Load
 * Balancer, with sign-in through a Cognito user pool, the user's own OIDC identity provider, or (on an
 * internal load balancer only) none. Off by default.
 */

/** Who can reach the load balancer: the VPC (and `clientCidrs`), or the internet (`allowedCidrs` only). */
export const UI_SCHEMES = ["internal", "internet-facing"] as const;
export type UiScheme = (typeof UI_SCHEMES)[number];

/** How people sign in: a Cognito user pool made here, the user's own OIDC identity provider, or not at all. */
export const UI_AUTH = ["cognito", "oidc", "none"] as const;
export type UiAuth = (typeof UI_AUTH)[number];

/** The static UI image (metaflow-ui's nginx build, listening on 3000) and its pinned tag. */
export const STATIC_UI_IMAGE = "public.ecr.aws/outerbounds/metaflow_ui";
/** metaflow-ui v1.3.13, the release the metadata service v2.5.1 image bundles, as Outerbounds publishes it. */
export const STATIC_UI_IMAGE_TAG = "v1.3.13-5-g5dd049e";
/** Eight hours: a working day between sign-ins. */
export const DEFAULT_SESSION_TIMEOUT_SECONDS = 28800;
/** The most the load balancer allows for an authentication session (seven days). */
const MAX_SESSION_TIMEOUT_SECONDS = 604800;

const AcmCertificateArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/, "must be an ACM certificate ARN like arn:aws:acm:us-east-1:123456789012:certificate/<uuid>");

const SecretArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/, "must be a Secrets Manager secret ARN like arn:aws:secretsmanager:us-east-1:123456789012:secret:metaflow-ui-oidc-AbCdEf");

/** A DNS name of two or more labels, each 1 to 63 lower-case letters, digits and hyphens, not starting or ending with one. */
const DNS_NAME = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const Hostname = z
  .string()
  .max(253, "must have at most 253 characters (a DNS name)")
  .regex(DNS_NAME, "must be a DNS name like metaflow.example.com (lower-case letters, digits, hyphens and dots): the name people type, which the certificate covers");

/** An https URL of the identity provider: host, optional port and path, printable characters only. */
const HttpsUrl = z
  .string()
  .max(2048, "must have at most 2048 characters")
  .regex(/^https:\/\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?(\/[\x21-\x7e]*)?$/, "must be an https URL of your identity provider, like https://login.example.com/oauth2/v1/token");

/** Space-separated scopes; OIDC needs `openid`. */
const Scope = z
  .string()
  .regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, "must be scopes separated by single spaces, like \"openid email\"")
  .refine((s) => s.split(" ").includes("openid"), "must include openid (the load balancer signs in with OpenID Connect)");

const OidcSchema = strict({
  /** The identity provider's issuer: the `iss` of its ID tokens. */
  issuer: HttpsUrl,
  authorizationEndpoint: HttpsUrl,
  tokenEndpoint: HttpsUrl,
  userInfoEndpoint: HttpsUrl,
  /** The app (client) the identity provider registered for the UI; its redirect URI is https://<hostname>/oauth2/idpresponse. */
  clientId: z.string().regex(/^[\x21-\x7e]{1,255}$/, "must be the client id your identity provider gave the app: 1 to 255 printable characters, no spaces"),
  /**
   * The Secrets Manager secret that holds the client secret, never the secret itself: the load balancer
   * needs the value, so it is read at plan time (an aws_secretsmanager_secret_version data source) and
   * lands in the encrypted state, never in config files or the synthesized JSON.
   */
  clientSecretArn: SecretArn,
  /** The key that holds the client secret when the secret is JSON. @default none: the whole secret string is the client secret */
  clientSecretKey: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, "must be a JSON key of the secret: 1 to 128 letters, digits and _ . -").optional(),
  /** @default "openid" */
  scope: Scope.default("openid"),
});

const CognitoDomainPrefix = z.string().superRefine((s, ctx) => {
  const problem = nameProblem("cognitoDomain", s);
  if (problem) ctx.addIssue({ code: "custom", input: s, message: `is not a valid domain prefix: ${describeKind("cognitoDomain")} ${problem}` });
});

const CognitoSchema = strict({
  /**
   * The hosted sign-in domain, `https://<domainPrefix>.auth.<region>.amazoncognito.com`. Prefixes are unique
   * in a region across all of AWS.
   * @default "<namePrefix>-<environment>-ui", with "-<accountId>" when accountId is set
   */
  domainPrefix: CognitoDomainPrefix.optional(),
});

const FargateCpu = z.union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)], {
  error: "must be one of the Fargate CPU sizes 256, 512, 1024, 2048, 4096",
});

const BackendSchema = strict({
  /** Fargate CPU units. @default 1024 */
  cpu: FargateCpu.default(1024),
  /** The UI backend caches artifacts, DAGs and logs in memory. @default 4096 */
  memoryMiB: int(512, 30720).default(4096),
  /** @default 1 */
  desiredCount: int(1, 10).default(1),
});

const StaticUiSchema = strict({
  /** @default "public.ecr.aws/outerbounds/metaflow_ui" */
  image: z.string().regex(/^[a-z0-9][a-z0-9._\/-]*$/, "must be an image repository without a tag, like public.ecr.aws/outerbounds/metaflow_ui").default(STATIC_UI_IMAGE),
  /** Pinned. @default "v1.3.13-5-g5dd049e" */
  imageTag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be an image tag like v1.3.13-5-g5dd049e (not latest: pin a version)").refine((t) => t !== "latest", "must be pinned to a version, not latest").default(STATIC_UI_IMAGE_TAG),
  /** Fargate CPU units: nginx serving files. @default 256 */
  cpu: FargateCpu.default(256),
  /** @default 512 */
  memoryMiB: int(512, 30720).default(512),
  /** @default 1 */
  desiredCount: int(1, 10).default(1),
});

/**
 * Keys refused whatever their value, on or off, each with why it cannot take effect. A read replica of the
 * database cannot be made: RDS does not create one of a database whose master user password it manages in
 * Secrets Manager (the RDS User Guide, "Limitations for Secrets Manager integration with Amazon RDS"), and
 * this deployment always has RDS manage it (MF-RDS-6; the password's rotation depends on it).
 */
const REFUSED_KEYS: Readonly<Record<string, string>> = {
  readReplica:
    "cannot take effect: RDS cannot create a read replica of a database whose master user password RDS manages in Secrets Manager, and this deployment always has RDS manage it (MF-RDS-6; the password's rotation depends on it); the UI backend reads the primary",
};

/** Every key of the UI when it is on, for the messages that refuse them while it is off. */
const ENABLED_KEYS = [
  "certificateArn", "hostname", "scheme", "clientCidrs", "allowedCidrs", "auth", "cognito", "oidc", "sessionTimeoutSeconds", "backend",
  "staticUi", "logRetentionDays",
];

const DisabledUiSchema = strict(
  { enabled: z.literal(false) },
  {
    ...Object.fromEntries(ENABLED_KEYS.map((k) => [k, "applies only with enabled true (the UI is off, so nothing of it is made)"])),
    ...REFUSED_KEYS,
  },
);

const EnabledUiSchema = strict({
  enabled: z.literal(true),
  /** The ACM certificate the HTTPS listener serves, in the stack's region and account; it must cover `hostname`. */
  certificateArn: AcmCertificateArn,
  /**
   * The name people type, pointed (CNAME or alias) at the load balancer; the sign-in callback and
   * METAFLOW_UI_URL use it. @default the load balancer's DNS name (which no certificate can cover)
   */
  hostname: Hostname.optional(),
  /** @default "internal" */
  scheme: z.enum(UI_SCHEMES).default("internal"),
  /** Networks outside the VPC that reach an internal load balancer (a VPN, a peered VPC), besides the VPC itself. @default [] */
  clientCidrs: z.array(Ipv4Cidr).default([]),
  /** The only networks an internet-facing load balancer admits (your offices, your VPN's egress); required with it. @default [] */
  allowedCidrs: z.array(Ipv4Cidr).default([]),
  /** @default "cognito" */
  auth: z.enum(UI_AUTH).default("cognito"),
  /** With auth "cognito" only. @default a domain prefix derived from the names */
  cognito: CognitoSchema.optional(),
  /** Your identity provider; required with auth "oidc", refused otherwise. @default none */
  oidc: OidcSchema.optional(),
  /** How long a sign-in lasts, in seconds (not with auth "none"). @default 28800 */
  sessionTimeoutSeconds: int(60, MAX_SESSION_TIMEOUT_SECONDS).default(DEFAULT_SESSION_TIMEOUT_SECONDS),
  /** The UI backend (the metadata service's image, `service.image:service.imageTag`, running the UI server on 8083). */
  backend: BackendSchema.default({ cpu: 1024, memoryMiB: 4096, desiredCount: 1 }),
  /** The static UI (nginx on 3000). */
  staticUi: StaticUiSchema.default({ image: STATIC_UI_IMAGE, imageTag: STATIC_UI_IMAGE_TAG, cpu: 256, memoryMiB: 512, desiredCount: 1 }),
  /** Days the UI services' logs are kept. @default 90 */
  logRetentionDays: RetentionDays.default(90),
}, REFUSED_KEYS);

export const UiSchema = z
  .discriminatedUnion("enabled", [DisabledUiSchema, EnabledUiSchema], discriminatorError("enabled", "true, false"))
  .default({ enabled: false });

export type UiConfig = z.output<typeof UiSchema>;
export type EnabledUiConfig = z.output<typeof EnabledUiSchema>;

/** The Fargate sizes of one UI service; paths relative to `ui`. */
function checkSize(field: "backend" | "staticUi", size: { cpu: number; memoryMiB: number }, fail: Report): void {
  if (!fargateSizeAllowed(size.cpu, size.memoryMiB)) {
    fail([field, "memoryMiB"], size.memoryMiB, `is not a Fargate size for cpu ${size.cpu}; see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size`);
  }
}

/** Cross-field rules of the UI; paths relative to `ui`. */
export function checkUi(input: UiConfig, fail: Report): void {
  if (!input.enabled) return;
  checkSize("backend", input.backend, fail);
  checkSize("staticUi", input.staticUi, fail);
  const internal = input.scheme === "internal";
  if (internal && input.allowedCidrs.length > 0) {
    fail(["allowedCidrs"], input.allowedCidrs, 'applies only with scheme "internet-facing": an internal load balancer admits the VPC and clientCidrs; move them to clientCidrs or set scheme "internet-facing"');
  }
  if (!internal && input.clientCidrs.length > 0) {
    fail(["clientCidrs"], input.clientCidrs, 'applies only with scheme "internal": an internet-facing load balancer admits allowedCidrs only; move them to allowedCidrs');
  }
  if (!internal && input.allowedCidrs.length === 0) {
    fail(["allowedCidrs"], input.allowedCidrs, 'lists nobody; an internet-facing load balancer admits only these networks: list your offices\' or VPN\'s egress CIDRs, or set scheme "internal"');
  }
  for (const field of ["allowedCidrs", "clientCidrs"] as const) {
    const list = input[field];
    list.forEach((cidr, i) => {
      if (parseIpv4Cidr(cidr)?.prefix === 0) {
        fail([field, i], cidr, "admits the whole internet; the rule pack refuses ingress from 0.0.0.0/0 (MF-SG-1): list the networks people use the UI from");
      }
    });
    for (const i of duplicateIndexes(list)) fail([field, i], list[i], "is listed twice");
  }
  if (input.auth === "none" && !internal) {
    fail(["auth"], input.auth, 'is not allowed with scheme "internet-facing": anyone on allowedCidrs would read every run; use "cognito" or "oidc", or set scheme "internal"');
  }
  if (input.auth === "oidc" && input.oidc === undefined) {
    fail(["oidc"], input.oidc, 'is required with auth "oidc": give issuer, authorizationEndpoint, tokenEndpoint, userInfoEndpoint, clientId and clientSecretArn');
  }
  if (input.auth !== "oidc" && input.oidc !== undefined) {
    fail(["oidc"], input.oidc, `applies only with auth "oidc" (it is "${input.auth}"); remove it or set auth "oidc"`);
  }
  if (input.auth !== "cognito" && input.cognito !== undefined) {
    fail(["cognito"], input.cognito, `applies only with auth "cognito" (it is "${input.auth}"); remove it or set auth "cognito"`);
  }
}

/**
 * Rules across the UI, the region and the account: the certificate must be in the stack's region (a load
 * balancer serves only certificates of its own region and account) and the OIDC client secret in the
 * stack's region (the provider reads it there); a static image in ECR must be in the stack's region.
 */
export function checkUiRegion(input: UiConfig, region: string, accountId: string | undefined, fail: Report): void {
  if (!input.enabled) return;
  const certificate = arnParts(input.certificateArn);
  const certificateProblem = arnScopeProblem(input.certificateArn, region, accountId, false);
  if (certificateProblem) fail(["certificateArn"], input.certificateArn, certificateProblem);
  else if (certificate && certificate.region !== region) {
    fail(["certificateArn"], input.certificateArn, `is in region ${certificate.region}, but a load balancer in ${region} serves only certificates of ${region}; request or import it there`);
  } else if (certificate && accountId !== undefined && certificate.account !== accountId) {
    fail(["certificateArn"], input.certificateArn, `belongs to account ${certificate.account}, but accountId is ${accountId}; a load balancer serves only certificates of its own account`);
  }
  if (input.oidc) {
    const secret = arnParts(input.oidc.clientSecretArn);
    const secretProblem = arnScopeProblem(input.oidc.clientSecretArn, region, accountId, false);
    if (secretProblem) fail(["oidc", "clientSecretArn"], input.oidc.clientSecretArn, secretProblem);
    else if (secret && secret.region !== region) {
      fail(["oidc", "clientSecretArn"], input.oidc.clientSecretArn, `is in region ${secret.region}, but the stack reads it in ${region}; replicate the secret to ${region} and name that copy`);
    }
  }
  const image = input.staticUi.image;
  const ecr = /^\d{12}\.dkr\.ecr(-fips)?\.([a-z0-9-]+)\./.exec(image);
  if (ecr && !isEcrImageIn(image, region)) {
    fail(["staticUi", "image"], image, `is in ECR of another region or partition, but the UI's execution role may pull only from ECR in ${region} (${partitionOf(region)}, under ${ecrDomain(region)}); copy it there`);
  }
}

/** What the UI needs of the network: a way out for sign-in and public images, public subnets when internet-facing. */
export function checkUiNetwork(
  input: UiConfig,
  network: { mode: string; natGateways?: string; publicSubnetIds?: readonly string[] },
  region: string,
  fail: Report,
): void {
  if (!input.enabled) return;
  if (network.mode === "existing" && input.scheme === "internet-facing" && (network.publicSubnetIds?.length ?? 0) < 2) {
    fail(["scheme"], input.scheme, "needs public subnets in two zones for the load balancer; set network.publicSubnetIds, or set scheme \"internal\"");
  }
  if (network.mode !== "create" || network.natGateways !== "none") return;
  if (input.auth !== "none") {
    fail(["auth"], input.auth, 'needs a way out of the private subnets: the load balancer calls the identity provider\'s token and user-info endpoints over the internet, and network.natGateways is "none"; choose natGateways "single" (or "instance"), or auth "none"');
  }
  if (!isEcrImageIn(input.staticUi.image, region)) {
    fail(["staticUi", "image"], input.staticUi.image, `cannot be pulled without NAT (network.natGateways is "none"); copy it to ECR in ${region} and name that repository, or choose natGateways "single"`);
  }
}

/** UI settings the raw input gives that cannot take effect; paths relative to `ui`. */
export function mootUi(raw: unknown): MootSetting[] {
  const ui = rawObject(raw, "ui");
  if (ui?.enabled !== true || ui.auth !== "none" || !given(ui, "sessionTimeoutSeconds")) return [];
  return [{
    path: ["sessionTimeoutSeconds"],
    value: ui.sessionTimeoutSeconds,
    message: 'cannot take effect: with auth "none" nobody signs in, so there is no session; remove it or choose auth "cognito" or "oidc"',
  }];
}

/** The Cognito domain prefix of `config`: the configured one, or the one derived from the names. */
export function cognitoDomainPrefix(ui: EnabledUiConfig, naming: Naming, accountId?: string): string {
  return ui.cognito?.domainPrefix ?? naming.cognitoDomain("ui", accountId);
}

/**
 * Names the UI derives that AWS would refuse (a namePrefix holding "aws" makes a Cognito domain prefix AWS
 * reserves), one line each; checked only when the UI is on with Cognito and no domainPrefix is given.
 */
export function uiNameProblems(ui: UiConfig, prefix: string, environment: string, accountId?: string): string[] {
  if (!ui.enabled || ui.auth !== "cognito" || ui.cognito?.domainPrefix !== undefined) return [];
  const name = [prefix, environment, "ui", accountId].filter(Boolean).join("-");
  const problem = nameProblem("cognitoDomain", name);
  return problem
    ? [`ui.cognito.domainPrefix: the default ${JSON.stringify(name)} is not valid: ${describeKind("cognitoDomain")} ${problem}; set ui.cognito.domainPrefix`]
    : [];
}
