import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { AWS_REGIONS } from "../modules/config/regions";
import { exampleReadme, EXAMPLE_DIR } from "../hcl/example-readme";
import { exampleTest, mockProvider } from "../hcl/example-test";
import { moduleFiles, MODULES, MODULES_DIR, synthesizeModules } from "../hcl/write-modules";
import { moduleTestFile, moduleTestRuns, usageVariables } from "../hcl/module-test";
import { HclRoot, Run } from "./support/hcl-root";
import { describeWithTerraform, PROVIDER_MIRROR } from "./support/terraform";
import { mirrorCliConfig } from "../flow/offline";

/**
 * The plain Terraform modules (`npm run modules`): built from the same constructs as the app, committed
 * up to date, free of provider configuration and backends, tied to no region or account, and composed by
 * examples/plain-terraform into a deployment that validates and tests with the real provider; each module
 * validates and passes its own terraform test (hcl/module-test.ts) of its choices against mock_provider.
 */

const ROOT = path.join(__dirname, "..");
const modules = synthesizeModules();

/** Provider configurations and backends in a module directory's files: `<file>: <what>`. */
export function providerOrBackend(dir: string): string[] {
  const found: string[] = [];
  for (const file of fs.readdirSync(dir)) {
    if (!fs.statSync(path.join(dir, file)).isFile()) continue;
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    if (file.endsWith(".tf.json")) {
      const json = JSON.parse(text);
      if (json.provider) found.push(`${file}: provider`);
      if (json.terraform?.backend || json.terraform?.cloud) found.push(`${file}: backend`);
    } else if (file.endsWith(".tf")) {
      if (/^\s*provider\s+"/m.test(text)) found.push(`${file}: provider`);
      if (/^\s*(backend\s+"|cloud\s*\{)/m.test(text)) found.push(`${file}: backend`);
    }
  }
  return found;
}

describe("the module directories", () => {
  test("there is one per area", () => {
    expect(modules.map((m) => m.name)).toEqual(["network", "storage", "compute", "service", "ui", "scheduling", "metaflow"]);
    expect(MODULES).toHaveLength(7);
  });

  test.each(modules.map((m) => [m.name, m] as const))("%s is committed as npm run modules writes it", (name, info) => {
    for (const [file, content] of Object.entries(moduleFiles(info))) {
      expect(fs.readFileSync(path.join(ROOT, MODULES_DIR, name, file), "utf8")).toBe(content);
    }
  });

  test.each(modules.map((m) => m.name))("%s holds no provider configuration and no backend", (name) => {
    expect(providerOrBackend(path.join(ROOT, MODULES_DIR, name))).toEqual([]);
  });

  test("the check finds a provider configuration or a backend when one is there", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mf-module-check-"));
    fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ provider: { aws: [{ region: "us-east-1" }] }, terraform: { backend: { s3: {} } } }));
    fs.writeFileSync(path.join(dir, "extra.tf"), 'provider "aws" {\n  region = "eu-west-1"\n}\n');
    expect(providerOrBackend(dir).sort()).toEqual(["extra.tf: provider", "main.tf.json: backend", "main.tf.json: provider"]);
  });

  test.each(modules.map((m) => [m.name, m] as const))("%s pins hashicorp/aws in required_providers and nothing else in the terraform block", (_name, info) => {
    expect(info.json.terraform).toEqual({ required_providers: { aws: { source: "hashicorp/aws", version: "5.100.0" } }, required_version: ">= 1.10" });
  });

  test.each(modules.map((m) => [m.name, m] as const))("%s is tied to no region and no account", (_name, info) => {
    const text = JSON.stringify(info.json);
    for (const region of AWS_REGIONS) expect([region, text.includes(`"${region}`) || text.includes(`:${region}:`)]).toEqual([region, false]);
    expect(text).not.toMatch(/\b\d{12}\b/);
  });

  test.each(modules.map((m) => [m.name, m] as const))("%s describes every variable and output, and every variable has a type", (_name, info) => {
    for (const [name, v] of Object.entries<any>(info.json.variable)) {
      expect([name, typeof v.description, typeof v.type]).toEqual([name, "string", "string"]);
    }
    for (const [name, o] of Object.entries<any>(info.json.output)) expect([name, typeof o.description]).toEqual([name, "string"]);
  });

  test("outputs that carry the API key are sensitive", () => {
    const service = modules.find((m) => m.name === "service")!.json.output;
    expect(service.api_key.sensitive).toBe(true);
    expect(service.profile.sensitive).toBe(true);
    for (const m of modules) {
      for (const [name, o] of Object.entries<any>(m.json.output)) {
        if (JSON.stringify(o.value).includes("aws_api_gateway_api_key")) expect([m.name, name, o.sensitive]).toEqual([m.name, name, true]);
      }
    }
  });

  test("values Terraform can check carry validation blocks", () => {
    const variables = Object.assign({}, ...modules.map((m) => m.json.variable));
    for (const name of [
      "vpc_cidr", "private_subnet_cidrs", "availability_zones", "name_prefix", "environment", "flow_log_retention_days", "cpu", "image_tag",
      "db_backup_retention_days", "nat_gateways", "interface_endpoints", "compute_environments", "job_queues", "default_queue", "public_access",
      "existing_network", "existing_bucket", "users_access", "users_principal_arns", "db_password_rotation_days", "database_tls_mode", "database_root_cert_path", "job_image", "client_cidrs",
    ]) {
      expect([name, (variables[name]?.validation ?? []).length > 0]).toEqual([name, true]);
    }
  });

  test("the example's README tables and test are generated from the modules", () => {
    const readme = fs.readFileSync(path.join(ROOT, EXAMPLE_DIR, "README.md"), "utf8");
    expect(exampleReadme(readme, modules)).toBe(readme);
    for (const m of modules) for (const name of Object.keys(m.json.variable)) expect(readme).toContain(`| \`${name}\` |`);
    expect(fs.readFileSync(path.join(ROOT, EXAMPLE_DIR, "tests", "profile.tftest.hcl"), "utf8")).toBe(exampleTest(modules));
  });
});

