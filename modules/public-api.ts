import { Construct } from "constructs";
import { Fn } from "cdktf";
import { ApiGatewayAccount } from "@cdktf/provider-aws/lib/api-gateway-account";
import { ApiGatewayApiKey } from "@cdktf/provider-aws/lib/api-gateway-api-key";
import { ApiGatewayDeployment } from "@cdktf/provider-aws/lib/api-gateway-deployment";
import { ApiGatewayIntegration } from "@cdktf/provider-aws/lib/api-gateway-integration";
import { ApiGatewayMethod } from "@cdktf/provider-aws/lib/api-gateway-method";
import { ApiGatewayMethodSettings } from "@cdktf/provider-aws/lib/api-gateway-method-settings";
import { ApiGatewayResource } from "@cdktf/provider-aws/lib/api-gateway-resource";
import { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import { ApiGatewayRestApiPolicy } from "@cdktf/provider-aws/lib/api-gateway-rest-api-policy";
import { ApiGatewayStage } from "@cdktf/provider-aws/lib/api-gateway-stage";
import { ApiGatewayUsagePlan } from "@cdktf/provider-aws/lib/api-gateway-usage-plan";
import { ApiGatewayUsagePlanKey } from "@cdktf/provider-aws/lib/api-gateway-usage-plan-key";
import { ApiGatewayVpcLink } from "@cdktf/provider-aws/lib/api-gateway-vpc-link";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { Arns } from "./arns";
import { equals, notEmpty, onlyWhere } from "./condition";
import { ServiceConfig } from "./config/service-config";
import { Naming } from "./naming";
import { EXECUTE_API_INVOKE } from "./perms";
import { PolicyPart, policyJson, statementsWhere } from "./policy";
import { Role } from "./role";

export interface PublicApiProps {
  readonly naming: Naming;
  readonly region: string;
  readonly loadBalancer: Lb;
  readonly config: ServiceConfig["apiGateway"];
  /** @default no permissions boundary */
  readonly permissionsBoundaryArn?: string;
}

const STAGE = "api";
/** The legacy sandbox route (reference §3); never reachable from outside. */
const BLOCKED_PATH = "auth/token";

/** One line of JSON per request in the access log. */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  path: "$context.path",
  status: "$context.status",
  responseLength: "$context.responseLength",
  integrationLatency: "$context.integrationLatency",
  apiKeyId: "$context.identity.apiKeyId",
});

/**
 * The metadata service's authenticated public door: a REGIONAL REST API that forwards every path through
 * a VPC link to the internal load balancer. Every method needs the API key (header `x-api-key`); a usage
 * plan throttles it; stage access logs go to a log group with retention; a resource policy blocks the
 * legacy `/auth/token` route and, when configured, every source outside an allow-list.
 */
export class PublicApi extends Construct {
  public readonly stage: ApiGatewayStage;
  public readonly apiKey: ApiGatewayApiKey;

