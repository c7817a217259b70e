import { synth } from "./support/synth";
import { entries, entriesIn, entryIn, idOf, list, policyDoc, ref } from "./support/json";

type Out = ReturnType<typeof synth>;
type Body = Record<string, any>;

const sorted = (xs: readonly unknown[]) => [...xs].map(String).sort();



/** The internal load balancer the API forwards to. */
function nlb(out: Out) {
  const [id] = entryIn(out, "aws_lb", "metadata");
  return { id, arn: ref("aws_lb", id, "arn"), dns: ref("aws_lb", id, "dns_name") };
}

/** The API gateway's pieces, by construct. */
function api(out: Out) {
  const [apiId, restApi] = entryIn(out, "aws_api_gateway_rest_api", "api");
  const [stageId, stage] = entryIn(out, "aws_api_gateway_stage", "api");
  const [keyId, key] = entryIn(out, "aws_api_gateway_api_key", "api");
  const [planId, plan] = entryIn(out, "aws_api_gateway_usage_plan", "api");
  const [deploymentId, deployment] = entryIn(out, "aws_api_gateway_deployment", "api");
  const [, policy] = entryIn(out, "aws_api_gateway_rest_api_policy", "api");
  return {
    apiId, restApi, apiRef: ref("aws_api_gateway_rest_api", apiId), stageId, stage, keyId, key, planId, plan, deploymentId, deployment,
    policy, statements: policyDoc(policy.policy).Statement as Body[],
  };
}

/** Whether any string inside `value` references the API key or the database's master secret. */
const holdsSecret = (value: unknown) => /aws_api_gateway_api_key\.|master_user_secret|aws_secretsmanager_/.test(JSON.stringify(value));

const ALLOWED = ["203.0.113.0/24", "198.51.100.7/32"];

