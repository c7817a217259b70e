import * as fs from "fs";
import * as path from "path";
import { describeWithTerraform, TerraformDir } from "./support/terraform";
import { synth } from "./support/synth";

/**
 * A reused VPC's subnets are given by id, so config cannot see their zones. The stack looks them up and
 * fails the plan through output preconditions. `terraform test` with `mock_provider "aws"` stands in for
 * AWS: the data sources answer what each run says, and the preconditions must pass or fail accordingly.
 */

const config = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "examples", "environments", "shared-vpc.json"), "utf8"));
const { vpcId } = config.network;

describeWithTerraform("terraform test: reused subnets are checked at plan time", () => {
  const out = synth(config, "shared");
  const subnets = Object.keys(out.json.data.aws_subnet).map((name) => `data.aws_subnet.${name}`);
  const zonesOutput = Object.keys(out.outputs).find((o) => o.includes("private-subnet-zones"))!;
  const vpcsOutput = Object.keys(out.outputs).find((o) => o.includes("private-subnet-vpcs"))!;
  let tf: TerraformDir;

  const run = (name: string, answers: { zone: string; vpc: string }[], expectFailures: string[] = []) => `
run "${name}" {
  command = plan
${answers
  .map(
    (a, i) => `  override_data {
    target = ${subnets[i]}
    values = { availability_zone = "${a.zone}", vpc_id = "${a.vpc}" }
  }`,
  )
  .join("\n")}
${expectFailures.length ? `  expect_failures = [${expectFailures.map((o) => `output.${o}`).join(", ")}]` : ""}
}`;

  beforeAll(() => {
    tf = new TerraformDir(out.json, "subnet-checks");
    tf.init();
  });
  afterAll(() => tf?.remove());

  test("the stack reads one aws_subnet per private subnet and guards two outputs", () => {
    expect(subnets).toHaveLength(config.network.privateSubnetIds.length);
    expect(out.outputs[zonesOutput]).toBeDefined();
    expect(out.outputs[vpcsOutput]).toBeDefined();
  });

  test("subnets in two zones of the VPC pass", () => {
    const result = tf.test("distinct", `mock_provider "aws" {}\n${run("distinct_zones", [
      { zone: "us-east-1a", vpc: vpcId },
      { zone: "us-east-1b", vpc: vpcId },
    ])}`);
    expect(result.output).toMatch(/1 passed, 0 failed/);
    expect(result.ok).toBe(true);
  });

  test("fails when every private subnet is in one zone", () => {
    const result = tf.test("same-zone", `mock_provider "aws" {}\n${run("same_zone", [
      { zone: "us-east-1a", vpc: vpcId },
      { zone: "us-east-1a", vpc: vpcId },
    ], [zonesOutput])}`);
    expect(result.output).toMatch(/1 passed, 0 failed/);
    expect(result.ok).toBe(true);
  });

  test("the same-zone run really fails when the failure is not expected", () => {
    const result = tf.test("same-zone-unexpected", `mock_provider "aws" {}\n${run("same_zone_unexpected", [
      { zone: "us-east-1a", vpc: vpcId },
      { zone: "us-east-1a", vpc: vpcId },
    ])}`);
    expect(result.ok).toBe(false);
    expect(result.output).toContain("at least two distinct availability zones");
  });

  test("fails when a private subnet belongs to another VPC", () => {
    const result = tf.test("other-vpc", `mock_provider "aws" {}\n${run("other_vpc", [
      { zone: "us-east-1a", vpc: vpcId },
      { zone: "us-east-1b", vpc: "vpc-0ffffffffffffffff" },
    ])}`);
    expect(result.ok).toBe(false);
    expect(result.output).toContain(`must all belong to network.vpcId ${vpcId}`);
  });
});
