import { AREAS, areaOfPath } from "./areas";

/**
 * A picture of one deployment, drawn from its synthesized stack (`cdk.tf.json`, with construct metadata):
 * the areas as Mermaid subgraphs, their main resources as nodes, and the paths requests and jobs take
 * (laptop to API to load balancer to service to database; jobs to S3; Step Functions to Batch; EventBridge
 * to Step Functions; the browser to the UI's load balancer, its sign-in, the UI services, the database and S3). `npm run synth` writes it beside each stack (`diagram.mmd`), the README shows the
 * default deployment's, and the Markdown plan review marks the parts a plan changes.
 *
 * Pure: reads JSON, writes text; no cdktf.
 */

/** The Mermaid diagram `npm run synth` writes beside each environment's `cdk.tf.json`. */
export const DIAGRAM_FILE = "diagram.mmd";

export type NodeShape = "box" | "database" | "stadium" | "queue";

export interface DiagramNode {
  readonly id: string;
  readonly label: string;
  readonly shape: NodeShape;
  /** Construct paths (below the stack) this node stands for: a change at or under one of them marks it. */
  readonly paths: readonly string[];
}

export interface DiagramArea {
  /** The area's construct id (modules/areas.ts). */
  readonly id: string;
  readonly title: string;
  readonly nodes: readonly DiagramNode[];
}

export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
}

export interface Diagram {
  /** Areas that hold resources, in the order of modules/areas.ts. */
  readonly areas: readonly DiagramArea[];
  /** Nodes outside the deployment: the laptop, a reused bucket. */
  readonly outside: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
}

/** What a change does to a part of the picture, most severe last. */
export type ChangeMark = "created" | "updated" | "replaced" | "deleted";
const SEVERITY: readonly ChangeMark[] = ["created", "updated", "replaced", "deleted"];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

interface StackResource {
  readonly type: string;
  /** The logical id (`compute_environment-cpu_environment_D72083AB`). */
  readonly name: string;
  readonly path: string;
  readonly body: Json;
}

/** Every resource of a synthesized stack with its construct path below the stack. */
function resourcesOf(stack: unknown): StackResource[] {
  const found: StackResource[] = [];
  const blocks = isObject(stack) && isObject(stack.resource) ? stack.resource : {};
  for (const [type, byName] of Object.entries(blocks)) {
    if (!isObject(byName)) continue;
    for (const [name, body] of Object.entries(byName)) {
      if (!isObject(body) || !isObject(body["//"]) || !isObject(body["//"].metadata)) continue;
      const path = body["//"].metadata.path;
      if (typeof path === "string") found.push({ type, name, path: path.split("/").slice(1).join("/"), body });
    }
  }
  return found;
}

const block = (v: unknown): Json | undefined => {
  const first = Array.isArray(v) ? v[0] : v;
  return isObject(first) ? first : undefined;
};

/** The construct directly above a resource: `compute/environment-cpu/environment` -> `compute/environment-cpu`. */
const parentOf = (path: string) => path.split("/").slice(0, -1).join("/");

/** Node ids Mermaid accepts: letters, digits and underscores. */
const nodeId = (...parts: string[]) => parts.join("_").replace(/[^A-Za-z0-9_]/g, "_");

