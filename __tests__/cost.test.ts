import * as fs from "fs";
import * as path from "path";
import { compareEstimates, estimateStack, Estimate } from "../modules/cost/estimate";
import { formatEstimate, summaryWords } from "../modules/cost/format";
import { NOT_INCLUDED, PRICE_TABLE } from "../modules/cost/prices";
import { COST_RULES } from "../modules/cost/rules";
import { costMain } from "../modules/cost/cli";
import { synthWithMetadata } from "./support/synth";

/**
 * The idle-cost estimate against totals worked out by hand from the list prices, restated here (not read
 * from the table), with the arithmetic in comments. A month is 730 hours.
 */

const H = 730;
const example = (name: string) => JSON.parse(fs.readFileSync(path.join(__dirname, "..", "examples", "environments", `${name}.json`), "utf8"));
/** Total of the lines whose path starts with `prefix`. */
const at = (e: Estimate, prefix: string) => e.lines.filter((l) => (l.path ?? "").startsWith(prefix)).reduce((n, l) => n + l.monthlyUsd, 0);

describe("the shipped shapes", () => {
  test("the default (dev, us-east-1) idles at $142.69", () => {
    const e = estimateStack(synthWithMetadata({}));
    const database = 2 * 0.032 * H + 2 * 20 * 0.115 + 0.4; // Multi-AZ db.t4g.small 46.72 + 20 GB gp3 twice 4.60 + the RDS-managed secret 0.40
    const service = 2 * (0.5 * 0.04048 + 1 * 0.004445) * H; // two tasks of 0.5 vCPU and 1 GB: 36.04
    const nat = 0.045 * H + 0.005 * H; // one NAT gateway 32.85 and its Elastic IP 3.65
    const nlb = 0.0225 * H; // 16.43
    const keys = 2 * 1; // datastore and database keys
    expect(at(e, "database/instance")).toBeCloseTo(database, 4);
    expect(at(e, "metadata/service")).toBeCloseTo(service, 4);
    expect(at(e, "network/")).toBeCloseTo(nat, 4);
    expect(at(e, "metadata/load-balancer")).toBeCloseTo(nlb, 4);
    expect(e.totalUsd).toBeCloseTo(database + service + nat + nlb + keys, 4); // 142.6851
    expect(e.totalUsd).toBeCloseTo(142.69, 2);
    expect(e.unpriced).toEqual([]);
    expect(e.lines[0]).toMatchObject({ path: "database/instance", item: "database db.t4g.small Multi-AZ", area: "database" });
  });

  test("no-nat (us-west-2) idles at $196.33: eight interface endpoints in two zones cost more than a NAT gateway", () => {
    const e = estimateStack(synthWithMetadata(example("no-nat"), "no-nat"));
    const endpoints = 8 * 2 * 0.01 * H; // 116.80
    const database = 0.032 * H + 20 * 0.115 + 0.4; // Single-AZ: 23.36 + 2.30 + 0.40
    const service = 2 * (0.5 * 0.04048 + 1 * 0.004445) * H;
    const nlb = 0.0225 * H;
    const keys = 1; // SSE-S3 datastore: only the database key
    expect(at(e, "network/")).toBeCloseTo(endpoints, 4);
    expect(endpoints).toBeGreaterThan(0.045 * H + 0.005 * H);
    expect(e.totalUsd).toBeCloseTo(endpoints + database + service + nlb + keys, 4); // 196.3251
  });

  test("production (eu-west-1) idles at $323.99", () => {
    const e = estimateStack(synthWithMetadata(example("production"), "production"));
    const nats = 3 * (0.048 + 0.005) * H; // three NAT gateways and their addresses: 105.12 + 10.95
    const endpoints = 4 * 3 * 0.011 * H; // ecr.api, ecr.dkr, logs, sts in three zones: 96.36
    const database = 2 * 0.034 * H + 2 * 20 * 0.127 + 0.4; // 49.64 + 5.08 + 0.40
    const service = 2 * (0.5 * 0.04048 + 1 * 0.004445) * H; // Fargate costs the same in Ireland
    const nlb = 0.0252 * H; // 18.40
    const keys = 2;
    // Batch environments all scale from 0: nothing runs, nothing bills.
    expect(at(e, "compute/")).toBe(0);
    expect(e.totalUsd).toBeCloseTo(nats + endpoints + database + service + nlb + keys, 4); // 323.9861
  });

  test("dev-small (us-east-1) idles at $50.79, within $60: a NAT instance, a single-zone micro database, one small task", () => {
    const e = estimateStack(synthWithMetadata(example("dev-small"), "dev-small"));
    const natInstance = 0.0042 * H + 8 * 0.08 + 0.005 * H; // t4g.nano 3.07, its 8 GB gp3 root volume 0.64, its public IPv4 address 3.65
    const database = 0.016 * H + 20 * 0.115 + 0.4; // Single-AZ db.t4g.micro 11.68, 20 GB gp3 2.30, the secret 0.40
    const service = 1 * (0.25 * 0.04048 + 1 * 0.004445) * H; // one task of 0.25 vCPU and 1 GB: 10.63
    const nlb = 0.0225 * H; // 16.43: the API gateway's VPC link needs it
    const keys = 2;
    expect(at(e, "network/")).toBeCloseTo(natInstance, 4);
    expect(e.totalUsd).toBeCloseTo(natInstance + database + service + nlb + keys, 4); // 50.79345
    expect(e.totalUsd).toBeLessThanOrEqual(60);
    expect(e.unpriced).toEqual([]);
  });

  test("shared-vpc (us-east-1) idles at $105.19: the reused network and bucket bill elsewhere", () => {
    const e = estimateStack(synthWithMetadata(example("shared-vpc"), "shared-vpc"));
    const database = 2 * 0.032 * H + 2 * 20 * 0.115 + 0.4;
    const service = 2 * (0.5 * 0.04048 + 1 * 0.004445) * H;
    const nlb = 0.0225 * H;
    expect(at(e, "network/")).toBe(0);
    expect(e.totalUsd).toBeCloseTo(database + service + nlb + 1, 4); // 105.1851
  });
});

