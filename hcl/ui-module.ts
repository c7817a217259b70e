import { Construct } from "constructs";
import { COGNITO_DOMAIN_RESERVED_WORDS } from "../modules/naming";
import { DEFAULT_SESSION_TIMEOUT_SECONDS, STATIC_UI_IMAGE, STATIC_UI_IMAGE_TAG } from "../modules/config/ui-config";
import { Database } from "../modules/database";
import { MetaflowUi } from "../modules/ui/metaflow-ui";
import { existingDatastore, placement, wholeNumber } from "./inputs/common";
import { cidrCondition, ModuleStack } from "./module-stack";
import { cidrListRules } from "./inputs/service";
import { prefixOf, quoted, rule, shown } from "./hcl-text";

/**
 * The UI area as a plain Terraform module: one shape, an internal HTTPS load balancer admitting the VPC,
 * Cognito sign-in (admin-created users, MFA required), the UI backend and the static UI on Fargate. The
 * database is the service module's, by its attributes: in HCL, `data "aws_db_instance"` on its identifier
 * (`<name_prefix>-<environment>-metadata`) gives the address, the master secret and its key, and the
 * security group.
 */
export class UiModule extends ModuleStack {
  constructor(scope: Construct, id: string) {
    super(scope, id, "The Metaflow UI: an internal HTTPS-only load balancer with Cognito sign-in, the UI backend and static UI on Fargate without public IPs");
    const naming = this.naming();
    const where = placement(this);
    const boundary = this.boundary();
    const text = (name: string, description: string, validation?: { condition: string; errorMessage: string }) =>
      this.input(name, { type: "string", description, validation: validation && [validation] }).stringValue;

    const vpcCidr = text("vpc_cidr", "The VPC's IPv4 CIDR (the network module's vpc_cidr): the internal load balancer admits it", {
      condition: `\${${cidrCondition("var.vpc_cidr")}}`,
      errorMessage: "vpc_cidr must be an IPv4 network address in CIDR notation, e.g. 10.0.0.0/16.",
    });
    const certificateArn = text("certificate_arn", "ACM certificate of the load balancer, in the provider's region; it must cover hostname", {
      condition: '${can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}$", var.certificate_arn))}',
      errorMessage: "certificate_arn must be an ACM certificate ARN: arn:aws:acm:<region>:<account>:certificate/<uuid>.",
    });
    const hostname = text("hostname", "The name people type, pointed (CNAME or alias) at load_balancer_dns_name; the sign-in callback and METAFLOW_UI_URL use it", {
      condition: '${can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\\\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$", var.hostname)) && length(var.hostname) <= 253}',
      errorMessage: "hostname must be a DNS name like metaflow.example.com (lower-case letters, digits, hyphens and dots).",
    });
    const reserved = `[${COGNITO_DOMAIN_RESERVED_WORDS.map((w) => JSON.stringify(w)).join(", ")}]`;
    const domainPrefix = this.input("cognito_domain_prefix", {
      type: "string",
      description: "Prefix of the Cognito sign-in domain (<prefix>.auth.<region>.amazoncognito.com), unique in the region across AWS",
      validation: [
        { condition: '${can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.cognito_domain_prefix))}', errorMessage: "cognito_domain_prefix must be 1 to 63 lower-case letters, digits and hyphens, not starting or ending with a hyphen." },
        { condition: `\${!anytrue([for w in ${reserved} : strcontains(var.cognito_domain_prefix, w)])}`, errorMessage: `cognito_domain_prefix must not contain ${COGNITO_DOMAIN_RESERVED_WORDS.map((w) => `"${w}"`).join(", ")} (AWS reserves them).` },
      ],
    }).stringValue;
    const database = Database.fromAttributes(this, "database", {
      address: text("database_address", "Address of the metadata database (data aws_db_instance: address)"),
      secretArn: text("database_secret_arn", "ARN of its RDS-managed master secret (data aws_db_instance: master_user_secret[0].secret_arn)"),
      secretKeyArn: text("database_secret_kms_key_arn", "The KMS key of that secret (data aws_db_instance: master_user_secret[0].kms_key_id)"),
      securityGroupId: text("database_security_group_id", "Security group of the database (data aws_db_instance: vpc_security_groups[0]); the module opens 5432 to the UI backend"),
    });
    const clientCidrs = this.input("client_cidrs", {
      type: "list(string)",
      description: "Networks outside the VPC that reach the internal load balancer (a VPN, a peered VPC), besides the VPC itself",
      default: [],
      validation: [
        ...cidrListRules("client_cidrs"),
        rule(
          `alltrue([for c in var.client_cidrs : try(${prefixOf("c")} > 0, true)])`,
          `client_cidrs: ${shown(quoted(`[for c in var.client_cidrs : c if !try(${prefixOf("c")} > 0, true)]`))} admits the whole internet; the rule pack refuses ingress from 0.0.0.0/0 (MF-SG-1): list the networks people use the UI from.`,
        ),
      ],
    }).listValue;
    const image = this.input("image", { type: "string", description: "Metadata service image repository (the service module's): the UI backend runs it", default: "netflixoss/metaflow_metadata_service" }).stringValue;
    const imageTag = this.input("image_tag", {
      type: "string",
      description: "Pinned metadata service image tag, the service module's",
      default: "v2.5.1",
      validation: [{ condition: '${var.image_tag != "latest"}', errorMessage: "image_tag must be pinned to a version, not latest." }],
    }).stringValue;
    const staticImageTag = this.input("static_image_tag", {
      type: "string",
      description: `Pinned tag of the static UI image ${STATIC_UI_IMAGE}`,
      default: STATIC_UI_IMAGE_TAG,
      validation: [{ condition: '${var.static_image_tag != "latest"}', errorMessage: "static_image_tag must be pinned to a version, not latest." }],
    }).stringValue;

    const ui = new MetaflowUi(this, "ui", {
      naming,
      region: this.region,
      network: where.network,
      vpcCidr,
      datastore: existingDatastore(this, where.bucketName, where.kmsKeyArn, naming),
      database,
      image: `${image}:${imageTag}`,
      config: {
        enabled: true,
        certificateArn,
        hostname,
        scheme: "internal",
        clientCidrs,
        allowedCidrs: [],
        auth: "cognito",
        cognito: { domainPrefix },
        sessionTimeoutSeconds: wholeNumber(this, "session_timeout_seconds", "How long a sign-in lasts, in seconds", DEFAULT_SESSION_TIMEOUT_SECONDS, 60, 604800),
        backend: { cpu: 1024, memoryMiB: 4096, desiredCount: 1 },
        staticUi: { image: STATIC_UI_IMAGE, imageTag: staticImageTag, cpu: 256, memoryMiB: 512, desiredCount: 1 },
        logRetentionDays: this.retention("log_retention_days", "Days the UI services' logs are kept", 90),
      },
      permissionsBoundaryArn: boundary,
    });

    this.output("ui_url", ui.url, "The UI's address (METAFLOW_UI_URL)");
    this.output("load_balancer_dns_name", ui.loadBalancer.loadBalancer.dnsName, "DNS name of the load balancer: point hostname at it");
    this.output("user_pool_id", ui.signIn.userPool!.pool.id, "The Cognito user pool: admins add people with aws cognito-idp admin-create-user");
    this.output("profile", { METAFLOW_UI_URL: ui.url }, "The UI key of the Metaflow profile");
  }
}
