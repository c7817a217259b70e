import { Construct } from "constructs";
import { CognitoUserPool } from "@cdktf/provider-aws/lib/cognito-user-pool";
import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import { CognitoUserPoolDomain } from "@cdktf/provider-aws/lib/cognito-user-pool-domain";
import { Naming } from "../naming";

export interface UserPoolProps {
  readonly naming: Naming;
  /** The hosted sign-in domain's prefix (`<prefix>.auth.<region>.amazoncognito.com`). */
  readonly domainPrefix: string;
  /** The one redirect target the app client allows: the load balancer's `https://<host>/oauth2/idpresponse`. */
  readonly callbackUrl: string;
}

/** The password policy: long, every character class, a temporary password good for three days. */
export const UI_PASSWORD_POLICY = {
  minimumLength: 14,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
  temporaryPasswordValidityDays: 3,
} as const;

/**
 * The UI's Cognito user pool: people are created by admins only (no self sign-up), sign in with their email
 * address, and must use a one-time-password app (TOTP MFA, required; no SMS, which costs and is weaker);
 * a strong password policy; recovery by verified email. Its hosted domain serves the sign-in pages, and one
 * app client (with a secret, kept in state only) lets the load balancer sign people in with the
 * authorization-code flow. Deletion protection is on: the pool holds the people and their MFA enrolments.
 * The Lite tier: the first 10,000 monthly active users cost nothing.
 */
export class UserPool extends Construct {
  public readonly pool: CognitoUserPool;
  public readonly domain: CognitoUserPoolDomain;
  public readonly client: CognitoUserPoolClient;

  constructor(scope: Construct, id: string, props: UserPoolProps) {
    super(scope, id);
    const { naming } = props;
    this.pool = new CognitoUserPool(this, "pool", {
      name: naming.cognitoUserPool("ui"),
      userPoolTier: "LITE",
      usernameAttributes: ["email"],
      autoVerifiedAttributes: ["email"],
      usernameConfiguration: { caseSensitive: false },
      adminCreateUserConfig: { allowAdminCreateUserOnly: true },
      mfaConfiguration: "ON",
      softwareTokenMfaConfiguration: { enabled: true },
      passwordPolicy: { ...UI_PASSWORD_POLICY },
      accountRecoverySetting: { recoveryMechanism: [{ name: "verified_email", priority: 1 }] },
      deletionProtection: "ACTIVE",
    });
    this.domain = new CognitoUserPoolDomain(this, "domain", { domain: props.domainPrefix, userPoolId: this.pool.id });
    this.client = new CognitoUserPoolClient(this, "client", {
      name: naming.cognitoUserPool("ui-load-balancer"),
      userPoolId: this.pool.id,
      generateSecret: true,
      allowedOauthFlowsUserPoolClient: true,
      allowedOauthFlows: ["code"],
      allowedOauthScopes: ["openid", "email"],
      callbackUrls: [props.callbackUrl],
      supportedIdentityProviders: ["COGNITO"],
      explicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
      preventUserExistenceErrors: "ENABLED",
      enableTokenRevocation: true,
    });
  }
}