describe("the UI (examples/environments/ui.json)", () => {
  const e = estimateStack(synthWithMetadata(example("ui"), "ui"));
  const alb = 0.0225 * H; // internal application load balancer: 16.425 (no public addresses)
  const backend = 1 * (1 * 0.04048 + 4 * 0.004445) * H; // one task of 1 vCPU and 4 GB: 42.5298
  const staticUi = 1 * (0.25 * 0.04048 + 0.5 * 0.004445) * H; // one task of 0.25 vCPU and 0.5 GB: 9.010025

  test("the UI's load balancer is priced as an application load balancer", () => {
    expect(at(e, "ui/load-balancer")).toBeCloseTo(alb, 4);
    expect(e.lines.find((l) => l.path === "ui/load-balancer/load-balancer")?.item).toBe("application load balancer");
  });

  test("each UI task is priced by its size and count", () => {
    expect(at(e, "ui/backend/")).toBeCloseTo(backend, 4);
    expect(at(e, "ui/static/")).toBeCloseTo(staticUi, 4);
  });

  test("the UI adds no database: the backend reads the primary, priced once under database/", () => {
    expect(e.lines.filter((l) => l.type === "aws_db_instance").map((l) => l.path)).toEqual(["database/instance", "database/instance", "database/instance"]);
  });

  test("the Cognito user pool is a line of $0: free up to 10,000 monthly active users", () => {
    const pool = e.lines.find((l) => l.type === "aws_cognito_user_pool");
    expect(pool).toMatchObject({ monthlyUsd: 0, item: "Cognito user pool (lite tier)" });
    expect(pool?.formula).toContain("the first 10,000 monthly active users are free");
  });

  test("the UI adds $67.96 to the default deployment's $142.69: $210.65 in all", () => {
    const ui = alb + backend + staticUi; // 16.425 + 42.5298 + 9.010025 = 67.964825
    expect(at(e, "ui")).toBeCloseTo(ui, 4);
    expect(ui).toBeCloseTo(67.96, 2);
    expect(e.totalUsd).toBeCloseTo(estimateStack(synthWithMetadata({})).totalUsd + ui, 4); // 142.6851 + 67.964825 = 210.649925
    expect(e.totalUsd).toBeCloseTo(210.65, 2);
    expect(e.unpriced).toEqual([]);
  });

  test("internet-facing, the load balancer also bills a public IPv4 address in each of its two zones", () => {
    const open = estimateStack(synthWithMetadata({ ...example("ui"), ui: { ...example("ui").ui, scheme: "internet-facing", clientCidrs: [], allowedCidrs: ["203.0.113.0/24"] } }, "ui"));
    expect(at(open, "ui/load-balancer")).toBeCloseTo(alb + 2 * 0.005 * H, 4); // 16.425 + 7.30
  });
});

