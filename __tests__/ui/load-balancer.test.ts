import { synthesizeModules } from "../../hcl/write-modules";
import { checkRules } from "../../modules/rules";
import { entriesIn, ref } from "../support/json";
import { UI_CERTIFICATE, withUi } from "../support/configs";
import { rulesOn, shape, synthOnce, ui } from "./support";

/** The UI's Application Load Balancer: HTTPS only, private by default, admitting only whom the config names. */

const INTERNAL = withUi({ hostname: "metaflow.example.com", clientCidrs: ["10.8.0.0/16"] });
const INTERNET_FACING = withUi({ scheme: "internet-facing", allowedCidrs: ["203.0.113.0/24", "198.51.100.0/24"] });

describe("the UI load balancer (internal, the default)", () => {
  const out = synthOnce(INTERNAL);
  const u = ui(out);
  const privateSubnets = entriesIn(out, "aws_subnet", "network").filter(([, s]) => s.tags?.Tier === "private").map(([id]) => ref("aws_subnet", id)).sort();

  test("is an internal application load balancer in the private subnets", () => {
    expect(u.lb).toMatchObject({ internal: true, load_balancer_type: "application", name: "metaflow-dev-ui" });
    expect([...u.lb.subnets].sort()).toEqual(privateSubnets);
  });

  test("drops invalid header fields", () => {
    expect(u.lb.drop_invalid_header_fields).toBe(true);
  });

  test("has deletion protection off (it holds no data; documented)", () => {
    expect(u.lb.enable_deletion_protection).toBe(false);
  });

  test("serves HTTPS on 443 with the configured certificate and a TLS 1.3 policy", () => {
    expect(u.https).toMatchObject({ port: 443, protocol: "HTTPS", certificate_arn: UI_CERTIFICATE, ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06" });
    expect(u.https.load_balancer_arn).toBe(ref("aws_lb", u.lbId, "arn"));
  });

  test("answers what no route matches with its own 404", () => {
    expect(u.https.default_action).toEqual([{ type: "fixed-response", fixed_response: { content_type: "text/plain", status_code: "404", message_body: "Not found" } }]);
  });

  test("on port 80 only redirects to HTTPS", () => {
    expect(u.http.port).toBe(80);
    expect(u.http.default_action).toEqual([{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } }]);
  });

  test("has exactly two listeners", () => {
    expect(entriesIn(out, "aws_lb_listener", "ui")).toHaveLength(2);
  });

  test("routes /api/* to the backend and everything else (/*) to the static UI, in that order", () => {
    const forwards = u.rules.filter((r) => r.action.some((a: any) => a.type === "forward"));
    expect(forwards.map((r) => [r.priority, r.condition[0].path_pattern.values, r.action.find((a: any) => a.type === "forward").target_group_arn])).toEqual([
      [20, ["/api/*"], ref("aws_lb_target_group", u.backend.targetsId, "arn")],
      [30, ["/*"], ref("aws_lb_target_group", u.static.targetsId, "arn")],
    ]);
  });

  test("answers the metadata API's legacy token route with 403 before the backend route", () => {
    const block = u.rules.find((r) => r.condition[0].path_pattern.values.includes("/api/metadata/auth/*"));
    expect(block.priority).toBeLessThan(20);
    expect(block.action).toEqual([{ type: "fixed-response", fixed_response: expect.objectContaining({ status_code: "403" }) }]);
  });

  test("admits HTTPS and HTTP from the VPC and clientCidrs only", () => {
    const ingress = rulesOn(out, u.lbGroupRef, "ingress").map(shape);
    expect(ingress).toEqual(expect.arrayContaining([
      { protocol: "tcp", from: 443, to: 443, peer: "10.0.0.0/16" }, { protocol: "tcp", from: 80, to: 80, peer: "10.0.0.0/16" },
      { protocol: "tcp", from: 443, to: 443, peer: "10.8.0.0/16" }, { protocol: "tcp", from: 80, to: 80, peer: "10.8.0.0/16" },
    ]));
    expect(ingress).toHaveLength(4);
  });

  test("may reach the backend on 8083, the static UI on 3000, and the identity provider on 443, nothing else", () => {
    expect(rulesOn(out, u.lbGroupRef, "egress").map(shape)).toEqual(expect.arrayContaining([
      { protocol: "tcp", from: 8083, to: 8083, peer: u.backend.groupRef },
      { protocol: "tcp", from: 3000, to: 3000, peer: u.static.groupRef },
      { protocol: "tcp", from: 443, to: 443, peer: "0.0.0.0/0" },
    ]));
    expect(rulesOn(out, u.lbGroupRef, "egress")).toHaveLength(3);
  });

  test("the tasks admit the load balancer on their port only", () => {
    expect(rulesOn(out, u.backend.groupRef, "ingress").map(shape)).toEqual([{ protocol: "tcp", from: 8083, to: 8083, peer: u.lbGroupRef }]);
    expect(rulesOn(out, u.static.groupRef, "ingress").map(shape)).toEqual([{ protocol: "tcp", from: 3000, to: 3000, peer: u.lbGroupRef }]);
  });

  test("needs no suppression of MF-ELB-1: it is internal", () => {
    const [report] = checkRules(out.stack);
    expect(report.suppressions.map((s) => s.suppression.ruleId)).not.toContain("MF-ELB-1");
  });
});

describe("the UI load balancer, internet-facing", () => {
  const out = synthOnce(INTERNET_FACING);
  const u = ui(out);
  const publicSubnets = entriesIn(out, "aws_subnet", "network").filter(([, s]) => s.tags?.Tier === "public").map(([id]) => ref("aws_subnet", id)).sort();

  test("sits in the public subnets", () => {
    expect(u.lb.internal).toBe(false);
    expect([...u.lb.subnets].sort()).toEqual(publicSubnets);
  });

  test("admits allowedCidrs only: not the VPC, never 0.0.0.0/0", () => {
    const peers = rulesOn(out, u.lbGroupRef, "ingress").map((r) => r.cidr_ipv4);
    expect([...new Set(peers)].sort()).toEqual(["198.51.100.0/24", "203.0.113.0/24"]);
  });

  test("is excused from MF-ELB-1 (internal load balancers only) with its reason, and only that load balancer", () => {
    const [report] = checkRules(out.stack);
    const excused = report.suppressions.filter((s) => s.suppression.ruleId === "MF-ELB-1");
    expect(excused.map((s) => [s.suppression.path, s.silenced.map((f) => f.address)])).toEqual([
      ["metaflow-dev/ui/load-balancer/load-balancer", [`aws_lb.${u.lbId}`]],
    ]);
    expect(excused[0].suppression.reason).toMatch(/admits only ui\.allowedCidrs, and every route signs people in first/);
  });

  test("still puts the tasks in the private subnets without public IPs", () => {
    for (const s of [u.backend, u.static]) expect(s.ecs.network_configuration.assign_public_ip).toBe(false);
  });
});

describe("the UI load balancer in an existing network", () => {
  const out = synthOnce(withUi({}, { network: { mode: "existing", vpcId: "vpc-0a1b2c3d4e5f60718", privateSubnetIds: ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722"], verifySubnets: false } }));

  test("admits the VPC's CIDR, looked up at plan time", () => {
    const [vpcId, vpc] = Object.entries<any>(out.json.data.aws_vpc)[0];
    expect(vpc.id).toBe("vpc-0a1b2c3d4e5f60718");
    const ingress = rulesOn(out, ui(out).lbGroupRef, "ingress").map((r) => r.cidr_ipv4);
    expect(new Set(ingress)).toEqual(new Set([`\${data.aws_vpc.${vpcId}.cidr_block}`]));
  });
});

describe("the UI load balancer of the plain-Terraform ui module (client_cidrs a Terraform list)", () => {
  const ui = synthesizeModules().find((m) => m.name === "ui")!.json;
  const rules = Object.values<any>(ui.resource.aws_vpc_security_group_ingress_rule).filter((r) => r.for_each !== undefined);

  test("admits the VPC and every client CIDR on 443 and on 80 (the redirect), one rule per protocol over the joined list", () => {
    expect(rules.map((r) => [r.from_port, r.to_port, r.for_each, r.cidr_ipv4]).sort()).toEqual([
      [443, 443, "${toset((concat([var.vpc_cidr], var.client_cidrs)))}", "${each.value}"],
      [80, 80, "${toset((concat([var.vpc_cidr], var.client_cidrs)))}", "${each.value}"],
    ]);
  });
});