describe("Public API (apiGateway, defaults)", () => {
  const out = synth();
  const a = api(out);
  const lb = nlb(out);

  test("the REST API is REGIONAL", () => {
    const endpoint = list(a.restApi.endpoint_configuration)[0] as Body;
    expect(list(endpoint.types)).toEqual(["REGIONAL"]);
  });

  test("a VPC link targets the internal load balancer", () => {
    const [, link] = entryIn(out, "aws_api_gateway_vpc_link", "api");
    expect(list(link.target_arns)).toEqual([lb.arn]);
  });

  test("a {proxy+} resource hangs off the API's root", () => {
    const [, proxy] = entryIn(out, "aws_api_gateway_resource", "api");
    expect(proxy.path_part).toBe("{proxy+}");
    expect(proxy.rest_api_id).toBe(a.apiRef);
    expect(proxy.parent_id).toBe(ref("aws_api_gateway_rest_api", a.apiId, "root_resource_id"));
  });

  test("every method requires the API key", () => {
    const methods = out.resources("aws_api_gateway_method");
    expect(methods.length).toBeGreaterThan(0);
    for (const m of methods) expect(m.api_key_required).toBe(true);
  });

  test("there is a method on the {proxy+} resource", () => {
    const [proxyId] = entryIn(out, "aws_api_gateway_resource", "api");
    const onProxy = out.resources("aws_api_gateway_method").filter((m) => m.resource_id === ref("aws_api_gateway_resource", proxyId));
    expect(onProxy.length).toBeGreaterThan(0);
  });

  test("every integration is HTTP_PROXY over the VPC link to the load balancer's DNS name", () => {
    const [linkId] = entryIn(out, "aws_api_gateway_vpc_link", "api");
    const integrations = out.resources("aws_api_gateway_integration");
    expect(integrations.length).toBeGreaterThan(0);
    for (const i of integrations) {
      expect(i.type).toBe("HTTP_PROXY");
      expect(i.connection_type).toBe("VPC_LINK");
      expect(i.connection_id).toBe(ref("aws_api_gateway_vpc_link", linkId));
      expect(String(i.uri).startsWith(`http://${lb.dns}/`)).toBe(true);
    }
  });

  test("every method has an integration", () => {
    const methods = entries(out, "aws_api_gateway_method");
    const integrated = new Set(out.resources("aws_api_gateway_integration").map((i) => `${i.resource_id}|${i.http_method}`));
    for (const [id, m] of methods) {
      expect(integrated.has(`${m.resource_id}|${ref("aws_api_gateway_method", id, "http_method")}`) || integrated.has(`${m.resource_id}|${m.http_method}`)).toBe(true);
    }
  });

  describe("resource policy", () => {
    test("is attached to the REST API", () => {
      expect(a.policy.rest_api_id).toBe(a.apiRef);
    });

    test("denies /auth/token and its sub-paths to everyone", () => {
      const denies = a.statements.filter((s) => s.Effect === "Deny" && list(s.Resource).some((r) => /auth\/token/.test(String(r))));
      expect(denies).toHaveLength(1);
      expect(denies[0].Principal).toBe("*");
      expect(list(denies[0].Action)).toContain("execute-api:Invoke");
      expect(denies[0].Condition).toBeUndefined();
      expect(sorted(list(denies[0].Resource))).toEqual(sorted(["execute-api:/*/*/auth/token", "execute-api:/*/*/auth/token/*"]));
    });

    test("has no source-IP statement without allowedSourceCidrs", () => {
      expect(a.statements.filter((s) => s.Condition?.NotIpAddress || s.Condition?.IpAddress)).toEqual([]);
    });
  });

  describe("stage", () => {
    test("is deployed from the deployment, on the REST API", () => {
      expect(a.stage.rest_api_id).toBe(a.apiRef);
      expect(a.stage.deployment_id).toBe(ref("aws_api_gateway_deployment", a.deploymentId));
    });

    test("writes access logs to a log group that keeps them the default 90 days", () => {
      const settings = list(a.stage.access_log_settings)[0] as Body;
      expect(String(settings.format ?? "").length).toBeGreaterThan(0);
      const groupId = idOf("aws_cloudwatch_log_group", settings.destination_arn);
      expect(out.json.resource.aws_cloudwatch_log_group[groupId].retention_in_days).toBe(90);
    });

    test("method settings throttle at the default 100/s, burst 200, with execution logging OFF", () => {
      const [, ms] = entryIn(out, "aws_api_gateway_method_settings", "api");
      expect(ms.rest_api_id).toBe(a.apiRef);
      expect(ms.stage_name).toBe(ref("aws_api_gateway_stage", a.stageId, "stage_name"));
      const settings = list(ms.settings)[0] as Body;
      expect(settings.throttling_rate_limit).toBe(100);
      expect(settings.throttling_burst_limit).toBe(200);
      expect(settings.logging_level).toBe("OFF");
    });
  });

  describe("key and usage plan", () => {
    test("the usage plan throttles at the default 100/s, burst 200", () => {
      expect(list(a.plan.throttle_settings)[0]).toMatchObject({ rate_limit: 100, burst_limit: 200 });
    });

    test("the usage plan is bound to the stage", () => {
      expect(list(a.plan.api_stages)).toEqual([{ api_id: a.apiRef, stage: ref("aws_api_gateway_stage", a.stageId, "stage_name") }]);
    });

    test("there is one enabled API key", () => {
      expect(a.key.enabled).not.toBe(false);
    });

    test("the usage-plan key binds the API key to the usage plan", () => {
      const [, planKey] = entryIn(out, "aws_api_gateway_usage_plan_key", "api");
      expect(planKey.key_id).toBe(ref("aws_api_gateway_api_key", a.keyId));
      expect(planKey.usage_plan_id).toBe(ref("aws_api_gateway_usage_plan", a.planId));
      expect(planKey.key_type).toBe("API_KEY");
    });
  });

  describe("deployment", () => {
    test("is create_before_destroy", () => {
      expect(a.deployment.lifecycle?.create_before_destroy).toBe(true);
    });

    test("has a redeployment trigger", () => {
      expect(String(a.deployment.triggers?.redeployment ?? "").length).toBeGreaterThan(0);
    });
  });

  describe('accountLoggingRole "create" (default)', () => {
    test("creates a role assumed by apigateway.amazonaws.com", () => {
      const [, role] = entryIn(out, "aws_iam_role", "api");
      const trust = policyDoc(role.assume_role_policy).Statement as Body[];
      expect(trust.map((s) => s.Principal?.Service)).toEqual(["apigateway.amazonaws.com"]);
    });

    test("sets aws_api_gateway_account to that role", () => {
      const [roleId] = entryIn(out, "aws_iam_role", "api");
      const [, account] = entryIn(out, "aws_api_gateway_account", "api");
      expect(account.cloudwatch_role_arn).toBe(ref("aws_iam_role", roleId, "arn"));
    });
  });

  describe("outputs", () => {
    test("METAFLOW_SERVICE_URL is the stage invoke URL with a trailing slash", () => {
      expect(out.outputs.METAFLOW_SERVICE_URL.value).toBe(`${ref("aws_api_gateway_stage", a.stageId, "invoke_url")}/`);
    });

    test("METAFLOW_SERVICE_INTERNAL_URL is the load balancer's URL", () => {
      expect(out.outputs.METAFLOW_SERVICE_INTERNAL_URL.value).toBe(`http://${lb.dns}/`);
    });

    test("METAFLOW_SERVICE_AUTH_KEY is the API key's value", () => {
      expect(out.outputs.METAFLOW_SERVICE_AUTH_KEY.value).toBe(ref("aws_api_gateway_api_key", a.keyId, "value"));
    });

    test("METAFLOW_SERVICE_AUTH_KEY is sensitive", () => {
      expect(out.outputs.METAFLOW_SERVICE_AUTH_KEY.sensitive).toBe(true);
    });

    test("METAFLOW_DEFAULT_METADATA is service", () => {
      expect(out.outputs.METAFLOW_DEFAULT_METADATA.value).toBe("service");
    });

    test("no output but a sensitive one references the API key or the database secret", () => {
      const leaking = Object.entries(out.outputs).filter(([, o]) => o.sensitive !== true && holdsSecret(o.value));
      expect(leaking.map(([name]) => name)).toEqual([]);
    });

    test("METAFLOW_SERVICE_AUTH_KEY is the only profile-key output that is sensitive", () => {
      const profileKeys = Object.entries(out.outputs).filter(([name]) => name.startsWith("METAFLOW_"));
      expect(profileKeys.filter(([, o]) => o.sensitive === true).map(([name]) => name)).toEqual(["METAFLOW_SERVICE_AUTH_KEY"]);
    });
  });
});

