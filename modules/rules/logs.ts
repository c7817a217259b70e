import { refersTo } from "./terraform-json";
import { Rule } from "./types";

/** Logs: every log group expires, every VPC records its traffic. */

export const LOG_RULES: readonly Rule[] = [
  {
    id: "MF-LOG-1",
    level: "error",
    description: "Every CloudWatch log group has a retention period.",
    fix: "Set retention_in_days (one of the periods CloudWatch accepts; the configs' *RetentionDays fields).",
    appliesTo: ["aws_cloudwatch_log_group"],
    check(r) {
      const days = r.body.retention_in_days;
      if (days === undefined) return ["retention_in_days is not set: logs are kept forever"];
      if (days === 0) return ["retention_in_days is 0: logs are kept forever"];
      return [];
    },
  },
  {
    id: "MF-LOG-2",
    level: "error",
    description: "Every VPC the stack creates has a flow log.",
    fix: "Add an aws_flow_log with vpc_id pointing at the VPC (Network does, to a log group with retention).",
    appliesTo: ["aws_vpc"],
    check: (r, context) =>
      context.resources("aws_flow_log").some((f) => refersTo(f.body.vpc_id, r, ["id"])) ? [] : ["no aws_flow_log records this VPC's traffic"],
  },
];
