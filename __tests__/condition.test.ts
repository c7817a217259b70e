import { Testing, TerraformIterator, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { DataAwsSubnet } from "@cdktf/provider-aws/lib/data-aws-subnet";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { and, applyConditions, choose, equals, isConditional, isTerraformCondition, not, notEmpty, onlyWhere, or, TerraformCondition } from "../modules/condition";
import { addressOf, rawExpression } from "../modules/expression";
import { policyJson, statementsWhere } from "../modules/policy";
import { ModuleStack } from "../hcl/module-stack";

/**
 * Conditions (modules/condition.ts): a literal choice builds a part or not, as an `if` would; a Terraform
 * choice builds it and gives each of its resources count (or an empty for_each), references reading
 * through one(...[*]).
 */

function moduleStack(): { stack: ModuleStack; mode: string; synth: () => any } {
  const stack = new ModuleStack(Testing.app(), "test", "a test module");
  const mode = stack.input("mode", { type: "string", description: "a choice" }).stringValue;
  return { stack, mode, synth: () => JSON.parse(Testing.synth(stack)) };
}

const body = (json: any, type: string, prefix: string) => Object.entries<any>(json.resource[type]).find(([name]) => name.startsWith(prefix))![1];
const nameOf = (json: any, type: string, prefix: string) => Object.keys(json.resource[type]).find((name) => name.startsWith(prefix))!;

describe("literal conditions (the app's configs)", () => {
  test("true builds the part and returns it", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const vpc = onlyWhere(stack, true, () => new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" }));
    expect(vpc).toBeInstanceOf(Vpc);
    expect(Object.keys(JSON.parse(Testing.synth(stack)).resource.aws_vpc)).toHaveLength(1);
  });

  test("false builds nothing and returns undefined", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const vpc = onlyWhere(stack, false, () => new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" }));
    expect(vpc).toBeUndefined();
    expect(stack.node.findAll().some((c) => c instanceof Vpc)).toBe(false);
  });

  test("and, or and not fold literals, so a literal config never makes a Terraform condition", () => {
    const open = new TerraformCondition(rawExpression("var.x"));
    expect(and(true, true)).toBe(true);
    expect(and(true, false)).toBe(false);
    expect(or(false, false)).toBe(false);
    expect(not(true)).toBe(false);
    expect(and(true, open)).toBe(open);
    expect(or(false, open)).toBe(open);
    expect(equals("single", "single")).toBe(true);
    expect(notEmpty([])).toBe(false);
    expect(choose(true, "a", "b")).toBe("a");
  });

  test("a stack with no Terraform condition is returned as it was", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" });
    const json = stack.toTerraform();
    const before = JSON.stringify(json);
    expect(JSON.stringify(applyConditions(stack, json))).toBe(before);
  });
});