describe("Public API (apiGateway, configured)", () => {
  const out = synth({
    service: {
      publicAccess: "apiGateway",
      apiGateway: { throttleRateLimit: 25, throttleBurstLimit: 60, allowedSourceCidrs: ALLOWED, accessLogRetentionDays: 30 },
    },
  });
  const a = api(out);

  test("the resource policy denies every source outside allowedSourceCidrs (NotIpAddress, exactly those CIDRs)", () => {
    const ipStatements = a.statements.filter((s) => s.Condition?.NotIpAddress);
    expect(ipStatements).toHaveLength(1);
    const [s] = ipStatements;
    expect(s.Effect).toBe("Deny");
    expect(s.Principal).toBe("*");
    expect(list(s.Action)).toContain("execute-api:Invoke");
    expect(list(s.Resource)).toEqual(["execute-api:/*"]);
    expect(sorted(list(s.Condition.NotIpAddress["aws:SourceIp"]))).toEqual(sorted(ALLOWED));
  });

  test("the source-IP statement has no other condition", () => {
    const [s] = a.statements.filter((x) => x.Condition?.NotIpAddress);
    expect(Object.keys(s.Condition)).toEqual(["NotIpAddress"]);
    expect(Object.keys(s.Condition.NotIpAddress)).toEqual(["aws:SourceIp"]);
  });

  test("/auth/token is still denied", () => {
    const resources = a.statements.filter((s) => s.Effect === "Deny").flatMap((s) => list(s.Resource));
    expect(resources).toEqual(expect.arrayContaining(["execute-api:/*/*/auth/token", "execute-api:/*/*/auth/token/*"]));
  });

  test("access logs are kept the configured accessLogRetentionDays", () => {
    const groupId = idOf("aws_cloudwatch_log_group", (list(a.stage.access_log_settings)[0] as Body).destination_arn);
    expect(out.json.resource.aws_cloudwatch_log_group[groupId].retention_in_days).toBe(30);
  });

  test("method settings throttle at the configured rate and burst", () => {
    const settings = list(entryIn(out, "aws_api_gateway_method_settings", "api")[1].settings)[0] as Body;
    expect(settings.throttling_rate_limit).toBe(25);
    expect(settings.throttling_burst_limit).toBe(60);
  });

  test("the usage plan throttles at the configured rate and burst", () => {
    expect(list(a.plan.throttle_settings)[0]).toMatchObject({ rate_limit: 25, burst_limit: 60 });
  });
});

