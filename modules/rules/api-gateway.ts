import { block, isTrue, isUnresolved, list, refersTo } from "./terraform-json";
import { Rule, RuleContext, SynthResource } from "./types";

/** API Gateway (REST): every call logged, throttled and authenticated. */

const STAGE = "aws_api_gateway_stage";
const AUTHORIZED = ["AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"];

/** A positive limit, or one Terraform computes (a variable): -1 and 0 mean no throttling. */
const limited = (v: unknown) => isUnresolved(v) || (typeof v === "number" && v > 0);
/** Whether `stageRef` (a method setting's stage_name or a usage plan's api_stages.stage) names `stage`. */
const namesStage = (stageRef: unknown, stage: SynthResource) => refersTo(stageRef, stage, ["stage_name"]);
const sameApi = (a: unknown, b: unknown) => a !== undefined && a === b;

function throttled(stage: SynthResource, context: RuleContext): boolean {
  const api = stage.body.rest_api_id;
  const bySettings = context
    .resources("aws_api_gateway_method_settings")
    .some((m) => sameApi(m.body.rest_api_id, api) && namesStage(m.body.stage_name, stage) && limited(block(m.body.settings)?.throttling_rate_limit) && limited(block(m.body.settings)?.throttling_burst_limit));
  const byPlan = context.resources("aws_api_gateway_usage_plan").some((plan) => {
    const planLimits = block(plan.body.throttle_settings);
    return list(plan.body.api_stages).some((s) => {
      if (!sameApi(s.api_id, api) || !namesStage(s.stage, stage)) return false;
      const limits = planLimits ?? block(list(s.throttle)[0]);
      return limited(limits?.rate_limit) && limited(limits?.burst_limit);
    });
  });
  return bySettings || byPlan;
}

export const API_GATEWAY_RULES: readonly Rule[] = [
  {
    id: "MF-APIGW-1",
    level: "error",
    description: "API Gateway stages write access logs.",
    fix: "Set access_log_settings { destination_arn = <log group ARN>, format = ... } on the stage (PublicApi does).",
    appliesTo: [STAGE],
    check: (r) => (block(r.body.access_log_settings)?.destination_arn ? [] : ["access_log_settings.destination_arn is not set"]),
  },
  {
    id: "MF-APIGW-2",
    level: "error",
    description: "API Gateway stages are throttled: method settings with rate and burst limits, or a usage plan with throttle settings.",
    fix: "Add an aws_api_gateway_method_settings for the stage (method_path \"*/*\") with throttling_rate_limit and throttling_burst_limit, or a usage plan with throttle_settings (service.apiGateway.throttle*).",
    appliesTo: [STAGE],
    check: (r, context) => (throttled(r, context) ? [] : ["no method settings or usage plan sets rate and burst limits for this stage"]),
  },
  {
    id: "MF-APIGW-3",
    level: "error",
    description: "Every API Gateway method needs an API key or an authorizer (IAM, Lambda, Cognito).",
    fix: "Set api_key_required = true (and attach the key to a usage plan), or authorization to AWS_IAM, CUSTOM or COGNITO_USER_POOLS.",
    appliesTo: ["aws_api_gateway_method"],
    check: (r) =>
      isTrue(r.body.api_key_required) || AUTHORIZED.includes(r.body.authorization)
        ? []
        : [`${r.body.http_method ?? "the"} method has authorization ${r.body.authorization ?? "(not set)"} and no API key`],
  },
  {
    id: "MF-APIGW-4",
    level: "error",
    description: "API Gateway method settings never turn on data trace (full requests, keys included, in execution logs).",
    fix: "Leave settings.data_trace_enabled off; access logs record who called what.",
    appliesTo: ["aws_api_gateway_method_settings"],
    check: (r) => (isTrue(block(r.body.settings)?.data_trace_enabled) ? ["settings.data_trace_enabled is true"] : []),
  },
];
