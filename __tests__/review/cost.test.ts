import { renderMarkdown, renderTerminal, reviewJson } from "../../review";

/** The review's cost before and after, on hand-written plans: each side priced from its own values. */

const H = 730;
const rc = (address: string, actions: string[], before: unknown, after: unknown, afterUnknown: unknown = {}) => {
  const [type, name] = address.split(".");
  return { address, mode: "managed", type, name, change: { actions, before, after, after_unknown: afterUnknown } };
};
const plan = (changes: unknown[], region: string | undefined, resources: unknown[] = []) => ({
  format_version: "1.2",
  planned_values: { root_module: {} },
  resource_changes: changes,
  configuration: {
    ...(region && { provider_config: { aws: { name: "aws", expressions: { region: { constant_value: region } } } } }),
    root_module: { resources },
  },
});

const taskArn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/md:3";
const scaled = plan([
  rc("aws_ecs_task_definition.t", ["no-op"], { arn: taskArn, cpu: "512", memory: "1024" }, { arn: taskArn, cpu: "512", memory: "1024" }),
  // Before: the task definition found by its ARN. After: a new revision, its ARN known only after apply.
  rc("aws_ecs_task_definition.big", ["create"], null, { cpu: "1024", memory: "2048" }, { arn: true }),
  rc("aws_ecs_service.s", ["update"], { launch_type: "FARGATE", desired_count: 2, task_definition: taskArn }, { launch_type: "FARGATE", desired_count: 3 }, { task_definition: true }),
  rc("aws_nat_gateway.n", ["delete"], { id: "nat-1" }, null),
], "eu-west-1", [
  { address: "aws_ecs_service.s", type: "aws_ecs_service", expressions: { task_definition: { references: ["aws_ecs_task_definition.big.arn", "aws_ecs_task_definition.big"] } } },
]);

test("before and after are each priced from their own values, references followed by ARN or through the configuration", () => {
  const { cost } = reviewJson(scaled);
  const before = 2 * (0.5 * 0.04048 + 1 * 0.004445) * H + 0.048 * H; // two small tasks 36.04, a NAT gateway in Ireland 35.04
  const after = 3 * (1 * 0.04048 + 2 * 0.004445) * H; // three tasks of 1 vCPU, 2 GB: 108.12
  expect(cost?.before.totalUsd).toBeCloseTo(before, 4);
  expect(cost?.after.totalUsd).toBeCloseTo(after, 4);
  expect(cost?.changes.map((c) => c.address)).toEqual(["aws_ecs_service.s", "aws_nat_gateway.n"]);
});

test("the terminal and Markdown show before, after and the largest changes", () => {
  const review = reviewJson(scaled);
  expect(renderTerminal(review)).toContain("Idle cost a month (eu-west-1, list prices of");
  expect(renderTerminal(review)).toMatch(/\+\$72\.08 {2}aws_ecs_service\.s: 2 Fargate tasks of 0\.5 vCPU, 1 GB → 3 Fargate tasks of 1 vCPU, 2 GB \(\$36\.04 -> \$108\.12\)/);
  expect(renderMarkdown(review)).toMatch(/\| \*\*total\*\* \| \*\*\$71\.08\*\* \| \*\*\$108\.12\*\* \| \*\*\+\$37\.04\*\* \|/);
});

test("a plan that names no region has no cost section", () => {
  const review = reviewJson(plan([rc("aws_nat_gateway.n", ["create"], null, {})], undefined));
  expect(review.cost).toBeUndefined();
  expect(renderTerminal(review)).not.toContain("Idle cost");
});

test("a plan with nothing that bills while idle has no cost section", () => {
  const review = reviewJson(plan([rc("aws_iam_role.r", ["create"], null, {})], "us-east-1"));
  expect(review.cost?.after.totalUsd).toBe(0);
  expect(renderMarkdown(review)).not.toContain("Idle cost");
});