/** Draws the deployment a synthesized stack holds. */
export function deploymentDiagram(stack: unknown): Diagram {
  const resources = resourcesOf(stack);
  const of = (type: string, area?: string) => resources.filter((r) => r.type === type && (!area || r.path.startsWith(`${area}/`)));
  const nodes = new Map<string, DiagramNode[]>();
  const add = (area: string, node: DiagramNode) => nodes.set(area, [...(nodes.get(area) ?? []), node]);
  const edges: DiagramEdge[] = [];
  const outside: DiagramNode[] = [{ id: "laptop", label: "Laptop: metaflow CLI", shape: "stadium", paths: [] }];

  // network
  const zones = of("aws_subnet", "network").filter((s) => isObject(s.body.tags) && s.body.tags.Tier === "private").length;
  if (of("aws_vpc", "network").length) {
    add("network", { id: "vpc", label: `VPC: ${zones} zones, private and public subnets`, shape: "box", paths: ["network/vpc", "network/private-", "network/public-", "network/igw", "network/flow-log"] });
  }
  const nats = of("aws_nat_gateway", "network");
  if (nats.length) add("network", { id: "nat", label: `NAT gateway ×${nats.length}`, shape: "box", paths: ["network/nat-"] });
  const natInstance = of("aws_instance", "network")[0];
  if (natInstance) add("network", { id: "nat", label: `NAT instance ${String(natInstance.body.instance_type ?? "")}`.trim(), shape: "box", paths: [parentOf(natInstance.path)] });
  const endpoints = of("aws_vpc_endpoint", "network");
  const interfaces = endpoints.filter((e) => e.body.vpc_endpoint_type === "Interface");
  if (interfaces.length) add("network", { id: "endpoints", label: `${interfaces.length} interface endpoints`, shape: "box", paths: interfaces.map((e) => e.path).concat(["network/endpoints-sg"]) });
  const gateways = endpoints.filter((e) => e.body.vpc_endpoint_type === "Gateway");
  if (gateways.length) add("network", { id: "gateway_endpoints", label: "S3 and DynamoDB gateway endpoints", shape: "box", paths: gateways.map((e) => e.path) });

  // storage
  const bucket = of("aws_s3_bucket", "storage")[0];
  const s3: DiagramNode = bucket
    ? { id: "s3", label: "S3 datastore", shape: "database", paths: ["storage"] }
    : { id: "s3", label: "S3 datastore (existing bucket)", shape: "database", paths: [] };
  if (bucket) add("storage", s3);
  else outside.push(s3);

  // compute
  const environments = of("aws_batch_compute_environment", "compute");
  for (const e of environments) {
    const resources = block(e.body.compute_resources);
    const name = parentOf(e.path).replace(/^compute\/environment-/, "");
    add("compute", {
      id: nodeId("ce", name),
      label: `compute environment ${name}: ${String(resources?.type ?? "?")}, ${String(resources?.min_vcpus ?? 0)} to ${String(resources?.max_vcpus ?? "?")} vCPUs`,
      shape: "box",
      paths: [parentOf(e.path)],
    });
  }
  const queues = of("aws_batch_job_queue", "compute");
  const ceIdByArn = new Map(environments.map((e) => [parentOf(e.path), nodeId("ce", parentOf(e.path).replace(/^compute\/environment-/, ""))]));
  for (const q of queues) {
    const name = q.path.replace(/^compute\/queue-/, "");
    const id = nodeId("queue", name);
    add("compute", { id, label: `job queue ${name}`, shape: "queue", paths: [q.path] });
    const order = Array.isArray(q.body.compute_environment_order) ? q.body.compute_environment_order : [q.body.compute_environment_order];
    for (const entry of order) {
      const ref = isObject(entry) ? String(entry.compute_environment ?? "") : "";
      const target = environments.find((e) => ref === `\${aws_batch_compute_environment.${e.name}.arn}`);
      if (target) edges.push({ from: id, to: ceIdByArn.get(parentOf(target.path))! });
    }
  }

  // database
  const db = of("aws_db_instance", "database")[0];
  if (db) add("database", { id: "database", label: `PostgreSQL ${String(db.body.instance_class ?? "")}, ${db.body.multi_az === true ? "Multi-AZ" : "Single-AZ"}`, shape: "database", paths: ["database"] });

  // metadata service
  const lb = of("aws_lb", "metadata")[0];
  if (lb) add("metadata", { id: "nlb", label: "internal load balancer", shape: "box", paths: ["metadata/load-balancer", "metadata/listener", "metadata/targets"] });
  const service = of("aws_ecs_service", "metadata")[0];
  if (service) {
    add("metadata", {
      id: "service",
      label: `metadata service: Fargate ×${String(service.body.desired_count ?? 1)}`,
      shape: "box",
      paths: ["metadata/service", "metadata/task", "metadata/cluster", "metadata/logs", "metadata/execution-role", "metadata/task-role"],
    });
  }

  // API
  if (of("aws_api_gateway_rest_api", "api").length) add("api", { id: "api", label: "REST API: API key, throttling", shape: "box", paths: ["api"] });

  // UI
  const uiLb = of("aws_lb", "ui")[0];
  const cognito = of("aws_cognito_user_pool", "ui").length > 0;
  const oidc = resources.some((r) => r.type === "aws_lb_listener_rule" && r.path.startsWith("ui/") && JSON.stringify(r.body.action).includes("authenticate-oidc"));
  if (uiLb) {
    const signIn = cognito ? "Cognito sign-in" : oidc ? "OIDC sign-in" : "no sign-in";
    add("ui", { id: "ui_lb", label: `${uiLb.body.internal === false ? "internet-facing" : "internal"} load balancer: HTTPS, ${signIn}`, shape: "box", paths: ["ui/load-balancer"] });
  }
  if (cognito) add("ui", { id: "user_pool", label: "Cognito user pool: MFA, admin-created users", shape: "box", paths: ["ui/sign-in"] });
  if (oidc) outside.push({ id: "idp", label: "your identity provider (OIDC)", shape: "stadium", paths: [] });
  const backend = of("aws_ecs_service", "ui/backend")[0];
  if (backend) add("ui", { id: "ui_backend", label: `UI backend: Fargate ×${String(backend.body.desired_count ?? 1)}`, shape: "box", paths: ["ui/backend", "ui/cluster"] });
  const staticUi = of("aws_ecs_service", "ui/static")[0];
  if (staticUi) add("ui", { id: "ui_static", label: `static UI: Fargate ×${String(staticUi.body.desired_count ?? 1)}`, shape: "box", paths: ["ui/static"] });

  // scheduling
  const schedulingRoles = of("aws_iam_role", "scheduling");
  const sfnRole = schedulingRoles.find((r) => r.path.startsWith("scheduling/step-functions-role"));
  const ebRole = schedulingRoles.find((r) => r.path.startsWith("scheduling/eventbridge-role"));
  if (sfnRole) add("scheduling", { id: "sfn", label: "Step Functions: step-functions create", shape: "box", paths: ["scheduling/step-functions-role", "scheduling/execution-logs"] });
  if (ebRole) add("scheduling", { id: "events", label: "EventBridge: @schedule", shape: "box", paths: ["scheduling/eventbridge-role"] });
  if (of("aws_dynamodb_table", "scheduling").length) add("scheduling", { id: "table", label: "DynamoDB table", shape: "database", paths: ["scheduling/table"] });

  // users
  if (resources.some((r) => r.path.startsWith("users/"))) add("users", { id: "users", label: "Metaflow users' policy", shape: "box", paths: ["users"] });

  // The paths requests and jobs take.
  const has = (id: string) => [...nodes.values()].flat().some((n) => n.id === id) || outside.some((n) => n.id === id);
  const firstQueue = queues.length ? nodeId("queue", queues[0].path.replace(/^compute\/queue-/, "")) : undefined;
  if (has("api")) edges.push({ from: "laptop", to: "api", label: "HTTPS, x-api-key" }, { from: "api", to: "nlb", label: "VPC link" });
  else if (has("nlb")) edges.push({ from: "laptop", to: "nlb", label: "from the VPC or a VPN" });
  if (has("nlb") && has("service")) edges.push({ from: "nlb", to: "service" });
  if (has("service") && has("database")) edges.push({ from: "service", to: "database", label: "TLS" });
  if (firstQueue) edges.push({ from: "laptop", to: firstQueue, label: "run --with batch" });
  for (const e of environments) {
    const id = ceIdByArn.get(parentOf(e.path))!;
    edges.push({ from: id, to: "s3", label: "artifacts" });
    if (has("nlb")) edges.push({ from: id, to: "nlb", label: "metadata" });
  }
  if (has("sfn") && firstQueue) edges.push({ from: "sfn", to: firstQueue, label: "submits jobs" });
  if (has("sfn") && has("table")) edges.push({ from: "sfn", to: "table" });
  if (has("events") && has("sfn")) edges.push({ from: "events", to: "sfn", label: "starts on schedule" });
  if (has("ui_lb")) {
    edges.push({ from: "laptop", to: "ui_lb", label: "browser: HTTPS" });
    if (has("user_pool")) edges.push({ from: "ui_lb", to: "user_pool", label: "signs in" });
    if (has("idp")) edges.push({ from: "ui_lb", to: "idp", label: "signs in" });
    if (has("ui_static")) edges.push({ from: "ui_lb", to: "ui_static", label: "/*" });
    if (has("ui_backend")) edges.push({ from: "ui_lb", to: "ui_backend", label: "/api/*" });
  }
  if (has("ui_backend")) {
    if (has("database")) edges.push({ from: "ui_backend", to: "database", label: "TLS" });
    edges.push({ from: "ui_backend", to: "s3", label: "reads artifacts, logs" });
  }
  if (has("nat") && environments.length) edges.push({ from: ceIdByArn.get(parentOf(environments[0].path))!, to: "nat", label: "images, packages" });

  const areas = AREAS.filter((a) => nodes.has(a.id)).map((a) => ({ id: a.id, title: a.title, nodes: nodes.get(a.id)! }));
  return { areas, outside, edges };
}