describeWithTerraform("terraform: the plain-Terraform example with the real provider", () => {
  let work: string;
  let env: NodeJS.ProcessEnv;
  const tf = (dir: string, ...args: string[]) => {
    const r = spawnSync("terraform", [...args, "-no-color"], { cwd: dir, env, encoding: "utf8" });
    return { ok: r.status === 0, out: `${r.stdout}\n${r.stderr}`.replace(/\s+/g, " ") };
  };

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "mf-plain-"));
    fs.cpSync(path.join(ROOT, MODULES_DIR), path.join(work, MODULES_DIR), { recursive: true });
    fs.cpSync(path.join(ROOT, EXAMPLE_DIR), path.join(work, EXAMPLE_DIR), { recursive: true });
    fs.writeFileSync(path.join(work, "terraform.rc"), mirrorCliConfig(PROVIDER_MIRROR!));
    env = { ...process.env, TF_CLI_CONFIG_FILE: path.join(work, "terraform.rc"), CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test("terraform init and validate pass", () => {
    const dir = path.join(work, EXAMPLE_DIR);
    expect(tf(dir, "init", "-input=false").ok).toBe(true);
    const validate = tf(dir, "validate");
    expect(validate.out).toContain("Success! The configuration is valid.");
  });

  test("terraform test with mock_provider plans and applies, and every profile key comes through the module outputs", () => {
    const result = tf(path.join(work, EXAMPLE_DIR), "test");
    expect(result.out).toContain('run "plan"... pass');
    expect(result.out).toContain('run "apply"... pass');
    expect(result.out).toMatch(/2 passed, 0 failed/);
    // The clean-up refuses exactly the protected resources, and nothing else goes wrong.
    const errors = result.out.match(/Error: [A-Z][^:]*?(?= on | with |$)/g) ?? [];
    expect(new Set(errors.map((e) => e.trim()))).toEqual(new Set(["Error: Instance cannot be destroyed"]));
  });

  test("the ui module validates, a mocked apply outputs METAFLOW_UI_URL from hostname, and its variables stop a reserved Cognito prefix and a bad certificate", () => {
    const dir = path.join(work, MODULES_DIR, "ui");
    expect(tf(dir, "init", "-input=false").ok).toBe(true);
    expect(tf(dir, "validate").out).toContain("Success! The configuration is valid.");
    // The usage inputs' stand-ins (a valid ACM certificate and Cognito prefix among them); each run changes one.
    fs.writeFileSync(path.join(dir, "ui.tftest.hcl"), `${mockProvider(modules)}
${usageVariables(modules.find((m) => m.name === "ui")!)}
run "apply" {
  command = apply
  assert {
    condition     = output.ui_url == "https://metaflow.example.com/" && output.profile.METAFLOW_UI_URL == output.ui_url
    error_message = "METAFLOW_UI_URL is not https://<hostname>/"
  }
}
run "reserved_cognito_prefix" {
  command = plan
  variables {
    cognito_domain_prefix = "metaflow-cognito"
  }
  expect_failures = [var.cognito_domain_prefix]
}
run "not_an_acm_certificate" {
  command = plan
  variables {
    certificate_arn = "arn:aws:iam::123456789012:server-certificate/ui"
  }
  expect_failures = [var.certificate_arn]
}
`);
    // This file only: the module's own generated test (tests/ui.tftest.hcl) runs with the other modules' tests.
    const result = tf(dir, "test", "-filter=ui.tftest.hcl");
    expect(result.out).toContain('run "apply"... pass');
    expect(result.out).toMatch(/3 passed, 0 failed/);
  });

  test("a module's variable validation stops a bad value at plan time", () => {
    const dir = path.join(work, MODULES_DIR, "network");
    expect(tf(dir, "init", "-input=false").ok).toBe(true);
    fs.writeFileSync(path.join(dir, "validation.tftest.hcl"), `mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
}
run "host_bits_in_vpc_cidr" {
  command = plan
  variables {
    name_prefix        = "metaflow"
    environment        = "dev"
    vpc_cidr           = "10.0.0.1/16"
    availability_zones = ["us-east-1a", "us-east-1b"]
  }
  expect_failures = [var.vpc_cidr]
}
run "subnet_outside_the_vpc" {
  command = plan
  variables {
    name_prefix          = "metaflow"
    environment          = "dev"
    availability_zones   = ["us-east-1a", "us-east-1b"]
    private_subnet_cidrs = ["10.0.0.0/19", "10.9.0.0/19"]
  }
  expect_failures = [var.private_subnet_cidrs]
}
run "upper_case_prefix" {
  command = plan
  variables {
    name_prefix        = "Metaflow"
    environment        = "dev"
    availability_zones = ["us-east-1a", "us-east-1b"]
  }
  expect_failures = [var.name_prefix]
}
run "prefix_making_security_group_names_that_start_with_sg" {
  command = plan
  variables {
    name_prefix        = "sg"
    environment        = "dev"
    availability_zones = ["us-east-1a", "us-east-1b"]
  }
  expect_failures = [var.environment]
}
run "prefix_and_environment_making_bucket_names_that_start_with_amzn_s3_demo" {
  command = plan
  variables {
    name_prefix        = "amzn-s3"
    environment        = "demo"
    availability_zones = ["us-east-1a", "us-east-1b"]
  }
  expect_failures = [var.environment]
}
`);
    const result = tf(dir, "test", "-filter=validation.tftest.hcl");
    expect(result.out).toMatch(/5 passed, 0 failed/);
  });
});

