import * as path from "path";
import { AWS_PROVIDER_VERSION, stackName } from "../modules/metaflow-stack";
import { UNSCOPABLE_ACTIONS } from "../modules/perms";
import { MAX_USER_TAGS, RESERVED_TAG_KEYS, RESOURCE_TAG_KEYS } from "../modules/config/schema";
import { TAG_LIMITS } from "../modules/naming";
import { ALL_KINDS } from "./support/configs";
import { Synthesized, synth } from "./support/synth";
import { entriesIn, entryIn, list, policyDoc, policyDocuments } from "./support/json";

describe("MetaflowStack", () => {
  const out = synth();
  const provider = () => out.json.provider.aws[0];

  describe("AWS provider", () => {
    test("there is exactly one AWS provider block", () => {
      expect(out.json.provider.aws).toHaveLength(1);
    });

    test("default tags carry Project, Environment and ManagedBy", () => {
      expect(provider().default_tags[0].tags).toEqual({ Project: "metaflow", Environment: "dev", ManagedBy: "cdktf" });
    });

    test("Project follows namePrefix and Environment follows the environment name", () => {
      const custom = synth({ namePrefix: "acme-ml" }, "prod");
      expect(custom.json.provider.aws[0].default_tags[0].tags).toMatchObject({ Project: "acme-ml", Environment: "prod" });
    });

    test("user tags are added to the default tags beside the project's own", () => {
      const tagged = synth({ tags: { Team: "ml-platform", CostCenter: "4711" } });
      expect(tagged.json.provider.aws[0].default_tags[0].tags).toEqual({
        Team: "ml-platform",
        CostCenter: "4711",
        Project: "metaflow",
        Environment: "dev",
        ManagedBy: "cdktf",
      });
    });

    test("the most tags a config may list still leave every resource within AWS's 50, with the project's own", () => {
      const tags = Object.fromEntries(Array.from({ length: MAX_USER_TAGS }, (_, i) => [`team-tag-${i}`, "v"]));
      const out = synth({ tags, ...ALL_KINDS, network: { mode: "create", interfaceEndpoints: ["sts"] } });
      const defaults = Object.keys(out.json.provider.aws[0].default_tags[0].tags);
      expect(defaults).toHaveLength(MAX_USER_TAGS + RESERVED_TAG_KEYS.length);
      let most = 0;
      for (const instances of Object.values<Record<string, any>>(out.json.resource)) {
        for (const body of Object.values<any>(instances)) {
          const own = Object.keys(body.tags ?? {});
          // The limit holds only while resources set no keys besides RESOURCE_TAG_KEYS.
          for (const key of own) expect(RESOURCE_TAG_KEYS).toContain(key);
          most = Math.max(most, new Set([...defaults, ...own]).size);
        }
      }
      expect(most).toBe(TAG_LIMITS.perResource);
    });

    test("the region is us-east-1 by default", () => {
      expect(provider().region).toBe("us-east-1");
    });

    test("the region comes from config", () => {
      expect(synth({ region: "eu-west-1" }).json.provider.aws[0].region).toBe("eu-west-1");
    });
  });

  describe("terraform block", () => {
    test("required_providers pins hashicorp aws to exactly 5.100.0", () => {
      expect(AWS_PROVIDER_VERSION).toBe("5.100.0");
      expect(out.json.terraform.required_providers.aws.version).toBe("5.100.0");
    });

    test("by default the state lives in the S3 backend, encrypted, with S3's native lock file", () => {
      expect(Object.keys(out.json.terraform.backend)).toEqual(["s3"]);
      expect(out.json.terraform.backend.s3).toMatchObject({ encrypt: true, use_lockfile: true, region: "us-east-1" });
      expect(out.json.terraform.backend.s3).not.toHaveProperty("dynamodb_table");
    });

    test("the state key is one per environment and stack", () => {
      expect(out.json.terraform.backend.s3.key).toBe(`metaflow/dev/${stackName("dev")}.tfstate`);
      expect(synth({}, "prod").json.terraform.backend.s3.key).toBe(`metaflow/prod/${stackName("prod")}.tfstate`);
    });

    test("the default state bucket is named after the prefix and region, and the account when configured", () => {
      expect(out.json.terraform.backend.s3.bucket).toBe("metaflow-tfstate-us-east-1");
      const withAccount = synth({ accountId: "123456789012", region: "eu-west-1" }).json.terraform.backend.s3;
      expect(withAccount.bucket).toBe("metaflow-tfstate-123456789012-eu-west-1");
      expect(withAccount.region).toBe("eu-west-1");
    });

    test("state.bucket, state.region and state.keyPrefix are used as given", () => {
      const s3 = synth({ state: { backend: "s3", bucket: "acme-tf-state", region: "us-west-2", keyPrefix: "teams/ml" } }).json.terraform.backend.s3;
      expect(s3).toMatchObject({ bucket: "acme-tf-state", region: "us-west-2", key: `teams/ml/dev/${stackName("dev")}.tfstate` });
    });

    test("accountId pins the provider to that account", () => {
      expect(provider().allowed_account_ids).toBeUndefined();
      expect(synth({ accountId: "123456789012" }).json.provider.aws[0].allowed_account_ids).toEqual(["123456789012"]);
    });

    describe("with state.backend local", () => {
      const local = synth({ state: { backend: "local" } });

      test("the state lives in a local backend", () => {
        expect(Object.keys(local.json.terraform.backend)).toEqual(["local"]);
      });

      test("the local backend path is relative", () => {
        const statePath: string = local.json.terraform.backend.local.path;
        expect(path.posix.isAbsolute(statePath)).toBe(false);
        expect(path.win32.isAbsolute(statePath)).toBe(false);
      });

      test("the state path, from the stack's working directory, lands in the project root outside cdktf.out", () => {
        const project = "/project";
        const workdir = path.posix.join(project, "cdktf.out", "stacks", stackName("dev"));
        const resolved = path.posix.resolve(workdir, local.json.terraform.backend.local.path);
        expect(path.posix.dirname(resolved)).toBe(project);
      });

      test("each environment gets a state file of its own", () => {
        const other = synth({ state: { backend: "local" } }, "prod");
        expect(other.json.terraform.backend.local.path).not.toBe(local.json.terraform.backend.local.path);
      });
    });
  });

  describe("outputs", () => {
    test.each([
      "vpc_id",
      "private_subnet_ids",
      "public_subnet_ids",
      "datastore_bucket_name",
      "METAFLOW_DEFAULT_DATASTORE",
      "METAFLOW_DATASTORE_SYSROOT_S3",
      "METAFLOW_DATATOOLS_S3ROOT",
    ])("output %s exists with a description", (name) => {
      expect(out.outputs[name]).toBeDefined();
      expect(out.outputs[name].value).toBeDefined();
      expect(out.outputs[name].description).toEqual(expect.any(String));
    });

    test("vpc_id is the created VPC's id", () => {
      const [vpcId] = entryIn(out, "aws_vpc", "network");
      expect(out.outputs.vpc_id.value).toBe(`\${aws_vpc.${vpcId}.id}`);
    });

    test("subnet outputs list the created subnets of each tier", () => {
      const subnets = entriesIn(out, "aws_subnet", "network");
      const idsOf = (tier: string) => subnets.filter(([, s]) => s.tags.Tier === tier).map(([id]) => `\${aws_subnet.${id}.id}`).sort();
      expect([...(out.outputs.private_subnet_ids.value as string[])].sort()).toEqual(idsOf("private"));
      expect([...(out.outputs.public_subnet_ids.value as string[])].sort()).toEqual(idsOf("public"));
    });

    test("datastore_bucket_name is the created bucket's name", () => {
      const [bucketId] = entryIn(out, "aws_s3_bucket", "storage");
      expect(out.outputs.datastore_bucket_name.value).toBe(`\${aws_s3_bucket.${bucketId}.bucket}`);
    });
  });

  describe("IAM", () => {
    const stacks: [string, Synthesized][] = [
      ["default", out],
      ["with interface endpoints and a boundary", synth({
        permissionsBoundaryArn: "arn:aws:iam::123456789012:policy/boundary",
        network: { mode: "create", natGateways: "perAz", interfaceEndpoints: ["sts", "logs", "kms"] },
      })],
    ];

    test("the default stack has policy documents to scan (the scan is not vacuous)", () => {
      const where = policyDocuments(out).map(([w]) => w);
      expect(where.some((w) => w.startsWith("aws_iam_role_policy."))).toBe(true);
      expect(where.some((w) => w.endsWith(".assume_role_policy"))).toBe(true);
      expect(where.some((w) => w.startsWith("aws_s3_bucket_policy."))).toBe(true);
    });

    test.each(stacks)("no policy in the %s stack has Action \"*\"", (_name, stack) => {
      for (const [where, doc] of policyDocuments(stack)) {
        for (const s of list(doc.Statement) as any[]) {
          for (const a of list(s.Action)) expect([where, a]).not.toEqual([where, "*"]);
          for (const a of list(s.NotAction)) expect([where, a]).not.toEqual([where, "*"]);
        }
      }
    });

    test.each(stacks)("no Allow statement in the %s stack uses a wildcard action", (_name, stack) => {
      for (const [where, doc] of policyDocuments(stack)) {
        for (const s of (list(doc.Statement) as any[]).filter((x) => x.Effect === "Allow")) {
          for (const a of list(s.Action)) expect([where, String(a).includes("*")]).toEqual([where, false]);
          expect([where, s.NotAction]).toEqual([where, undefined]);
        }
      }
    });

    test.each(stacks)("Allow statements in the %s stack use Resource \"*\" only for the calls AWS cannot scope", (_name, stack) => {
      const unscopable: readonly string[] = Object.keys(UNSCOPABLE_ACTIONS);
      for (const [where, doc] of policyDocuments(stack)) {
        for (const s of (list(doc.Statement) as any[]).filter((x) => x.Effect === "Allow" && list(x.Resource).includes("*"))) {
          expect([where, list(s.Action).filter((a) => !unscopable.includes(String(a)))]).toEqual([where, []]);
        }
      }
    });

    test("every role's trust policy allows only sts:AssumeRole for one service principal", () => {
      for (const role of out.resources("aws_iam_role")) {
        const doc = policyDoc(role.assume_role_policy);
        for (const s of doc.Statement) {
          expect(list(s.Action)).toEqual(["sts:AssumeRole"]);
          expect(Object.keys(s.Principal)).toEqual(["Service"]);
          expect(String(s.Principal.Service)).toMatch(/^[a-z0-9-]+\.amazonaws\.com$/);
        }
      }
    });

    test("a configured permissions boundary is on every IAM role", () => {
      const [, bounded] = stacks[1];
      const roles = bounded.resources("aws_iam_role");
      expect(roles.length).toBeGreaterThan(0);
      for (const role of roles) expect(role.permissions_boundary).toBe("arn:aws:iam::123456789012:policy/boundary");
    });
  });
});
