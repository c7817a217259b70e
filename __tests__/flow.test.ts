import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { applyMain } from "../flow/apply";
import { planMain } from "../flow/plan";
import { profileMain } from "../flow/profile";
import { SavedPlan } from "../flow/saved-plan";
import { describeWithTerraform, stateFromPlan, TerraformDir } from "./support/terraform";

/**
 * `npm run plan` and `npm run apply`, end to end with real Terraform, offline: plan, review and save;
 * refuse to apply a plan whose config changed, a blocked plan, or no plan; apply the reviewed plan.
 */

describeWithTerraform("plan and apply flow (offline, real terraform)", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "mf-flow-"));
  const configDir = path.join(root, "environments");
  const outdir = path.join(root, "cdktf.out");
  const stackDir = path.join(outdir, "stacks", "metaflow-dev");
  const saved = new SavedPlan(root, "dev");
  const config = { state: { backend: "local" }, tags: { Team: "ml" } };
  const writeConfig = (c: object) => fs.writeFileSync(path.join(configDir, "dev.json"), JSON.stringify(c));
  const previousOutdir = process.env.CDKTF_OUTDIR;
  let stderr: string[] = [];
  let stdout: string[] = [];

  const run = (fn: typeof planMain, ...args: string[]) => {
    stderr = [];
    stdout = [];
    const err = jest.spyOn(process.stderr, "write").mockImplementation((t) => (stderr.push(String(t)), true));
    const out = jest.spyOn(process.stdout, "write").mockImplementation((t) => (stdout.push(String(t)), true));
    try {
      return fn(["--env", "dev", "--offline", "--quiet", "--config-dir", configDir, ...args], root);
    } finally {
      err.mockRestore();
      out.mockRestore();
    }
  };

  beforeAll(() => {
    process.env.CDKTF_OUTDIR = outdir;
    fs.mkdirSync(configDir);
    writeConfig(config);
  });
  afterAll(() => {
    if (previousOutdir === undefined) delete process.env.CDKTF_OUTDIR;
    else process.env.CDKTF_OUTDIR = previousOutdir;
    fs.rmSync(root, { recursive: true, force: true });
  });

  test("apply refuses when nothing was planned", () => {
    expect(run(applyMain)).toBe(1);
    expect(stderr.join("")).toMatch(/^error: no saved plan for dev in .*; run `npm run plan -- --env dev`, read it, then apply\n$/);
  });

  describe("a create plan", () => {
    let code: number;
    beforeAll(() => {
      code = run(planMain);
    });

    test("exits 2 (changes) and prints the review", () => {
      expect(code).toBe(2);
      expect(stdout.join("")).toMatch(/Plan: \d+ to create/);
      // The apply command shown names the same target as the plan.
      expect(stderr.join("")).toContain("Apply exactly this plan with `npm run apply -- --env dev --offline`");
    });

    test("prints the review by area and construct path, not Terraform's plan text, in under 300 lines", () => {
      const printed = stdout.join("") + stderr.join("");
      expect(printed).toMatch(/Changes by area \(\d+ in \d+\)/);
      expect(printed).toContain("compute/environment-cpu/launch-template");
      expect(printed).toMatch(/Idle cost a month \(us-east-1/);
      expect(printed).not.toContain("Terraform will perform the following actions");
      expect(printed).not.toContain("Initializing the backend");
      expect(printed.split("\n").length).toBeLessThan(300);
    });

    test("keeps Terraform's own output in plans/<env>/, readable by the owner only, and says where", () => {
      const log = fs.readFileSync(saved.planLog, "utf8");
      expect(log).toContain("Terraform will perform the following actions");
      expect((fs.statSync(saved.planLog).mode & 0o777).toString(8)).toBe("600");
      expect(stderr.join("")).toContain(`Terraform's own output: ${saved.planLog}`);
    });

    test("saves the plan, its JSON and both reviews, the secret-bearing files readable by the owner only", () => {
      for (const file of [saved.planFile, saved.jsonFile, saved.markdownFile, saved.terminalFile]) {
        expect((fs.statSync(file).mode & 0o777).toString(8)).toBe("600");
      }
      expect(fs.readFileSync(saved.markdownFile, "utf8")).toMatch(/<details>/);
    });

    test("records the hash of the synthesized config it was made from", () => {
      const meta = saved.readMeta()!;
      const sha = createHash("sha256").update(fs.readFileSync(path.join(stackDir, "cdk.tf.json"))).digest("hex");
      expect(meta).toMatchObject({ environment: "dev", configSha256: sha, verdict: "changes", target: "offline" });
    });

    test("leaves no offline settings in the stack directory", () => {
      expect(fs.readdirSync(stackDir).filter((f) => f.startsWith("offline"))).toEqual([]);
    });

    test("apply refuses once the config changed after the plan", () => {
      writeConfig({ ...config, tags: { Team: "platform" } });
      try {
        expect(run(applyMain)).toBe(1);
        expect(stderr.join("")).toMatch(/the synthesized config of metaflow-dev changed since the plan was made/);
        expect(fs.existsSync(saved.planFile)).toBe(true);
      } finally {
        writeConfig(config);
      }
    });

    test("apply refuses a plan made offline when asked to apply it online", () => {
      stderr = [];
      const err = jest.spyOn(process.stderr, "write").mockImplementation((t) => (stderr.push(String(t)), true));
      try {
        expect(applyMain(["--env", "dev", "--config-dir", configDir], root)).toBe(1);
      } finally {
        err.mockRestore();
      }
      expect(stderr.join("")).toMatch(/the saved plan was made with --offline/);
    });
  });

  describe("against an existing state", () => {
    let tf: TerraformDir;

    beforeAll(() => {
      // The state as if the create plan had been applied, but without outputs: what is left to apply is
      // output values only, which Terraform applies without calling AWS.
      const stackJson = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
      tf = new TerraformDir(stackJson, "flow-schemas");
      tf.init();
      const state: any = stateFromPlan(JSON.parse(fs.readFileSync(saved.jsonFile, "utf8")), stackJson, tf.providerSchemas());
      fs.mkdirSync(path.dirname(saved.offlineStateFile), { recursive: true });
      fs.writeFileSync(saved.offlineStateFile, JSON.stringify({ ...state, outputs: {} }));
    });
    afterAll(() => tf?.remove());

    test("a destructive change to a protected type is blocked (exit 3) and apply refuses it", () => {
      writeConfig({ ...config, network: { mode: "create", vpcCidr: "10.1.0.0/16" } });
      try {
        expect(run(planMain, "--protect", "aws_vpc")).toBe(3);
        expect(stdout.join("")).toMatch(/aws_vpc\.network_vpc_[0-9A-F]+.*replace/);
        expect(saved.readMeta()!.verdict).toBe("blocked");
        expect(run(applyMain)).toBe(1);
        expect(stderr.join("")).toMatch(/was blocked by the review/);
      } finally {
        writeConfig(config);
      }
    });

    test("a type listed in the config's protectedResources is blocked without --protect", () => {
      writeConfig({ ...config, protectedResources: ["aws_vpc"], network: { mode: "create", vpcCidr: "10.1.0.0/16" } });
      try {
        expect(run(planMain)).toBe(3);
        expect(saved.readMeta()!.verdict).toBe("blocked");
      } finally {
        writeConfig(config);
      }
    });

    test("the same change approved by name is planned as changes (exit 2)", () => {
      writeConfig({ ...config, network: { mode: "create", vpcCidr: "10.1.0.0/16" } });
      try {
        const vpc = Object.keys(JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")).resource.aws_vpc)[0];
        expect(run(planMain, "--protect", "aws_vpc", "--allow", `aws_vpc.${vpc}`)).toBe(2);
        expect(saved.readMeta()!.approved).toEqual([`aws_vpc.${vpc}`]);
      } finally {
        writeConfig(config);
      }
    });

    test("apply applies exactly the reviewed plan, then the plan is gone", () => {
      expect(run(planMain)).toBe(2);
      // Nothing but output values: the summary names no resource action.
      expect(stdout.join("")).toMatch(/^Plan: \d+ outputs? to change; \d+ unchanged\.$/m);
      expect(run(applyMain)).toBe(0);
      expect(stderr.join("")).toContain("Applied the reviewed plan of metaflow-dev.");
      expect(fs.existsSync(saved.planFile)).toBe(false);
      const state = JSON.parse(fs.readFileSync(saved.offlineStateFile, "utf8"));
      expect(Object.keys(state.outputs)).toEqual(expect.arrayContaining(["vpc_id", "METAFLOW_DATASTORE_SYSROOT_S3"]));
      // Planning again finds nothing left to do.
      expect(run(planMain)).toBe(0);
    });

    describe("npm run profile, from the applied state", () => {
      const home = path.join(root, "metaflow-home");
      const file = path.join(home, "config_dev.json");
      const previousHome = process.env.METAFLOW_HOME;
      const profile = (...args: string[]) => {
        stderr = [];
        const err = jest.spyOn(process.stderr, "write").mockImplementation((t) => (stderr.push(String(t)), true));
        try {
          return profileMain(["--env", "dev", "--offline", "--config-dir", configDir, ...args], root);
        } finally {
          err.mockRestore();
        }
      };
      beforeAll(() => {
        process.env.METAFLOW_HOME = home;
      });
      afterAll(() => {
        if (previousHome === undefined) delete process.env.METAFLOW_HOME;
        else process.env.METAFLOW_HOME = previousHome;
      });

      test("writes config_<env>.json with mode 0600 holding the deployed profile", () => {
        expect(profile()).toBe(0);
        expect((fs.statSync(file).mode & 0o777).toString(8)).toBe("600");
        const written = JSON.parse(fs.readFileSync(file, "utf8"));
        const state = JSON.parse(fs.readFileSync(saved.offlineStateFile, "utf8"));
        expect(written).toEqual(JSON.parse(state.outputs.metaflow_profile_json.value));
        expect(written.METAFLOW_DEFAULT_METADATA).toBe("service");
        expect(written.METAFLOW_SFN_STATE_MACHINE_PREFIX).toBe("metaflow-dev");
      });

      test("running it again changes nothing", () => {
        expect(profile()).toBe(0);
        expect(stderr.join("")).toContain("is already up to date");
      });

      test("refuses to overwrite a different file without --force, and replaces it with --force", () => {
        fs.writeFileSync(file, '{"METAFLOW_SERVICE_URL": "https://mine.example/"}\n');
        expect(profile()).toBe(1);
        expect(stderr.join("")).toMatch(/exists with different content; compare it, then run again with --force/);
        expect(fs.readFileSync(file, "utf8")).toContain("mine.example");
        expect(profile("--force")).toBe(0);
        expect(fs.readFileSync(file, "utf8")).not.toContain("mine.example");
      });

      test("--profile names the file", () => {
        expect(profile("--profile", "team")).toBe(0);
        expect(fs.existsSync(path.join(home, "config_team.json"))).toBe(true);
      });
    });
  });
});
