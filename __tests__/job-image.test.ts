import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { mockProvider } from "../hcl/example-test";
import { usageVariables } from "../hcl/module-test";
import { MODULES_DIR, synthesizeModules } from "../hcl/write-modules";
import { splitImage, splitImageHcl } from "../modules/config/images";
import { ECR_JOB_IMAGE } from "./support/configs";
import { emulatorTools } from "./support/emulator";
import { synth } from "./support/synth";
import { list, policyDoc } from "./support/json";
import { HclRoot, Run } from "./support/hcl-root";
import { describeWithTerraform } from "./support/terraform";

/**
 * The image Metaflow's Batch jobs run (`compute.jobImage`): the ECR repository the stack makes for it, the
 * profile keys that point Metaflow at it, and the Dockerfile recipe of docs/job-image.md, held to what the
 * pinned Metaflow client really installs in a task.
 */

const ROOT = path.resolve(__dirname, "..");
const profile = (out: ReturnType<typeof synth>) => Object.fromEntries(Object.entries(out.outputs).map(([k, v]) => [k, v.value]));

describe('jobImage { source: "repository" }', () => {
  const out = synth({ compute: { jobImage: { source: "repository", tag: "py311-2026-12" } } });
  const repository = out.resource("aws_ecr_repository");
  const lifecycle = out.resource("aws_ecr_lifecycle_policy");

  test("makes one ECR repository named from the naming helper", () => {
    expect(repository.name).toBe("metaflow-dev-jobs");
  });

  test("its tags are immutable: a tag always names the one image jobs were tested with", () => {
    expect(repository.image_tag_mutability).toBe("IMMUTABLE");
  });

  test("every push is scanned", () => {
    expect(repository.image_scanning_configuration).toEqual({ scan_on_push: true });
  });

  test("images are encrypted with KMS", () => {
    expect(list(repository.encryption_configuration)).toEqual([{ encryption_type: "KMS" }]);
  });

  test("deleting it never deletes images with it", () => {
    expect(repository.force_delete).toBe(false);
  });

  test("untagged images expire after 14 days by default", () => {
    const rules = policyDoc(lifecycle.policy).rules as any[];
    expect(rules).toEqual([expect.objectContaining({ selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 }, action: { type: "expire" } })]);
    expect(lifecycle.repository).toMatch(/^\$\{aws_ecr_repository\.[^.]+\.name\}$/);
  });

  test("untaggedImageExpiryDays sets that expiry", () => {
    const custom = synth({ compute: { jobImage: { source: "repository", tag: "1", untaggedImageExpiryDays: 30 } } });
    expect((policyDoc(custom.resource("aws_ecr_lifecycle_policy").policy).rules as any[])[0].selection.countNumber).toBe(30);
  });

  test("the profile names the repository's registry and <repository>:<tag>", () => {
    const keys = profile(out);
    expect(keys.METAFLOW_BATCH_CONTAINER_REGISTRY).toMatch(/^\$\{aws_ecr_repository\.[^.]+\.registry_id\}\.dkr\.ecr\.us-east-1\.amazonaws\.com$/);
    expect(keys.METAFLOW_BATCH_CONTAINER_IMAGE).toMatch(/^\$\{aws_ecr_repository\.[^.]+\.name\}:py311-2026-12$/);
  });

  test("in a China region the registry is under amazonaws.com.cn", () => {
    const china = synth({ region: "cn-north-1", compute: { jobImage: { source: "repository", tag: "1" } } });
    expect(String(profile(china).METAFLOW_BATCH_CONTAINER_REGISTRY)).toMatch(/\.dkr\.ecr\.cn-north-1\.amazonaws\.com\.cn$/);
  });

  test("the instances and Fargate's execution role may pull from it (ECR repositories of the region)", () => {
    const pulls = out.resources("aws_iam_role_policy").flatMap((p) => (policyDoc(p.policy).Statement as any[]).filter((s) => list(s.Action).includes("ecr:BatchGetImage")));
    expect(pulls.length).toBeGreaterThan(0);
    for (const s of pulls) expect(list(s.Resource)).toEqual(["arn:aws:ecr:us-east-1:*:repository/*"]);
  });
});

describe('jobImage { source: "external" }', () => {
  test("an ECR image: the profile splits it into registry and image, and no repository is made", () => {
    const out = synth({ compute: { jobImage: { source: "external", image: ECR_JOB_IMAGE } } });
    expect(profile(out)).toMatchObject({ METAFLOW_BATCH_CONTAINER_REGISTRY: "123456789012.dkr.ecr.us-east-1.amazonaws.com", METAFLOW_BATCH_CONTAINER_IMAGE: "metaflow-jobs:py311-1" });
    expect(out.resources("aws_ecr_repository")).toEqual([]);
  });

  test("a Docker Hub image has no registry key: Metaflow uses it as it is", () => {
    const keys = profile(synth({ compute: { jobImage: { source: "external", image: "python:3.11-slim" } } }));
    expect(keys.METAFLOW_BATCH_CONTAINER_IMAGE).toBe("python:3.11-slim");
    expect(keys).not.toHaveProperty("METAFLOW_BATCH_CONTAINER_REGISTRY");
  });
});

