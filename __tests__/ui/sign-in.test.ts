import { entriesIn, ref } from "../support/json";
import { OIDC_PROVIDER, withUi } from "../support/configs";
import { Body, only, rulesOn, synthOnce, ui } from "./support";

/** How people sign in to the UI: one describe per ui.auth mode. */

/** The forwarding rules' actions before the forward, by the rule's path. */
const signInActions = (rules: Body[]) =>
  Object.fromEntries(rules.filter((r) => r.action.some((a: Body) => a.type === "forward")).map((r) => [r.condition[0].path_pattern.values[0], r.action.filter((a: Body) => a.type !== "forward")]));

describe('auth "cognito" (the default)', () => {
  const out = synthOnce(withUi({ hostname: "metaflow.example.com", sessionTimeoutSeconds: 3600 }));
  const [poolId, pool] = only(out, "aws_cognito_user_pool", "ui_sign-in");
  const [clientId, client] = only(out, "aws_cognito_user_pool_client", "ui_sign-in");
  const [domainId, domain] = only(out, "aws_cognito_user_pool_domain", "ui_sign-in");

  test("the user pool lets only admins create users", () => {
    expect(pool.admin_create_user_config).toEqual({ allow_admin_create_user_only: true });
  });

  test("the user pool requires MFA with a one-time-password app (no SMS)", () => {
    expect(pool.mfa_configuration).toBe("ON");
    expect(pool.software_token_mfa_configuration).toEqual({ enabled: true });
    expect(pool.sms_configuration).toBeUndefined();
  });

  test("the user pool has a strong password policy", () => {
    expect(pool.password_policy).toEqual({
      minimum_length: 14, require_lowercase: true, require_uppercase: true, require_numbers: true, require_symbols: true, temporary_password_validity_days: 3,
    });
  });

  test("the user pool signs in by email, recovers by verified email, and is protected from deletion", () => {
    expect(pool).toMatchObject({ name: "metaflow-dev-ui", username_attributes: ["email"], deletion_protection: "ACTIVE", user_pool_tier: "LITE" });
    expect(pool.account_recovery_setting).toEqual({ recovery_mechanism: [{ name: "verified_email", priority: 1 }] });
  });

  test("the hosted domain prefix is derived from the names", () => {
    expect(domain).toEqual({ domain: "metaflow-dev-ui", user_pool_id: ref("aws_cognito_user_pool", poolId) });
  });

  test("the app client uses the code flow with a secret and redirects only to the configured host", () => {
    expect(client).toMatchObject({
      user_pool_id: ref("aws_cognito_user_pool", poolId),
      generate_secret: true,
      allowed_oauth_flows_user_pool_client: true,
      allowed_oauth_flows: ["code"],
      allowed_oauth_scopes: ["openid", "email"],
      supported_identity_providers: ["COGNITO"],
      callback_urls: ["https://metaflow.example.com/oauth2/idpresponse"],
    });
  });

  test("every forwarding route signs in with the pool first: pages send people to sign in, the API answers 401", () => {
    const cognito = (onUnauthenticated: string) => [{
      type: "authenticate-cognito",
      order: 1,
      authenticate_cognito: {
        user_pool_arn: ref("aws_cognito_user_pool", poolId, "arn"),
        user_pool_client_id: ref("aws_cognito_user_pool_client", clientId),
        user_pool_domain: ref("aws_cognito_user_pool_domain", domainId, "domain"),
        scope: "openid email",
        session_timeout: 3600,
        on_unauthenticated_request: onUnauthenticated,
      },
    }];
    expect(signInActions(ui(out).rules)).toEqual({ "/api/*": cognito("deny"), "/*": cognito("authenticate") });
  });

  test("the user pool's id is an output, for admins adding people", () => {
    expect(out.outputs.ui_user_pool_id.value).toBe(ref("aws_cognito_user_pool", poolId));
  });

  test("without a hostname the callback is the load balancer's DNS name", () => {
    const bare = synthOnce(withUi());
    const [, c] = only(bare, "aws_cognito_user_pool_client", "ui_sign-in");
    expect(c.callback_urls).toEqual([`https://${ref("aws_lb", ui(bare).lbId, "dns_name")}/oauth2/idpresponse`]);
  });

  test("the domain prefix takes the account id when it is known, or the configured prefix", () => {
    const [, withAccount] = only(synthOnce({ accountId: "123456789012", ...withUi() }), "aws_cognito_user_pool_domain", "ui_sign-in");
    expect(withAccount.domain).toBe("metaflow-dev-ui-123456789012");
    const [, configured] = only(synthOnce(withUi({ cognito: { domainPrefix: "acme-metaflow" } })), "aws_cognito_user_pool_domain", "ui_sign-in");
    expect(configured.domain).toBe("acme-metaflow");
  });
});