describe("rules", () => {
  test("Batch min vCPUs bill at the cheapest listed type's price per vCPU; Spot at the on-demand price", () => {
    const config = {
      compute: {
        computeEnvironments: [
          { name: "warm", kind: "ec2", instanceTypes: ["m6i", "c6i.large"], minVcpus: 8 },
          { name: "spot", kind: "spot", instanceTypes: ["r6i"], minVcpus: 4 },
        ],
        jobQueues: [{ name: "default", computeEnvironments: ["warm", "spot"] }],
      },
    };
    const e = estimateStack(synthWithMetadata(config));
    expect(at(e, "compute/environment-warm")).toBeCloseTo((8 * 0.085 / 2) * H, 4); // c6i.large: 0.085 $/h for 2 vCPUs; 248.20
    expect(at(e, "compute/environment-spot")).toBeCloseTo((4 * 0.126 / 2) * H, 4); // r6i.large: 0.126 $/h for 2 vCPUs; 183.96
  });

  test("Fargate tasks follow the service's size and count", () => {
    const e = estimateStack(synthWithMetadata({ service: { cpu: 1024, memoryMiB: 4096, desiredCount: 3 } }));
    expect(at(e, "metadata/service")).toBeCloseTo(3 * (1 * 0.04048 + 4 * 0.004445) * H, 4); // 127.58
  });

  test("an instance class missing from the table is reported as not priced, never as free", () => {
    const e = estimateStack(synthWithMetadata({ database: { instanceClass: "db.x2g.large" } }));
    expect(e.unpriced).toEqual([expect.objectContaining({ path: "database/instance", reason: expect.stringContaining("no price for db.x2g.large") })]);
    expect(at(e, "database/instance")).toBeCloseTo(2 * 20 * 0.115 + 0.4, 4); // storage and secret still priced
    expect(summaryWords(e)).toContain("1 item(s) not priced");
  });

  test("a region without prices is not estimated", () => {
    const e = estimateStack(synthWithMetadata({ region: "ap-south-1" }));
    expect(e.regionPriced).toBe(false);
    expect(e.totalUsd).toBe(0);
    expect(e.unpriced.length).toBeGreaterThan(0);
    expect(summaryWords(e)).toBe("not estimated: the price table has no prices for ap-south-1");
  });

  test("an internet-facing load balancer also bills one public IPv4 address per subnet; an interface endpoint per subnet", () => {
    const stack = {
      provider: { aws: [{ region: "us-east-1" }] },
      resource: {
        aws_lb: { ui: { load_balancer_type: "application", internal: false, subnets: ["${aws_subnet.a.id}", "${aws_subnet.b.id}", "${aws_subnet.c.id}"] } },
        aws_vpc_endpoint: {
          ssm: { vpc_endpoint_type: "Interface", service_name: "com.amazonaws.us-east-1.ssm", subnet_ids: ["${aws_subnet.a.id}"] },
          unknown: { vpc_endpoint_type: "Interface", service_name: "com.amazonaws.us-east-1.kms", subnet_ids: "${var.subnets}" },
          s3: { vpc_endpoint_type: "Gateway", service_name: "com.amazonaws.us-east-1.s3" },
        },
        aws_instance: { nat: { instance_type: "t4g.nano", associate_public_ip_address: true, root_block_device: { volume_size: 8 } } },
        aws_secretsmanager_secret: { s: {} },
        aws_cloudwatch_metric_alarm: { a: {}, b: {} },
      },
    };
    const e = estimateStack(stack);
    const byAddress = (a: string) => e.lines.filter((l) => l.address === a).reduce((n, l) => n + l.monthlyUsd, 0);
    expect(byAddress("aws_lb.ui")).toBeCloseTo(0.0225 * H + 3 * 0.005 * H, 4); // 16.43 + 10.95
    expect(byAddress("aws_vpc_endpoint.ssm")).toBeCloseTo(0.01 * H, 4); // one zone: 7.30
    expect(byAddress("aws_vpc_endpoint.s3")).toBe(0);
    expect(e.unpriced.map((u) => u.address)).toEqual(["aws_vpc_endpoint.unknown"]);
    expect(byAddress("aws_instance.nat")).toBeCloseTo(0.0042 * H + 8 * 0.08 + 0.005 * H, 4); // 3.07 + 0.64 + 3.65
    expect(e.totalUsd).toBeCloseTo(0.0225 * H + 3 * 0.005 * H + 0.01 * H + 0.0042 * H + 0.64 + 0.005 * H + 0.4 + 2 * 0.1, 4);
  });

  test("a count multiplies; a count known only at plan time is not priced", () => {
    const e = estimateStack({
      provider: { aws: [{ region: "eu-west-1" }] },
      resource: { aws_nat_gateway: { n: { count: 2 }, m: { count: "${length(var.zones)}" } } },
    });
    expect(e.totalUsd).toBeCloseTo(2 * 0.048 * H, 4); // 70.08
    expect(e.unpriced.map((u) => u.address)).toEqual(["aws_nat_gateway.m"]);
  });

  test("comparing two estimates lists each resource's change, largest first", () => {
    const before = estimateStack(synthWithMetadata({}));
    const after = estimateStack(synthWithMetadata({ service: { desiredCount: 1 }, database: { multiAz: false } }));
    const cost = compareEstimates(before, after);
    const task = (0.5 * 0.04048 + 1 * 0.004445) * H; // 18.02
    const database = 0.032 * H + 20 * 0.115; // the standby and its storage: 25.66
    expect(cost.deltaUsd).toBeCloseTo(-(task + database), 4);
    expect(cost.changes.map((c) => [c.path, Math.round(c.deltaUsd * 100) / 100])).toEqual([
      ["database/instance", -25.66],
      ["metadata/service", -18.02],
    ]);
  });
});