/** Mermaid's text for a label: quotes and angle brackets as entities. */
const text = (label: string) => label.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");

function shape(node: DiagramNode): string {
  const label = `"${text(node.label)}"`;
  switch (node.shape) {
    case "database": return `${node.id}[(${label})]`;
    case "stadium": return `${node.id}([${label}])`;
    case "queue": return `${node.id}[[${label}]]`;
    default: return `${node.id}[${label}]`;
  }
}

/** Whether a change at `path` falls under one of a node's paths (equal, below it, or sharing a `nat-`-style prefix). */
function covers(node: DiagramNode, path: string): boolean {
  return node.paths.some((p) => path === p || path.startsWith(p.endsWith("-") ? p : `${p}/`));
}

export interface MermaidOptions {
  /**
   * Changed construct paths (below the stack) and what happens to each: the nodes they fall under, or their
   * area when no node covers them, are marked. @default none: nothing marked
   */
  readonly changes?: ReadonlyMap<string, ChangeMark>;
}

/** The marks of a diagram's nodes and areas for a set of changes: the most severe change under each. */
export function markChanges(diagram: Diagram, changes: ReadonlyMap<string, ChangeMark>): Map<string, ChangeMark> {
  const marks = new Map<string, ChangeMark>();
  const mark = (id: string, m: ChangeMark) => {
    const old = marks.get(id);
    if (!old || SEVERITY.indexOf(m) > SEVERITY.indexOf(old)) marks.set(id, m);
  };
  for (const [path, m] of changes) {
    const area = diagram.areas.find((a) => a.id === areaOfPath(path)?.id);
    const node = [...diagram.areas.flatMap((a) => a.nodes), ...diagram.outside].find((n) => covers(n, path));
    if (node) mark(node.id, m);
    else if (area) mark(`area_${area.id}`, m);
  }
  return marks;
}