describe('auth "oidc"', () => {
  const out = synthOnce(withUi({ auth: "oidc", oidc: { ...OIDC_PROVIDER, scope: "openid email" } }));
  const [secretId, secret] = Object.entries<Body>(out.json.data.aws_secretsmanager_secret_version)[0];

  test("makes no user pool", () => {
    expect(out.resources("aws_cognito_user_pool")).toEqual([]);
    expect(out.outputs.ui_user_pool_id).toBeUndefined();
  });

  test("reads the client secret from the configured secret at plan time", () => {
    expect(Object.keys(out.json.data.aws_secretsmanager_secret_version)).toHaveLength(1);
    expect(secret).toEqual({ secret_id: OIDC_PROVIDER.clientSecretArn });
  });

  test("every forwarding route signs in with the identity provider, the secret a reference to the data source", () => {
    const oidc = (onUnauthenticated: string) => [{
      type: "authenticate-oidc",
      order: 1,
      authenticate_oidc: {
        issuer: OIDC_PROVIDER.issuer,
        authorization_endpoint: OIDC_PROVIDER.authorizationEndpoint,
        token_endpoint: OIDC_PROVIDER.tokenEndpoint,
        user_info_endpoint: OIDC_PROVIDER.userInfoEndpoint,
        client_id: OIDC_PROVIDER.clientId,
        client_secret: `\${data.aws_secretsmanager_secret_version.${secretId}.secret_string}`,
        scope: "openid email",
        session_timeout: 28800,
        on_unauthenticated_request: onUnauthenticated,
      },
    }];
    expect(signInActions(ui(out).rules)).toEqual({ "/api/*": oidc("deny"), "/*": oidc("authenticate") });
  });

  test("the client secret is nowhere in the synthesized JSON but as that reference, and in no output or container", () => {
    const text = JSON.stringify(out.json);
    const secretRefs = text.match(/data\.aws_secretsmanager_secret_version\.[^.]+\.secret_string/g) ?? [];
    expect(secretRefs.length).toBe(2); // the two forwarding rules
    expect(JSON.stringify(out.outputs)).not.toContain("secretsmanager_secret_version");
    for (const task of out.resources("aws_ecs_task_definition")) expect(task.container_definitions).not.toContain("secretsmanager_secret_version");
  });

  test("a JSON secret is read by its key", () => {
    const keyed = synthOnce(withUi({ auth: "oidc", oidc: { ...OIDC_PROVIDER, clientSecretKey: "client_secret" } }));
    const [id] = Object.keys(keyed.json.data.aws_secretsmanager_secret_version);
    const action = ui(keyed).rules.find((r) => r.priority === 30)?.action[0];
    expect(action.authenticate_oidc.client_secret).toBe(`\${jsondecode(data.aws_secretsmanager_secret_version.${id}.secret_string).client_secret}`);
  });

  test("the load balancer may call the identity provider (HTTPS out)", () => {
    expect(rulesOn(out, ui(out).lbGroupRef, "egress").some((r) => r.cidr_ipv4 === "0.0.0.0/0" && r.from_port === 443)).toBe(true);
  });
});

describe('auth "none" (internal load balancers only)', () => {
  const out = synthOnce(withUi({ auth: "none" }));

  test("the routes forward with no sign-in action", () => {
    expect(signInActions(ui(out).rules)).toEqual({ "/api/*": [], "/*": [] });
  });

  test("makes no user pool and reads no secret", () => {
    expect(out.resources("aws_cognito_user_pool")).toEqual([]);
    expect(out.json.data?.aws_secretsmanager_secret_version).toBeUndefined();
  });

  test("the load balancer gets no way out to the internet", () => {
    expect(rulesOn(out, ui(out).lbGroupRef, "egress").map((r) => r.cidr_ipv4).filter(Boolean)).toEqual([]);
  });

  test("the load balancer stays internal", () => {
    expect(entriesIn(out, "aws_lb", "ui")[0][1].internal).toBe(true);
  });
});
