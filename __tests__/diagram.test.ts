import * as fs from "fs";
import * as path from "path";
import { deploymentDiagram, Diagram, readmeWithDiagram, renderMermaid } from "../modules/diagram";
import { renderMarkdown, reviewDiagram, reviewJson } from "../review";
import { parseMermaid } from "./support/mermaid";
import { ECR_SERVICE_IMAGE, OIDC_PROVIDER, withUi } from "./support/configs";
import { synthWithMetadata } from "./support/synth";

/** The deployment's picture: drawn from the synthesized stack, kept current in the README, parsed by Mermaid itself. */

const ROOT = path.join(__dirname, "..");
const example = (name: string) => JSON.parse(fs.readFileSync(path.join(ROOT, "examples", "environments", `${name}.json`), "utf8"));
const edges = (d: Diagram) => d.edges.map((e) => `${e.from}->${e.to}`);
const nodeIds = (d: Diagram) => d.areas.flatMap((a) => a.nodes.map((n) => n.id));

const defaultStack = synthWithMetadata({});
const byDefault = deploymentDiagram(defaultStack);

describe("the default deployment", () => {
  test("draws every area that holds resources, in the order of the deployment", () => {
    expect(byDefault.areas.map((a) => a.title)).toEqual(["network", "storage", "compute", "database", "metadata service", "API", "scheduling", "users"]);
  });

  test("has the paths: laptop to API to load balancer to service to database, jobs to S3, Step Functions to Batch, EventBridge to Step Functions", () => {
    expect(edges(byDefault)).toEqual(expect.arrayContaining([
      "laptop->api", "api->nlb", "nlb->service", "service->database",
      "ce_cpu->s3", "sfn->queue_default", "events->sfn", "queue_default->ce_cpu",
    ]));
  });

  test("names what it draws from the stack's values", () => {
    const labels = byDefault.areas.flatMap((a) => a.nodes.map((n) => n.label));
    expect(labels).toEqual(expect.arrayContaining(["NAT gateway ×1", "PostgreSQL db.t4g.small, Multi-AZ", "metadata service: Fargate ×2", "compute environment cpu: EC2, 0 to 256 vCPUs"]));
  });

  test("README.md shows it as it is now", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    expect(readmeWithDiagram(readme, renderMermaid(byDefault))).toBe(readme);
  });
});

describe("other shapes", () => {
  test("internal only: the laptop reaches the load balancer from the VPC or a VPN, with no API", () => {
    const d = deploymentDiagram(synthWithMetadata({ service: { publicAccess: "internal" } }));
    expect(nodeIds(d)).not.toContain("api");
    expect(edges(d)).toContain("laptop->nlb");
  });

  test("no-nat: interface endpoints and no NAT; dev-small: a NAT instance", () => {
    const noNat = deploymentDiagram(synthWithMetadata(example("no-nat"), "no-nat"));
    expect(noNat.areas[0].nodes.map((n) => n.label)).toEqual(["VPC: 2 zones, private and public subnets", "8 interface endpoints", "S3 and DynamoDB gateway endpoints"]);
    const small = deploymentDiagram(synthWithMetadata(example("dev-small"), "dev-small"));
    expect(small.areas[0].nodes.find((n) => n.id === "nat")?.label).toBe("NAT instance t4g.nano");
  });

  test("shared-vpc: no network area, and the reused bucket outside the deployment", () => {
    const d = deploymentDiagram(synthWithMetadata(example("shared-vpc"), "shared-vpc"));
    expect(d.areas.map((a) => a.id)).not.toContain("network");
    expect(d.areas.map((a) => a.id)).not.toContain("storage");
    expect(d.outside.map((n) => n.label)).toContain("S3 datastore (existing bucket)");
    expect(edges(d)).toContain("ce_cpu->s3");
  });

  test("scheduling off: no Step Functions or EventBridge", () => {
    const d = deploymentDiagram(synthWithMetadata({ scheduling: { enabled: false }, service: { image: ECR_SERVICE_IMAGE } }));
    expect(nodeIds(d)).not.toContain("sfn");
    expect(nodeIds(d)).not.toContain("events");
  });
});