describe("Terraform conditions (a module's variables)", () => {
  test("every resource the part makes gets count = <condition> ? 1 : 0", () => {
    const { stack, mode, synth } = moduleStack();
    onlyWhere(stack, equals(mode, "on"), () => {
      const vpc = new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" });
      new SecurityGroup(stack, "sg", { vpcId: vpc.id });
    });
    const json = synth();
    expect(body(json, "aws_vpc", "vpc").count).toBe('${(var.mode == "on") ? 1 : 0}');
    expect(body(json, "aws_security_group", "sg").count).toBe('${(var.mode == "on") ? 1 : 0}');
  });

  test("references to a counted resource read through one(...[*]), elsewhere too", () => {
    const { stack, mode, synth } = moduleStack();
    const vpc = onlyWhere(stack, equals(mode, "on"), () => new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" }))!;
    new SecurityGroup(stack, "sg", { vpcId: vpc.id, description: `in ${vpc.id}` });
    new TerraformOutput(stack, "vpc-id", { value: vpc.id }).overrideLogicalId("vpc_id");
    const json = synth();
    const vpcAddress = `aws_vpc.${nameOf(json, "aws_vpc", "vpc")}`;
    expect(body(json, "aws_security_group", "sg").vpc_id).toBe(`\${one(${vpcAddress}[*].id)}`);
    expect(body(json, "aws_security_group", "sg").description).toBe(`in \${one(${vpcAddress}[*].id)}`);
    expect(json.output.vpc_id.value).toBe(`\${one(${vpcAddress}[*].id)}`);
    expect(body(json, "aws_security_group", "sg").count).toBeUndefined();
  });

  test("a resource with for_each keeps its keys and loses its instances where the condition fails", () => {
    const { stack, mode, synth } = moduleStack();
    const names = new TerraformVariable(stack, "names", { type: "list(string)" }).listValue;
    onlyWhere(stack, equals(mode, "on"), () => {
      const each = TerraformIterator.fromList(names);
      new IamRole(stack, "roles", { forEach: each, name: each.value, assumeRolePolicy: "{}" });
    });
    expect(body(synth(), "aws_iam_role", "roles").for_each).toBe('${{ for key, value in toset(var.names) : key => value if (var.mode == "on") }}');
  });

  test("a part inside another gets both conditions", () => {
    const { stack, mode, synth } = moduleStack();
    const other = stack.input("other", { type: "bool", description: "another choice" });
    onlyWhere(stack, equals(mode, "on"), () => {
      new Vpc(stack, "outer", { cidrBlock: "10.0.0.0/16" });
      onlyWhere(stack, new TerraformCondition(other.booleanValue as never), () => new Vpc(stack, "inner", { cidrBlock: "10.1.0.0/16" }));
    });
    const count = body(synth(), "aws_vpc", "inner").count as string;
    expect([count.includes('(var.mode == "on")'), count.includes("var.other"), /^\$\{\(.* && .*\) \? 1 : 0\}$/.test(count)]).toEqual([true, true, true]);
  });

  test("resources the part adds to constructs elsewhere (a grant on another role) are counted too", () => {
    const { stack, mode, synth } = moduleStack();
    const holder = new Construct(stack, "holder");
    onlyWhere(stack, equals(mode, "on"), () => new SecurityGroup(holder, "granted", { name: "g" }));
    expect(body(synth(), "aws_security_group", "holder_granted").count).toBe('${(var.mode == "on") ? 1 : 0}');
  });

  test("resources added later under a counted construct are counted too", () => {
    const { stack, mode, synth } = moduleStack();
    const part = onlyWhere(stack, equals(mode, "on"), () => new Construct(stack, "part"))!;
    new Vpc(part, "later", { cidrBlock: "10.0.0.0/16" });
    expect(isConditional(part)).toBe(true);
    expect(body(synth(), "aws_vpc", "part_later").count).toBe('${(var.mode == "on") ? 1 : 0}');
  });

  test("a data source gets count, and data.<type>.<name> references read through one(...)", () => {
    const { stack, mode, synth } = moduleStack();
    const subnet = onlyWhere(stack, equals(mode, "on"), () => new DataAwsSubnet(stack, "subnet", { id: "subnet-1" }))!;
    new SecurityGroup(stack, "sg", { vpcId: subnet.vpcId });
    const json = synth();
    const address = addressOf(subnet);
    expect(Object.values<any>(json.data.aws_subnet)[0].count).toBe('${(var.mode == "on") ? 1 : 0}');
    expect(body(json, "aws_security_group", "sg").vpc_id).toBe(`\${one(${address}[*].vpc_id)}`);
  });

  test("fails when a lifecycle names a counted resource (lifecycle takes no expressions; the construct must index it)", () => {
    const { stack, mode, synth } = moduleStack();
    const vpc = onlyWhere(stack, equals(mode, "on"), () => new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" }))!;
    new SecurityGroup(stack, "sg", { lifecycle: { replaceTriggeredBy: [`${addressOf(vpc)}.id`] } });
    expect(synth).toThrow(/names aws_vpc\..*, which has a Terraform condition/);
  });

  test("choose picks by Terraform's conditional", () => {
    const { stack, mode, synth } = moduleStack();
    new TerraformOutput(stack, "picked", { value: choose(equals(mode, "on"), "yes", "no") });
    expect(synth().output.picked.value).toBe('${(var.mode == "on") ? "yes" : "no"}');
    expect(isTerraformCondition(equals(mode, "on"))).toBe(true);
  });
});

describe("policies with statements under a condition", () => {
  const allow = { Effect: "Allow" as const, Action: ["s3:GetObject"], Resource: "*" };
  const deny = { Effect: "Deny" as const, Action: ["s3:PutObject"], Resource: "*" };

  test("literal conditions keep or drop the statements; the document is the plain list", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    new TerraformOutput(stack, "kept", { value: policyJson([allow, ...statementsWhere(true, [deny])]) });
    new TerraformOutput(stack, "dropped", { value: policyJson([allow, ...statementsWhere(false, [deny])]) });
    new TerraformOutput(stack, "both", { value: policyJson([allow, deny]) });
    new TerraformOutput(stack, "one", { value: policyJson([allow]) });
    const json = JSON.parse(Testing.synth(stack)).output;
    expect(json.kept.value).toBe(json.both.value);
    expect(json.dropped.value).toBe(json.one.value);
  });

  test("a Terraform condition makes Statement a concat of the plain statements and the group where its condition holds", () => {
    const { stack, mode, synth } = moduleStack();
    new TerraformOutput(stack, "policy", { value: policyJson([allow, ...statementsWhere(equals(mode, "on"), [deny])]) });
    const value = synth().output.policy.value as string;
    const plain = 'jsondecode(jsonencode([{"Effect" = "Allow", "Action" = ["s3:GetObject"], "Resource" = "*"}]))';
    const group = 'jsondecode((var.mode == "on") ? jsonencode([{"Effect" = "Deny", "Action" = ["s3:PutObject"], "Resource" = "*"}]) : "[]")';
    expect(value).toBe(`\${jsonencode({ Version = "2012-10-17", Statement = concat(${plain}, ${group}) })}`);
  });
});