describeWithTerraform("terraform: each module's own terraform test (tests/<name>.tftest.hcl) with the real provider", () => {
  const results = new Map<string, Promise<{ validate: any; fmt: Run; test: Run }>>();

  beforeAll(() => {
    for (const info of modules) {
      const run = (async () => {
        const root = new HclRoot(`module-${info.name}`, path.join(MODULES_DIR, info.name), undefined, { offline: false });
        try {
          await root.init();
          const validate = JSON.parse(await root.must("validate", "-json"));
          const fmt = await root.run("fmt", "-check", "-recursive");
          return { validate, fmt, test: await root.run("test") };
        } finally {
          root.remove();
        }
      })();
      run.catch(() => undefined);
      results.set(info.name, run);
    }
  });

  describe.each(modules.map((m) => [m.name, m] as const))("%s", (name, info) => {
    test("validates with no diagnostics, and its files (the test too) are as terraform fmt writes them", async () => {
      const { validate, fmt } = await results.get(name)!;
      expect(validate.diagnostics.map((d: any) => `${d.severity}: ${d.summary}`)).toEqual([]);
      expect([fmt.ok, fmt.stdout]).toEqual([true, ""]);
    });

    test(`${moduleTestFile(info)} with mock_provider passes: a plan at the defaults, one of each other choice, an apply`, async () => {
      const { test: result } = await results.get(name)!;
      const runs = moduleTestRuns(info);
      for (const run of runs) expect(result.out).toContain(`run "${run}"... pass`);
      expect(result.out).toMatch(new RegExp(`${runs.length} passed, 0 failed`));
      // The clean-up refuses exactly the protected resources (prevent_destroy), and nothing else goes wrong.
      const errors = result.out.match(/Error: [A-Z][^:]*?(?= on | with |$)/g) ?? [];
      expect([...new Set(errors.map((e) => e.trim()))].filter((e) => e !== "Error: Instance cannot be destroyed")).toEqual([]);
    });
  });
});