describe('Public API with accountLoggingRole "existing"', () => {
  const out = synth({ service: { apiGateway: { accountLoggingRole: "existing" } } });

  test("creates no aws_api_gateway_account", () => {
    expect(out.resources("aws_api_gateway_account")).toEqual([]);
  });

  test("creates no role assumed by apigateway.amazonaws.com", () => {
    const apigwRoles = out
      .resources("aws_iam_role")
      .filter((r) => (policyDoc(r.assume_role_policy).Statement as Body[]).some((s) => list(s.Principal?.Service).includes("apigateway.amazonaws.com")));
    expect(apigwRoles).toEqual([]);
  });

  test("still builds the REST API and its stage", () => {
    expect(out.resources("aws_api_gateway_rest_api")).toHaveLength(1);
    expect(out.resources("aws_api_gateway_stage")).toHaveLength(1);
  });
});

describe('Public access "internal"', () => {
  const out = synth({ service: { publicAccess: "internal" } });
  const lb = nlb(out);

  test("creates no API gateway resources at all", () => {
    expect(out.resourceTypes.filter((t) => t.startsWith("aws_api_gateway_"))).toEqual([]);
  });

  test("creates no API access log group or API logging role", () => {
    expect(entriesIn(out, "aws_cloudwatch_log_group", "api")).toEqual([]);
    expect(entriesIn(out, "aws_iam_role", "api")).toEqual([]);
  });

  test("METAFLOW_SERVICE_INTERNAL_URL is http://<load balancer DNS>/", () => {
    expect(out.outputs.METAFLOW_SERVICE_INTERNAL_URL.value).toBe(`http://${lb.dns}/`);
  });

  test("METAFLOW_SERVICE_URL equals METAFLOW_SERVICE_INTERNAL_URL", () => {
    expect(out.outputs.METAFLOW_SERVICE_URL.value).toBe(out.outputs.METAFLOW_SERVICE_INTERNAL_URL.value);
  });

  test("there is no METAFLOW_SERVICE_AUTH_KEY output", () => {
    expect(Object.keys(out.outputs)).not.toContain("METAFLOW_SERVICE_AUTH_KEY");
  });

  test("no output but a sensitive one references an API key or the database secret", () => {
    const leaking = Object.entries(out.outputs).filter(([, o]) => o.sensitive !== true && holdsSecret(o.value));
    expect(leaking.map(([name]) => name)).toEqual([]);
  });

  test("no output references the database secret, sensitive or not", () => {
    const found = Object.entries(out.outputs).filter(([, o]) => /master_user_secret|aws_secretsmanager_/.test(JSON.stringify(o.value)));
    expect(found.map(([name]) => name)).toEqual([]);
  });
});