test("without jobImage neither image key is in the profile (Metaflow picks python:<version> itself)", () => {
  const keys = profile(synth());
  expect(keys).not.toHaveProperty("METAFLOW_BATCH_CONTAINER_IMAGE");
  expect(keys).not.toHaveProperty("METAFLOW_BATCH_CONTAINER_REGISTRY");
});

describe("splitImage: the registry part as Docker reads it", () => {
  test.each([
    ["123456789012.dkr.ecr.us-east-1.amazonaws.com/team/jobs:1", { registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com", image: "team/jobs:1" }],
    ["localhost:5000/jobs:1", { registry: "localhost:5000", image: "jobs:1" }],
    ["localhost/jobs:1", { registry: "localhost", image: "jobs:1" }],
    ["ghcr.io/org/jobs@sha256:" + "a".repeat(64), { registry: "ghcr.io", image: `org/jobs@sha256:${"a".repeat(64)}` }],
    ["library/python:3.11", { image: "library/python:3.11" }],
    ["python:3.11", { image: "python:3.11" }],
  ])("%s", (reference, expected) => {
    expect(splitImage(reference)).toEqual(expected);
  });
});

describe("docs/job-image/Dockerfile, the recipe for a job image that runs without NAT", () => {
  const dockerfile = fs.readFileSync(path.join(ROOT, "docs", "job-image", "Dockerfile"), "utf8");
  const instructions = dockerfile.split("\n").filter((l) => l.trim() && !l.trim().startsWith("#"));

  test("sets METAFLOW_SKIP_INSTALL_DEPENDENCIES in the image, so tasks skip their pip install", () => {
    expect(instructions).toContainEqual(expect.stringMatching(/^ENV METAFLOW_SKIP_INSTALL_DEPENDENCIES=1$/));
  });

  test("pulls its base image from ECR Public, not Docker Hub", () => {
    expect(instructions[0]).toMatch(/^FROM public\.ecr\.aws\//);
  });

  const tools = emulatorTools();
  (typeof tools === "string" ? test.skip : test)("installs, pinned, every package the pinned Metaflow client installs in a task (read from its own code)", () => {
    const python = typeof tools === "string" ? "" : tools.python;
    const found = spawnSync(python, ["-c", "from metaflow.metaflow_environment import MetaflowEnvironment as E; print(E.__new__(E)._get_install_dependencies_cmd('s3'))"], { encoding: "utf8" });
    expect(found.status).toBe(0);
    // `... -m pip install -qqq --no-compile --no-cache-dir --disable-pip-version-check boto3 requests; fi`
    const packages = found.stdout.replace(/;\s*fi\s*$/, "").split(/\s+/).filter((w) => /^[A-Za-z][A-Za-z0-9_.-]*$/.test(w) && !["if", "then", "fi", "install", "pip", "-m"].includes(w) && !w.startsWith("python"));
    expect(packages).toEqual(expect.arrayContaining(["boto3", "requests"]));
    const installed = instructions.filter((l) => /pip install/.test(l)).join(" ");
    for (const p of packages) expect({ p, pinned: new RegExp(`\\b${p}==\\d`).test(installed) }).toEqual({ p, pinned: true });
  });
});

describeWithTerraform("terraform: job_image in the plain-Terraform compute module", () => {
  let run: Run;
  let split: Map<string, unknown>;
  const modules = synthesizeModules();
  const compute = modules.find((m) => m.name === "compute")!.json;
  const repository = `aws_ecr_repository.${Object.keys(compute.resource.aws_ecr_repository)[0]}`;
  const lifecycle = `aws_ecr_lifecycle_policy.${Object.keys(compute.resource.aws_ecr_lifecycle_policy)[0]}`;
  const IMAGES = [
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/jobs:1", "localhost:5000/jobs:1", "localhost/jobs:1", `ghcr.io/org/jobs@sha256:${"a".repeat(64)}`,
    "library/python:3.11", "python:3.11",
  ];

  beforeAll(async () => {
    const root = new HclRoot("compute-job-image", `${MODULES_DIR}/compute`, undefined, { offline: false });
    try {
      const runBlock = (name: string, jobImage: string, asserts: [string, string][]) => `
run "${name}" {
  command = apply
  variables {
    job_image = ${jobImage}
  }
${asserts.map(([condition, message]) => `  assert {\n    condition     = ${condition}\n    error_message = ${JSON.stringify(message)}\n  }`).join("\n")}
}
`;
      fs.writeFileSync(
        path.join(root.dir, "job-image.tftest.hcl"),
        `${mockProvider(modules)}
${usageVariables(modules.find((m) => m.name === "compute")!)}
${runBlock("repository", '{ source = "repository", tag = "py311-2026-12", untagged_image_expiry_days = 30 }', [
  [`length(${repository}) == 1 && length(${lifecycle}) == 1`, "a repository source makes the repository and its lifecycle policy"],
  [`${repository}[0].name == "metaflow-dev-jobs" && ${repository}[0].image_tag_mutability == "IMMUTABLE"`, "the repository is named from the naming helper, its tags immutable"],
  [`jsondecode(${lifecycle}[0].policy).rules[0].selection.countNumber == 30`, "untagged_image_expiry_days sets the expiry"],
  ['output.profile.METAFLOW_BATCH_CONTAINER_IMAGE == "metaflow-dev-jobs:py311-2026-12"', "the profile names <repository>:<tag>"],
  [`output.profile.METAFLOW_BATCH_CONTAINER_REGISTRY == "\${${repository}[0].registry_id}.dkr.ecr.us-east-1.amazonaws.com"`, "the profile names the repository's registry"],
])}${runBlock("repository_default_expiry", '{ source = "repository", tag = "py311-2026-12" }', [
  [`jsondecode(${lifecycle}[0].policy).rules[0].selection.countNumber == 14`, "untagged images expire after 14 days by default"],
])}${runBlock("external", `{ source = "external", image = "${ECR_JOB_IMAGE}" }`, [
  [`length(${repository}) == 0 && length(${lifecycle}) == 0`, "an external image makes no repository"],
  ['output.profile.METAFLOW_BATCH_CONTAINER_REGISTRY == "123456789012.dkr.ecr.us-east-1.amazonaws.com" && output.profile.METAFLOW_BATCH_CONTAINER_IMAGE == "metaflow-jobs:py311-1"', "the profile splits the image into registry and image"],
])}${runBlock("docker_hub", '{ source = "external", image = "python:3.11-slim" }', [
  ['output.profile.METAFLOW_BATCH_CONTAINER_REGISTRY == null && output.profile.METAFLOW_BATCH_CONTAINER_IMAGE == "python:3.11-slim"', "a Docker Hub image has no registry"],
])}${runBlock("default", "null", [
  [`length(${repository}) == 0`, "no job image makes no repository"],
  ["output.profile.METAFLOW_BATCH_CONTAINER_REGISTRY == null && output.profile.METAFLOW_BATCH_CONTAINER_IMAGE == null", "without job_image both image keys are null"],
])}`,
      );
      await root.init();
      // This file only: the module's own generated test (tests/compute.tftest.hcl) runs in terraform-modules.test.ts.
      run = await root.run("test", "-filter=job-image.tftest.hcl");
      // splitImageHcl against splitImage, evaluated by terraform console in an empty directory.
      const empty = new HclRoot("split-image", "empty", { "main.tf": "" }, { offline: false });
      try {
        const pairs = IMAGES.map((image) => {
          const hcl = splitImageHcl(JSON.stringify(image));
          return `{ registry = ${hcl.registry}, image = ${hcl.image} }`;
        });
        const out = await new Promise<string>((resolve, reject) => {
          const child = spawn("terraform", ["console"], { cwd: empty.dir, env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
          let text = "";
          child.stdout.on("data", (b: Buffer) => (text += b.toString()));
          child.on("error", reject);
          child.on("close", () => resolve(text));
          child.stdin.end(`jsonencode([${pairs.join(", ")}])\n`);
        });
        const results = JSON.parse(JSON.parse(out.trim()));
        split = new Map(IMAGES.map((image, i) => [image, results[i]]));
      } finally {
        empty.remove();
      }
    } finally {
      root.remove();
    }
  }, 600_000);

  test("a repository source makes the repository, an external image none, no job_image none; the profile's keys follow, null when unset", () => {
    const runs = ["repository", "repository_default_expiry", "external", "docker_hub", "default"];
    expect([runs.filter((r) => !run.out.includes(`run "${r}"... pass`)), run.out.match(/\d+ passed, \d+ failed/)?.[0]]).toEqual([[], "5 passed, 0 failed"]);
  });

  test.each(IMAGES)("the module splits %s as splitImage does", (image) => {
    const expected = splitImage(image);
    expect(split.get(image)).toEqual({ registry: expected.registry ?? null, image: expected.image });
  });
});