describe("the price table", () => {
  test("has every region the examples use, each price with its AWS page", () => {
    const regions = ["us-east-1", ...["production", "no-nat", "shared-vpc"].map((n) => example(n).region ?? "us-east-1")];
    for (const region of new Set(regions)) {
      const prices = PRICE_TABLE.regions[region];
      expect(prices).toBeDefined();
      for (const [name, entry] of Object.entries(prices)) {
        expect([name, (entry as { source: string }).source]).toEqual([name, expect.stringMatching(/^https:\/\/aws\.amazon\.com\//)]);
      }
    }
    expect(PRICE_TABLE.compiled).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(PRICE_TABLE.regions["us-east-1"].publicIpv4Hour.usd).toBe(0.005);
  });

  test("says what it leaves out: S3, requests, data transfer and jobs", () => {
    const text = NOT_INCLUDED.join("\n");
    for (const word of ["S3", "requests", "data transfer", "Batch jobs"]) expect(text).toContain(word);
  });

  test("has one rule per resource type", () => {
    const types = COST_RULES.map((r) => r.type);
    expect(new Set(types).size).toBe(types.length);
  });
});

describe("npm run cost", () => {
  test("prints every line with its arithmetic, the total and what is not included", () => {
    let out = "";
    const file = path.join(fs.mkdtempSync(path.join(require("os").tmpdir(), "mf-cost-")), "cdk.tf.json");
    fs.writeFileSync(file, JSON.stringify(synthWithMetadata({})));
    expect(costMain(["--stack", file], { stdout: (t) => (out += t), stderr: () => undefined })).toBe(0);
    expect(out).toContain("network/nat-0: NAT gateway");
    expect(out).toContain("0.045 $/h × 730 h");
    expect(out).toMatch(/ {2}total +\$142\.69/);
    expect(out).toContain("Not included (billed by use):");
    expect(out).toBe(formatEstimate(estimateStack(JSON.parse(fs.readFileSync(file, "utf8"))), file));
  });

  test.each([[[]], [["--env", "dev", "--stack", "x"]], [["--bogus"]]])("refuses %j with one line", (argv) => {
    let err = "";
    expect(costMain(argv as string[], { stdout: () => undefined, stderr: (t) => (err += t) })).toBe(1);
    expect(err.trimEnd().split("\n")).toHaveLength(1);
  });
});