const CLASS_STYLES: Record<ChangeMark, string> = {
  created: "fill:#dafbe1,stroke:#1a7f37,stroke-width:2px",
  updated: "fill:#fff8c5,stroke:#9a6700,stroke-width:2px",
  replaced: "fill:#ffebe9,stroke:#cf222e,stroke-width:2px",
  deleted: "fill:#ffebe9,stroke:#cf222e,stroke-width:2px,stroke-dasharray:4 3",
};

/** The diagram as a Mermaid flowchart; with `changes`, the changed parts in the classes `created`, `updated`, `replaced`, `deleted`. */
export function renderMermaid(diagram: Diagram, options: MermaidOptions = {}): string {
  const lines = ["flowchart LR"];
  for (const node of diagram.outside) lines.push(`  ${shape(node)}`);
  for (const area of diagram.areas) {
    lines.push(`  subgraph area_${area.id}["${text(area.title)}"]`);
    for (const node of area.nodes) lines.push(`    ${shape(node)}`);
    lines.push("  end");
  }
  for (const e of diagram.edges) lines.push(`  ${e.from} -->${e.label ? `|"${text(e.label)}"|` : ""} ${e.to}`);
  const marks = options.changes ? markChanges(diagram, options.changes) : new Map<string, ChangeMark>();
  for (const m of SEVERITY) {
    const ids = [...marks.entries()].filter(([, v]) => v === m).map(([id]) => id).sort();
    if (ids.length === 0) continue;
    lines.push(`  classDef ${m} ${CLASS_STYLES[m]}`);
    lines.push(`  class ${ids.join(",")} ${m}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Where the README holds the default deployment's diagram. */
export const README_DIAGRAM_START =
  "<!-- diagram:start: the built-in default deployment, drawn from its synthesized stack; `npm run diagram -- --readme` rewrites it and __tests__/diagram.test.ts fails when it is stale -->";
export const README_DIAGRAM_END = "<!-- diagram:end -->";

/** `readme` with the block between the diagram markers replaced by `mermaid`; throws when the markers are missing. */
export function readmeWithDiagram(readme: string, mermaid: string): string {
  const start = readme.indexOf(README_DIAGRAM_START);
  const end = readme.indexOf(README_DIAGRAM_END);
  if (start === -1 || end < start) throw new Error(`README.md has no diagram block (${README_DIAGRAM_START} ... ${README_DIAGRAM_END})`);
  return `${readme.slice(0, start)}${README_DIAGRAM_START}\n\`\`\`mermaid\n${mermaid}\`\`\`\n${readme.slice(end)}`;
}