  constructor(scope: Construct, id: string, props: PublicApiProps) {
    super(scope, id);
    const { naming, config } = props;

    const accessLogs = new CloudwatchLogGroup(this, "access-logs", {
      name: naming.logGroup("api-access"),
      retentionInDays: config.accessLogRetentionDays,
    });
    const account = onlyWhere(this, equals(config.accountLoggingRole, "create"), () => {
      const role = new Role(this, "logging-role", {
        name: naming.iamRole("apigw-logs"),
        assumedBy: "apigateway.amazonaws.com",
        description: "API Gateway writes access logs to CloudWatch Logs (one per account and region)",
        permissionsBoundaryArn: props.permissionsBoundaryArn,
      });
      // AWS maintains this policy for exactly this trust; API Gateway creates the log streams it needs.
      const attachment = role.attachManagedPolicy(
        "push-logs",
        Arns.for(this, props.region).managedPolicy("service-role/AmazonAPIGatewayPushToCloudWatchLogs"),
      );
      return new ApiGatewayAccount(this, "account", { cloudwatchRoleArn: role.arn, dependsOn: [attachment] });
    });

    const link = new ApiGatewayVpcLink(this, "vpc-link", {
      name: naming.resource("metadata"),
      description: "API gateway to the metadata service's internal load balancer",
      targetArns: [props.loadBalancer.arn],
    });
    const api = new ApiGatewayRestApi(this, "api", {
      name: naming.resource("metadata"),
      description: `Metaflow metadata service of ${naming.base}`,
      endpointConfiguration: { types: ["REGIONAL"] },
      apiKeySource: "HEADER",
    });

    const statements: PolicyPart[] = [
      { Sid: "Invoke", Effect: "Allow", Principal: "*", Action: EXECUTE_API_INVOKE, Resource: "execute-api:/*" },
      {
        Sid: "BlockLegacyAuthToken",
        Effect: "Deny",
        Principal: "*",
        Action: EXECUTE_API_INVOKE,
        Resource: [`execute-api:/*/*/${BLOCKED_PATH}`, `execute-api:/*/*/${BLOCKED_PATH}/*`],
      },
    ];
    statements.push(
      ...statementsWhere(notEmpty(config.allowedSourceCidrs), [
        {
          Sid: "AllowListedSourcesOnly",
          Effect: "Deny",
          Principal: "*",
          Action: EXECUTE_API_INVOKE,
          Resource: "execute-api:/*",
          Condition: { NotIpAddress: { "aws:SourceIp": config.allowedSourceCidrs } },
        },
      ]),
    );
    const policy = new ApiGatewayRestApiPolicy(this, "policy", { restApiId: api.id, policy: policyJson(statements) });

    const proxy = new ApiGatewayResource(this, "proxy", { restApiId: api.id, parentId: api.rootResourceId, pathPart: "{proxy+}" });
    const routes = [
      { id: "root", resourceId: api.rootResourceId, path: "", params: {} as Record<string, boolean>, mapping: {} as Record<string, string> },
      {
        id: "proxy",
        resourceId: proxy.id,
        path: "{proxy}",
        params: { "method.request.path.proxy": true },
        mapping: { "integration.request.path.proxy": "method.request.path.proxy" },
      },
    ];
    const methods: ApiGatewayMethod[] = [];
    const integrations = routes.map((route) => {
      const method = new ApiGatewayMethod(this, `${route.id}-method`, {
        restApiId: api.id,
        resourceId: route.resourceId,
        httpMethod: "ANY",
        authorization: "NONE",
        apiKeyRequired: true,
        requestParameters: route.params,
      });
      methods.push(method);
      return new ApiGatewayIntegration(this, `${route.id}-integration`, {
        restApiId: api.id,
        resourceId: route.resourceId,
        httpMethod: method.httpMethod,
        type: "HTTP_PROXY",
        integrationHttpMethod: "ANY",
        uri: `http://${props.loadBalancer.dnsName}/${route.path}`,
        connectionType: "VPC_LINK",
        connectionId: link.id,
        requestParameters: route.mapping,
      });
    });

    const deployment = new ApiGatewayDeployment(this, "deployment", {
      restApiId: api.id,
      description: "Redeployed whenever routes, integrations or the resource policy change",
      triggers: {
        redeployment: Fn.sha1(Fn.jsonencode([proxy.id, ...methods.map((m) => m.id), ...integrations.map((i) => i.id), integrations.map((i) => i.uri), policy.policy])),
      },
      lifecycle: { createBeforeDestroy: true },
      dependsOn: [...integrations, policy],
    });
    this.stage = new ApiGatewayStage(this, "stage", {
      restApiId: api.id,
      deploymentId: deployment.id,
      stageName: STAGE,
      accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
      dependsOn: account ? [account] : undefined,
    });
    new ApiGatewayMethodSettings(this, "method-settings", {
      restApiId: api.id,
      stageName: this.stage.stageName,
      methodPath: "*/*",
      // Execution logs would record request data; access logs above record who called what.
      settings: { loggingLevel: "OFF", metricsEnabled: true, throttlingRateLimit: config.throttleRateLimit, throttlingBurstLimit: config.throttleBurstLimit },
    });

    this.apiKey = new ApiGatewayApiKey(this, "key", { name: naming.resource("metadata"), description: "Metaflow clients (METAFLOW_SERVICE_AUTH_KEY)", enabled: true });
    const plan = new ApiGatewayUsagePlan(this, "usage-plan", {
      name: naming.resource("metadata"),
      description: "Throttles every Metaflow client of this environment",
      apiStages: [{ apiId: api.id, stage: this.stage.stageName }],
      throttleSettings: { rateLimit: config.throttleRateLimit, burstLimit: config.throttleBurstLimit },
    });
    new ApiGatewayUsagePlanKey(this, "usage-plan-key", { keyId: this.apiKey.id, keyType: "API_KEY", usagePlanId: plan.id });
  }

  /** The stage's invoke URL with a trailing slash, as Metaflow expects. */
  public get url(): string {
    return `${this.stage.invokeUrl}/`;
  }
}
