import { Construct } from "constructs";
import { Fn } from "cdktf";
import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { LbListenerRuleAction } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { EnabledUiConfig } from "../config/ui-config";
import { Naming } from "../naming";
import { UserPool } from "./user-pool";

export interface SignInProps {
  readonly naming: Naming;
  readonly config: Pick<EnabledUiConfig, "auth" | "oidc" | "sessionTimeoutSeconds">;
  /** The host the load balancer answers on; the identity provider redirects back to `https://<host>/oauth2/idpresponse`. */
  readonly host: string;
  /** The Cognito domain prefix (auth "cognito" only). */
  readonly domainPrefix?: string;
}

/** What a route does with a request that has no sign-in yet: send the browser to sign in, or answer 401. */
export type Unauthenticated = "authenticate" | "deny";

/**
 * How people sign in to the UI, as load-balancer actions that run before every forward. `cognito` makes a
 * user pool (UserPool) and signs in against it; `oidc` signs in against the user's identity provider, whose
 * client secret the listener needs in clear: it is read from Secrets Manager at plan time (a data source),
 * so it lives in the encrypted state and the provider's sensitive listener attributes, never in config,
 * the synthesized JSON or an output; `none` adds no action (internal load balancers only; config checks).
 */
export class SignIn extends Construct {
  /** The user pool, with auth "cognito". */
  public readonly userPool?: UserPool;
  private readonly oidcClientSecret?: string;

  constructor(scope: Construct, id: string, private readonly props: SignInProps) {
    super(scope, id);
    const { config } = props;
    if (config.auth === "cognito") {
      if (!props.domainPrefix) throw new Error("SignIn: auth cognito needs domainPrefix");
      this.userPool = new UserPool(this, "user-pool", {
        naming: props.naming,
        domainPrefix: props.domainPrefix,
        callbackUrl: `https://${props.host}/oauth2/idpresponse`,
      });
    } else if (config.auth === "oidc") {
      if (!config.oidc) throw new Error("SignIn: auth oidc needs the oidc settings");
      const version = new DataAwsSecretsmanagerSecretVersion(this, "oidc-client-secret", { secretId: config.oidc.clientSecretArn });
      this.oidcClientSecret = config.oidc.clientSecretKey === undefined
        ? version.secretString
        : Fn.lookup(Fn.jsondecode(version.secretString), config.oidc.clientSecretKey);
    }
  }

  /** Whether anybody signs in (auth is not "none"). */
  public get required(): boolean {
    return this.props.config.auth !== "none";
  }

  /** The actions a route runs before it forwards: one authenticate action, or none with auth "none". */
  public authenticate(onUnauthenticatedRequest: Unauthenticated): LbListenerRuleAction[] {
    const { config } = this.props;
    const session = { onUnauthenticatedRequest, sessionTimeout: config.sessionTimeoutSeconds };
    if (this.userPool) {
      return [{
        type: "authenticate-cognito",
        authenticateCognito: {
          ...session,
          userPoolArn: this.userPool.pool.arn,
          userPoolClientId: this.userPool.client.id,
          userPoolDomain: this.userPool.domain.domain,
          scope: "openid email",
        },
      }];
    }
    if (config.oidc && this.oidcClientSecret !== undefined) {
      return [{
        type: "authenticate-oidc",
        authenticateOidc: {
          ...session,
          issuer: config.oidc.issuer,
          authorizationEndpoint: config.oidc.authorizationEndpoint,
          tokenEndpoint: config.oidc.tokenEndpoint,
          userInfoEndpoint: config.oidc.userInfoEndpoint,
          clientId: config.oidc.clientId,
          clientSecret: this.oidcClientSecret,
          scope: config.oidc.scope,
        },
      }];
    }
    return [];
  }
}
