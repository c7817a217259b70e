import { block, isTrue } from "./terraform-json";
import { Rule } from "./types";

/** Step Functions: every execution of a state machine the stack defines leaves a record in CloudWatch Logs. */

export const STEP_FUNCTIONS_RULES: readonly Rule[] = [
  {
    id: "MF-SFN-1",
    level: "warning",
    description: "State machines log their executions to CloudWatch Logs, with their input and output (checkov CKV_AWS_285).",
    fix:
      'Set logging_configuration { log_destination = "<log group ARN>:*", level = "ALL" (or ERROR, FATAL), include_execution_data = true }; ' +
      "pass secrets to a state machine by reference (an ARN), never in its input, since the input is logged.",
    appliesTo: ["aws_sfn_state_machine"],
    check(r) {
      const logging = block(r.body.logging_configuration);
      if (!logging || logging.log_destination === undefined) return ["logging_configuration has no log_destination: executions leave no record beyond Step Functions' own 90 days"];
      const problems: string[] = [];
      if (logging.level === undefined || logging.level === "OFF") problems.push(`logging_configuration.level is ${logging.level ?? "not set (OFF)"}`);
      if (!isTrue(logging.include_execution_data)) problems.push("logging_configuration.include_execution_data is not true: the log does not say what an execution was given or returned");
      return problems;
    },
  },
];