describe("the UI (examples/environments/ui.json)", () => {
  const d = deploymentDiagram(synthWithMetadata(example("ui"), "ui"));
  const ui = d.areas.find((a) => a.id === "ui");

  test("draws a UI area after the API: its load balancer, user pool and both services", () => {
    expect(d.areas.map((a) => a.id).indexOf("ui")).toBe(d.areas.map((a) => a.id).indexOf("api") + 1);
    expect(ui?.nodes.map((n) => n.label)).toEqual([
      "internal load balancer: HTTPS, Cognito sign-in", "Cognito user pool: MFA, admin-created users", "UI backend: Fargate ×1", "static UI: Fargate ×1",
    ]);
  });

  test("has the UI's path: laptop to the load balancer, its sign-in, the services, the database and S3", () => {
    expect(edges(d)).toEqual(expect.arrayContaining([
      "laptop->ui_lb", "ui_lb->user_pool", "ui_lb->ui_static", "ui_lb->ui_backend", "ui_backend->database", "ui_backend->s3",
    ]));
  });

  test("with OIDC, the identity provider sits outside the deployment and there is no user pool", () => {
    const o = deploymentDiagram(synthWithMetadata(withUi({ auth: "oidc", oidc: OIDC_PROVIDER, scheme: "internet-facing", allowedCidrs: ["203.0.113.0/24"] })));
    expect(o.outside.map((n) => n.label)).toContain("your identity provider (OIDC)");
    expect(nodeIds(o)).not.toContain("user_pool");
    expect(o.areas.find((a) => a.id === "ui")?.nodes[0].label).toBe("internet-facing load balancer: HTTPS, OIDC sign-in");
    expect(edges(o)).toContain("ui_lb->idp");
  });

  test("without sign-in, no user pool; without the UI, there is no UI area", () => {
    const bare = deploymentDiagram(synthWithMetadata(withUi({ auth: "none" })));
    expect(nodeIds(bare)).not.toContain("user_pool");
    expect(bare.areas.find((a) => a.id === "ui")?.nodes[0].label).toBe("internal load balancer: HTTPS, no sign-in");
    expect(byDefault.areas.map((a) => a.id)).not.toContain("ui");
  });
});

describe("in the Markdown review", () => {
  const addressAt = (type: string, p: string) =>
    `${type}.${Object.entries<any>(defaultStack.resource[type]).find(([, b]) => b["//"].metadata.path === `metaflow-dev/${p}`)![0]}`;
  const rc = (address: string, actions: string[]) => {
    const [type, name] = address.split(".");
    return { address, mode: "managed", type, name, change: { actions, before: {}, after: actions.includes("delete") && actions.length === 1 ? null : {}, after_unknown: {} } };
  };
  const plan = {
    format_version: "1.2",
    planned_values: { root_module: {} },
    resource_changes: [
      rc(addressAt("aws_nat_gateway", "network/nat-0"), ["delete"]),
      rc(addressAt("aws_ecs_service", "metadata/service"), ["update"]),
      rc(addressAt("aws_db_instance", "database/instance"), ["delete", "create"]),
      // Not under any node: its area is marked.
      rc(addressAt("aws_iam_role", "network/flow-logs-role/role"), ["update"]),
    ],
  };
  const review = reviewJson(plan, { stack: defaultStack });
  const picture = reviewDiagram(review)!;

  test("marks the changed parts, the most severe change of each", () => {
    expect(picture.mermaid).toContain("class nat deleted");
    expect(picture.mermaid).toContain("class database replaced");
    // The flow-log role is under no node: its area is marked.
    expect(picture.mermaid).toContain("class area_network,service updated");
    expect(picture.marked).toBe(4);
  });

  test("sits whole in the Markdown inside a mermaid block", () => {
    const md = renderMarkdown(review);
    expect(md).toContain(`\`\`\`mermaid\n${picture.mermaid}\`\`\``);
    expect(md).toContain("Deployment (4 changed parts marked");
  });

  test("is left out without the stack", () => {
    expect(reviewDiagram(reviewJson(plan))).toBeUndefined();
    expect(renderMarkdown(reviewJson(plan))).not.toContain("```mermaid");
  });

  test("Mermaid's own parser reads every diagram: the default, each example, a marked review; and rejects a broken one", () => {
    const diagrams = [
      renderMermaid(byDefault),
      ...["production", "no-nat", "shared-vpc", "dev-small", "ui"].map((n) => renderMermaid(deploymentDiagram(synthWithMetadata(example(n), n)))),
      picture.mermaid,
      // The parser can fail: an unclosed label.
      renderMermaid(byDefault).replace('["Laptop: metaflow CLI"]', '["Laptop: metaflow CLI"'),
    ];
    const results = parseMermaid(diagrams);
    expect(results.slice(0, -1)).toEqual(diagrams.slice(0, -1).map(() => ({ ok: true, type: "flowchart-v2" })));
    expect(results[results.length - 1]).toMatchObject({ ok: false, error: expect.stringContaining("Parse error") });
  });
});
