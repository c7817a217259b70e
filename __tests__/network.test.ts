import { ENDPOINTS_REQUIRED_WITHOUT_NAT } from "../modules/config/network-config";
import { LOGS_DELIVER } from "../modules/perms";
import { synth } from "./support/synth";
import { ECR_SERVICE_IMAGE, NO_NAT_JOB_IMAGE } from "./support/configs";
import { entries, entriesIn, entryIn, list, policyDoc, ref, resourceIn, resourcesIn } from "./support/json";

type Out = ReturnType<typeof synth>;
type Body = Record<string, any>;

/** IPv4 CIDR arithmetic of the test's own, independent of modules/config/cidr.ts. */
function cidrRange(cidr: string): { start: number; end: number; prefix: number } {
  const [address, bits] = cidr.split("/");
  const start = address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
  const prefix = Number(bits);
  return { start, end: start + 2 ** (32 - prefix), prefix };
}
function cidrText(start: number, prefix: number): string {
  return `${[24, 16, 8, 0].map((s) => Math.floor(start / 2 ** s) % 256).join(".")}/${prefix}`;
}
/** Terraform's cidrsubnet(): the rule schema.ts documents for the default subnets. */
function cidrsubnet(cidr: string, newBits: number, index: number): string {
  const { start, prefix } = cidrRange(cidr);
  return cidrText(start + index * 2 ** (32 - prefix - newBits), prefix + newBits);
}
const inside = (outer: string, inner: string) => {
  const o = cidrRange(outer);
  const i = cidrRange(inner);
  return i.start >= o.start && i.end <= o.end;
};
const overlap = (a: string, b: string) => {
  const x = cidrRange(a);
  const y = cidrRange(b);
  return x.start < y.end && y.start < x.end;
};

/** A view of the created network's wiring, by logical id. */
function network(out: Out) {
  const subnets = entriesIn(out, "aws_subnet", "network");
  const publicSubnets = subnets.filter(([, s]) => s.tags?.Tier === "public");
  const privateSubnets = subnets.filter(([, s]) => s.tags?.Tier === "private");
  // Associations and routes anywhere in the stack: they are matched by the network's subnet and table references.
  const associations = entries(out, "aws_route_table_association").map(([, a]) => a);
  const tableOf = (subnetId: string) => {
    const found = associations.filter((a) => a.subnet_id === ref("aws_subnet", subnetId));
    if (found.length !== 1) throw new Error(`subnet ${subnetId} has ${found.length} route table associations`);
    return found[0].route_table_id as string;
  };
  const routes = entries(out, "aws_route").map(([, r]) => r);
  const defaultRoutesOf = (tableRef: string) =>
    routes.filter((r) => r.route_table_id === tableRef && r.destination_cidr_block === "0.0.0.0/0");
  const [vpcId] = entryIn(out, "aws_vpc", "network");
  return { vpcId, publicSubnets, privateSubnets, tableOf, routes, defaultRoutesOf };
}

/** natGateways "none" with what it requires: every endpoint private subnets need, and a service image in ECR. */
const NO_NAT = {
  network: { mode: "create", natGateways: "none", interfaceEndpoints: [...ENDPOINTS_REQUIRED_WITHOUT_NAT] },
  compute: NO_NAT_JOB_IMAGE,
  service: { image: ECR_SERVICE_IMAGE },
};
const THREE_ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

describe("Network (create mode)", () => {
  const out = synth();
  const net = network(out);

  describe("VPC", () => {
    test("there is exactly one VPC", () => {
      expect(out.resources("aws_vpc")).toHaveLength(1);
    });

    test("it has the default CIDR 10.0.0.0/16", () => {
      expect(resourceIn(out, "aws_vpc", "network").cidr_block).toBe("10.0.0.0/16");
    });

    test("DNS support and DNS hostnames are on", () => {
      const vpc = resourceIn(out, "aws_vpc", "network");
      expect(vpc.enable_dns_support).toBe(true);
      expect(vpc.enable_dns_hostnames).toBe(true);
    });

    test("a configured vpcCidr is used", () => {
      const custom = synth({ network: { mode: "create", vpcCidr: "172.16.0.0/16" } });
      expect(resourceIn(custom, "aws_vpc", "network").cidr_block).toBe("172.16.0.0/16");
    });
  });

  describe("subnets", () => {
    test("one public and one private subnet in each default zone", () => {
      expect(net.publicSubnets.map(([, s]) => s.availability_zone).sort()).toEqual(["us-east-1a", "us-east-1b"]);
      expect(net.privateSubnets.map(([, s]) => s.availability_zone).sort()).toEqual(["us-east-1a", "us-east-1b"]);
      expect(resourcesIn(out, "aws_subnet", "network")).toHaveLength(4);
    });

    test("every subnet belongs to the VPC", () => {
      for (const s of resourcesIn(out, "aws_subnet", "network")) expect(s.vpc_id).toBe(ref("aws_vpc", net.vpcId));
    });

    test("private subnets are the eighths of the VPC, in zone order (cidrsubnet(vpc, 3, i))", () => {
      const byZone = Object.fromEntries(net.privateSubnets.map(([, s]) => [s.availability_zone, s.cidr_block]));
      expect(byZone).toEqual({ "us-east-1a": cidrsubnet("10.0.0.0/16", 3, 0), "us-east-1b": cidrsubnet("10.0.0.0/16", 3, 1) });
    });

    test("public subnets are sixty-fourths from the last eighth, in zone order (cidrsubnet(vpc, 6, 56 + i))", () => {
      const byZone: Record<string, string> = Object.fromEntries(net.publicSubnets.map(([, s]) => [s.availability_zone, s.cidr_block]));
      expect(byZone).toEqual({ "us-east-1a": cidrsubnet("10.0.0.0/16", 6, 56), "us-east-1b": cidrsubnet("10.0.0.0/16", 6, 57) });
      for (const cidr of Object.values(byZone)) expect(inside(cidrsubnet("10.0.0.0/16", 3, 7), cidr)).toBe(true);
    });

    test("derived subnets follow a non-default vpcCidr, lie inside it and do not overlap", () => {
      const vpcCidr = "10.64.0.0/18";
      const custom = synth({ network: { mode: "create", vpcCidr, availabilityZones: THREE_ZONES } });
      const cidrs = resourcesIn(custom, "aws_subnet", "network").map((s) => s.cidr_block as string);
      expect(cidrs).toHaveLength(6);
      for (const c of cidrs) expect(inside(vpcCidr, c)).toBe(true);
      for (let i = 0; i < cidrs.length; i++) {
        for (let j = i + 1; j < cidrs.length; j++) expect([cidrs[i], cidrs[j], overlap(cidrs[i], cidrs[j])]).toEqual([cidrs[i], cidrs[j], false]);
      }
      const c = network(custom);
      expect(c.privateSubnets.map(([, s]) => s.cidr_block).sort()).toEqual([0, 1, 2].map((i) => cidrsubnet(vpcCidr, 3, i)).sort());
      expect(c.publicSubnets.map(([, s]) => s.cidr_block).sort()).toEqual([56, 57, 58].map((i) => cidrsubnet(vpcCidr, 6, i)).sort());
    });

    test("three configured zones give three public and three private subnets, one of each per zone", () => {
      const c = network(synth({ network: { mode: "create", availabilityZones: THREE_ZONES } }));
      expect(c.publicSubnets.map(([, s]) => s.availability_zone).sort()).toEqual(THREE_ZONES);
      expect(c.privateSubnets.map(([, s]) => s.availability_zone).sort()).toEqual(THREE_ZONES);
    });

    test("default zones follow the region", () => {
      const c = network(synth({ region: "eu-west-1" }));
      expect(c.privateSubnets.map(([, s]) => s.availability_zone).sort()).toEqual(["eu-west-1a", "eu-west-1b"]);
    });

    test("explicit subnet CIDRs are used as given, in zone order", () => {
      const c = network(
        synth({
          network: {
            mode: "create",
            vpcCidr: "10.20.0.0/16",
            privateSubnetCidrs: ["10.20.0.0/20", "10.20.16.0/20"],
            publicSubnetCidrs: ["10.20.128.0/24", "10.20.129.0/24"],
          },
        }),
      );
      const zoneToCidr = (subnets: [string, Body][]) => Object.fromEntries(subnets.map(([, s]) => [s.availability_zone, s.cidr_block]));
      expect(zoneToCidr(c.privateSubnets)).toEqual({ "us-east-1a": "10.20.0.0/20", "us-east-1b": "10.20.16.0/20" });
      expect(zoneToCidr(c.publicSubnets)).toEqual({ "us-east-1a": "10.20.128.0/24", "us-east-1b": "10.20.129.0/24" });
    });

    test("public subnets do not map public IPs on launch", () => {
      expect(net.publicSubnets.length).toBeGreaterThan(0);
      for (const [, s] of net.publicSubnets) expect(s.map_public_ip_on_launch).toBe(false);
    });

    test("private subnets do not map public IPs on launch", () => {
      for (const [, s] of net.privateSubnets) expect(s.map_public_ip_on_launch).not.toBe(true);
    });
  });

  describe("routing", () => {
    test("one internet gateway, attached to the VPC", () => {
      expect(resourceIn(out, "aws_internet_gateway", "network").vpc_id).toBe(ref("aws_vpc", net.vpcId));
    });

    test("all public subnets share one route table", () => {
      const tables = new Set(net.publicSubnets.map(([id]) => net.tableOf(id)));
      expect(tables.size).toBe(1);
    });

    test("the public route table sends 0.0.0.0/0 to the internet gateway", () => {
      const [igwId] = entriesIn(out, "aws_internet_gateway", "network").map(([id]) => id);
      const publicTable = net.tableOf(net.publicSubnets[0][0]);
      const defaults = net.defaultRoutesOf(publicTable);
      expect(defaults).toHaveLength(1);
      expect(defaults[0].gateway_id).toBe(ref("aws_internet_gateway", igwId));
      expect(defaults[0].nat_gateway_id).toBeUndefined();
    });

    test("each private subnet has a route table of its own, not the public one", () => {
      const publicTable = net.tableOf(net.publicSubnets[0][0]);
      const tables = net.privateSubnets.map(([id]) => net.tableOf(id));
      expect(new Set(tables).size).toBe(net.privateSubnets.length);
      expect(tables).not.toContain(publicTable);
    });

    test("no private route table points at the internet gateway", () => {
      for (const [id] of net.privateSubnets) {
        for (const r of net.routes.filter((r) => r.route_table_id === net.tableOf(id))) expect(r.gateway_id).toBeUndefined();
      }
    });
  });

  describe("NAT gateways", () => {
    test('the default is "single"', () => {
      expect(out.resources("aws_nat_gateway")).toHaveLength(1);
    });

    test('"none" creates no NAT gateway and no elastic IP', () => {
      const none = synth(NO_NAT);
      expect(none.resources("aws_nat_gateway")).toHaveLength(0);
      expect(none.resources("aws_eip")).toHaveLength(0);
    });

    test('"none" leaves private route tables without a 0.0.0.0/0 route', () => {
      const none = synth(NO_NAT);
      const n = network(none);
      expect(n.privateSubnets).toHaveLength(2);
      for (const [id] of n.privateSubnets) {
        const table = n.tableOf(id);
        expect(n.defaultRoutesOf(table)).toEqual([]);
        const inline = none.json.resource.aws_route_table[table.replace(/^\$\{aws_route_table\.|\.id\}$/g, "")].route;
        expect(inline ?? []).toEqual([]);
      }
    });

    test('"single" creates one NAT gateway with one elastic IP, in a public subnet', () => {
      const nat = resourceIn(out, "aws_nat_gateway", "network");
      const [eipId] = entriesIn(out, "aws_eip", "network").map(([id]) => id);
      expect(resourceIn(out, "aws_eip", "network").domain).toBe("vpc");
      expect(nat.allocation_id).toBe(ref("aws_eip", eipId, "allocation_id"));
      expect(net.publicSubnets.map(([id]) => ref("aws_subnet", id))).toContain(nat.subnet_id);
    });

    test('"single" NAT is the 0.0.0.0/0 target of every private route table', () => {
      const [natId] = entriesIn(out, "aws_nat_gateway", "network").map(([id]) => id);
      for (const [id] of net.privateSubnets) {
        const defaults = net.defaultRoutesOf(net.tableOf(id));
        expect(defaults).toHaveLength(1);
        expect(defaults[0].nat_gateway_id).toBe(ref("aws_nat_gateway", natId));
      }
    });

    test('"perAz" creates one NAT gateway and one elastic IP per zone', () => {
      const perAz = synth({ network: { mode: "create", natGateways: "perAz", availabilityZones: THREE_ZONES } });
      expect(resourcesIn(perAz, "aws_nat_gateway", "network")).toHaveLength(3);
      expect(resourcesIn(perAz, "aws_eip", "network")).toHaveLength(3);
      expect(new Set(resourcesIn(perAz, "aws_nat_gateway", "network").map((n) => n.allocation_id)).size).toBe(3);
    });

    test('"perAz" routes each private route table to the NAT gateway in its own zone', () => {
      const perAz = synth({ network: { mode: "create", natGateways: "perAz", availabilityZones: THREE_ZONES } });
      const n = network(perAz);
      const nats = Object.fromEntries(entriesIn(perAz, "aws_nat_gateway", "network").map(([id, body]) => [ref("aws_nat_gateway", id), body]));
      const zoneOfSubnet = Object.fromEntries(entriesIn(perAz, "aws_subnet", "network").map(([id, s]) => [ref("aws_subnet", id), s.availability_zone]));
      const usedNats = n.privateSubnets.map(([id, subnet]) => {
        const defaults = n.defaultRoutesOf(n.tableOf(id));
        expect(defaults).toHaveLength(1);
        const nat = nats[defaults[0].nat_gateway_id];
        expect(nat).toBeDefined();
        expect(zoneOfSubnet[nat.subnet_id]).toBe(subnet.availability_zone);
        return defaults[0].nat_gateway_id;
      });
      expect(new Set(usedNats).size).toBe(3);
    });

    test("NAT gateways wait for the internet gateway", () => {
      const [igwId] = entriesIn(out, "aws_internet_gateway", "network").map(([id]) => id);
      expect(resourceIn(out, "aws_nat_gateway", "network").depends_on).toContain(`aws_internet_gateway.${igwId}`);
    });
  });

  describe("gateway endpoints", () => {
    const gateways = resourcesIn(out, "aws_vpc_endpoint", "network").filter((e) => e.vpc_endpoint_type === "Gateway");

    test("S3 and DynamoDB gateway endpoints exist for the stack's region", () => {
      expect(gateways.map((e) => e.service_name).sort()).toEqual(["com.amazonaws.us-east-1.dynamodb", "com.amazonaws.us-east-1.s3"]);
    });

    test("their service names follow a non-default region", () => {
      const eu = resourcesIn(synth({ region: "eu-central-1" }), "aws_vpc_endpoint", "network").filter((e) => e.vpc_endpoint_type === "Gateway");
      expect(eu.map((e) => e.service_name).sort()).toEqual(["com.amazonaws.eu-central-1.dynamodb", "com.amazonaws.eu-central-1.s3"]);
    });

    test("each gateway endpoint is attached to every private route table", () => {
      const privateTables = net.privateSubnets.map(([id]) => net.tableOf(id));
      expect(privateTables).toHaveLength(2);
      for (const e of gateways) {
        expect(e.vpc_id).toBe(ref("aws_vpc", net.vpcId));
        expect(e.route_table_ids).toEqual(expect.arrayContaining(privateTables));
      }
    });

    test("with three zones and perAz NAT, gateway endpoints reach all three private route tables", () => {
      const perAz = synth({ network: { mode: "create", natGateways: "perAz", availabilityZones: THREE_ZONES } });
      const n = network(perAz);
      const privateTables = n.privateSubnets.map(([id]) => n.tableOf(id));
      const gws = resourcesIn(perAz, "aws_vpc_endpoint", "network").filter((e) => e.vpc_endpoint_type === "Gateway");
      expect(gws).toHaveLength(2);
      for (const e of gws) expect(e.route_table_ids).toEqual(expect.arrayContaining(privateTables));
    });
  });

  describe("interface endpoints", () => {
    const withEndpoints = synth({ network: { mode: "create", interfaceEndpoints: ["sts", "ecr.api"] } });
    const n = network(withEndpoints);
    const interfaces = resourcesIn(withEndpoints, "aws_vpc_endpoint", "network").filter((e) => e.vpc_endpoint_type === "Interface");
    const [sgId, sg] = entriesIn(withEndpoints, "aws_security_group", "network")[0] ?? [];

    test("none are created by default, nor their security group", () => {
      expect(out.resources("aws_vpc_endpoint").filter((e) => e.vpc_endpoint_type === "Interface")).toEqual([]);
      expect(entriesIn(out, "aws_security_group", "network")).toEqual([]);
    });

    test("exactly the listed services get an interface endpoint", () => {
      expect(interfaces.map((e) => e.service_name).sort()).toEqual(["com.amazonaws.us-east-1.ecr.api", "com.amazonaws.us-east-1.sts"]);
    });

    test("they have private DNS enabled", () => {
      for (const e of interfaces) expect(e.private_dns_enabled).toBe(true);
    });

    test("they sit in every private subnet and no public one", () => {
      const privateRefs = n.privateSubnets.map(([id]) => ref("aws_subnet", id)).sort();
      for (const e of interfaces) expect([...e.subnet_ids].sort()).toEqual(privateRefs);
    });

    test("they use the one endpoint security group", () => {
      expect(entriesIn(withEndpoints, "aws_security_group", "network")).toHaveLength(1);
      for (const e of interfaces) expect(e.security_group_ids).toEqual([ref("aws_security_group", sgId)]);
    });

    test("the endpoint security group belongs to the VPC", () => {
      expect(sg.vpc_id).toBe(ref("aws_vpc", n.vpcId));
    });

    test("the endpoint security group allows only TCP 443 from the VPC CIDR", () => {
      expect(sg.ingress).toHaveLength(1);
      const [rule] = sg.ingress;
      expect(rule.protocol).toBe("tcp");
      expect(rule.from_port).toBe(443);
      expect(rule.to_port).toBe(443);
      expect(rule.cidr_blocks).toEqual([ref("aws_vpc", n.vpcId, "cidr_block")]);
      expect(rule.ipv6_cidr_blocks ?? []).toEqual([]);
      expect(rule.prefix_list_ids ?? []).toEqual([]);
      expect(rule.security_groups ?? []).toEqual([]);
      expect(rule.self ?? false).toBe(false);
    });

    test("the endpoint security group has no egress rules", () => {
      expect(sg.egress ?? []).toEqual([]);
    });
  });

  describe("flow logs", () => {
    const custom = synth({ network: { mode: "create", flowLogs: { retentionDays: 30, trafficType: "REJECT" } } });
    const [logGroupId] = entryIn(out, "aws_cloudwatch_log_group", "network");
    const [roleId, role] = entriesIn(out, "aws_iam_role", "network").find(([, r]) => r.name === "metaflow-dev-vpc-flow-logs") ?? [];
    const rolePolicies = resourcesIn(out, "aws_iam_role_policy", "network").filter((p) => p.role === ref("aws_iam_role", roleId!));

    test("the log group keeps logs for the default 90 days", () => {
      expect(resourceIn(out, "aws_cloudwatch_log_group", "network").retention_in_days).toBe(90);
    });

    test("the log group retention equals the configured retentionDays", () => {
      expect(resourceIn(custom, "aws_cloudwatch_log_group", "network").retention_in_days).toBe(30);
    });

    test("the flow log captures ALL traffic by default", () => {
      expect(resourceIn(out, "aws_flow_log", "network").traffic_type).toBe("ALL");
    });

    test("the flow log traffic type equals the configured trafficType", () => {
      expect(resourceIn(custom, "aws_flow_log", "network").traffic_type).toBe("REJECT");
    });

    test("the flow log watches the VPC and delivers to the log group through the flow-logs role", () => {
      const flowLog = resourceIn(out, "aws_flow_log", "network");
      expect(flowLog.vpc_id).toBe(ref("aws_vpc", net.vpcId));
      expect(flowLog.log_destination_type).toBe("cloud-watch-logs");
      expect(flowLog.log_destination).toBe(ref("aws_cloudwatch_log_group", logGroupId, "arn"));
      expect(flowLog.iam_role_arn).toBe(ref("aws_iam_role", roleId!, "arn"));
    });

    test("the flow-logs role is trusted only by vpc-flow-logs.amazonaws.com, for sts:AssumeRole", () => {
      const trust = policyDoc(role!.assume_role_policy);
      expect(trust.Statement).toHaveLength(1);
      const [statement] = trust.Statement;
      expect(statement.Effect).toBe("Allow");
      expect(list(statement.Action)).toEqual(["sts:AssumeRole"]);
      expect(statement.Principal).toEqual({ Service: "vpc-flow-logs.amazonaws.com" });
    });

    test("the flow-logs role has one inline policy granting exactly the log delivery actions", () => {
      expect(rolePolicies).toHaveLength(1);
      const actions = policyDoc(rolePolicies[0].policy).Statement.flatMap((s: any) => list(s.Action));
      expect([...actions].sort()).toEqual([...LOGS_DELIVER].sort());
    });

    test("the flow-logs policy has no wildcard action and no wildcard resource", () => {
      for (const s of policyDoc(rolePolicies[0].policy).Statement) {
        for (const a of list(s.Action)) expect(a).not.toMatch(/^\*$|:\*$/);
        for (const r of list(s.Resource)) expect(r).not.toBe("*");
      }
    });

    test("the flow-logs policy is scoped to the log group and its streams", () => {
      const groupArn = ref("aws_cloudwatch_log_group", logGroupId, "arn");
      for (const s of policyDoc(rolePolicies[0].policy).Statement) {
        expect(s.Effect).toBe("Allow");
        for (const r of list(s.Resource)) expect([groupArn, `${groupArn}:*`]).toContain(r);
      }
    });

    test("the flow-logs role has no permissions boundary unless one is configured", () => {
      expect(role!.permissions_boundary).toBeUndefined();
    });

    test("permissionsBoundaryArn is set on the flow-logs role when configured", () => {
      const boundary = "arn:aws:iam::123456789012:policy/metaflow-boundary";
      const bounded = synth({ permissionsBoundaryArn: boundary });
      expect(bounded.role("metaflow-dev-vpc-flow-logs").permissions_boundary).toBe(boundary);
    });
  });

  describe("default security group", () => {
    const [, defaultSg] = entriesIn(out, "aws_default_security_group", "network")[0] ?? [];

    test("the VPC's default security group is taken over", () => {
      expect(resourcesIn(out, "aws_default_security_group", "network")).toHaveLength(1);
      expect(defaultSg.vpc_id).toBe(ref("aws_vpc", net.vpcId));
    });

    test("it has no ingress rules", () => {
      expect(defaultSg.ingress ?? []).toEqual([]);
    });

    test("it has no egress rules", () => {
      expect(defaultSg.egress ?? []).toEqual([]);
    });
  });
});

describe("Network (existing mode)", () => {
  const vpcId = "vpc-0123456789abcdef0";
  const privateSubnetIds = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"];
  const publicSubnetIds = ["subnet-0bbbbbbbbbbbbbbb1"];
  const existing = (verifySubnets?: boolean) =>
    synth({
      network: { mode: "existing", vpcId, privateSubnetIds, publicSubnetIds, ...(verifySubnets === undefined ? {} : { verifySubnets }) },
    });
  const verified = existing();
  const unverified = existing(false);
  /** Outputs the network construct adds besides the stack's own. */
  const checkOutputs = (out: Out) => Object.entries(out.outputs).filter(([name]) => name.startsWith("network_"));

  test("creates no VPC, subnet, route table, gateway or flow-log resources", () => {
    for (const type of [
      "aws_vpc", "aws_subnet", "aws_route_table", "aws_route", "aws_route_table_association", "aws_internet_gateway",
      "aws_nat_gateway", "aws_eip", "aws_vpc_endpoint", "aws_security_group", "aws_default_security_group",
      "aws_flow_log", "aws_cloudwatch_log_group",
    ]) {
      expect([type, entriesIn(verified, type, "network").length]).toEqual([type, 0]);
    }
  });

  test("vpc_id output is the given VPC id", () => {
    expect(verified.outputs.vpc_id.value).toBe(vpcId);
  });

  test("subnet outputs are the given subnet ids, in order", () => {
    expect(verified.outputs.private_subnet_ids.value).toEqual(privateSubnetIds);
    expect(verified.outputs.public_subnet_ids.value).toEqual(publicSubnetIds);
  });

  test("public_subnet_ids defaults to an empty list", () => {
    const out = synth({ network: { mode: "existing", vpcId, privateSubnetIds, verifySubnets: false } });
    expect(out.outputs.public_subnet_ids.value).toEqual([]);
  });

  test("verifySubnets (the default) looks up each private subnet with an aws_subnet data source", () => {
    expect(verified.data("aws_subnet").map((d) => d.id).sort()).toEqual([...privateSubnetIds].sort());
  });

  test("verifySubnets adds check outputs over the looked-up zones and VPCs", () => {
    const checks = checkOutputs(verified);
    expect(checks).toHaveLength(2);
    const dataIds = Object.keys(verified.json.data.aws_subnet);
    for (const [, output] of checks) {
      for (const id of dataIds) expect(String(output.value)).toContain(`data.aws_subnet.${id}.`);
    }
    expect(checks.map(([, o]) => String(o.value)).join(" ")).toMatch(/\.availability_zone\b/);
    expect(checks.map(([, o]) => String(o.value)).join(" ")).toMatch(/\.vpc_id\b/);
  });

  /** The precondition blocks of the check output whose value reads `attribute` of the looked-up subnets. */
  const preconditionsOn = (out: Out, attribute: string): { condition: string; error_message: string }[] => {
    const found = checkOutputs(out).filter(([, o]) => new RegExp(`\\.${attribute}\\b`).test(String(o.value)));
    expect(found).toHaveLength(1);
    return list((found[0][1] as any).precondition ?? []) as { condition: string; error_message: string }[];
  };

  test("verifySubnets puts a precondition on the zones output: at least two distinct zones", () => {
    const [check, ...rest] = preconditionsOn(verified, "availability_zone");
    expect(check).toBeDefined();
    expect(rest).toEqual([]);
    expect(check.condition).toMatch(/^\$\{.*length\(distinct\(.*\.availability_zone.*\)\)\)? >= 2\)?\}$/);
    expect(check.error_message).toMatch(/two distinct availability zones/);
  });

  test("verifySubnets puts a precondition on the VPCs output: every subnet in the given VPC", () => {
    const [check, ...rest] = preconditionsOn(verified, "vpc_id");
    expect(check).toBeDefined();
    expect(rest).toEqual([]);
    expect(check.condition).toMatch(/distinct\(.*\.vpc_id/);
    expect(check.condition).toContain(`"${vpcId}"`);
    expect(check.condition).toMatch(/== 1\)?\}$/);
    expect(check.error_message).toContain(vpcId);
  });

  test("verifySubnets false adds no data sources", () => {
    expect(unverified.data("aws_subnet")).toEqual([]);
    expect(unverified.json.data).toBeUndefined();
  });

  test("verifySubnets false adds no check outputs", () => {
    expect(checkOutputs(unverified)).toEqual([]);
  });
});

describe("Network with a NAT instance (natGateways \"instance\")", () => {
  const out = synth({ network: { mode: "create", natGateways: "instance" } });
  const net = network(out);
  const [instanceId, instance] = entryIn(out, "aws_instance", "network");
  const template = resourceIn(out, "aws_launch_template", "network");
  const [groupId] = entryIn(out, "aws_security_group", "network");
  const rulesOf = (type: string) => resourcesIn(out, type, "network").filter((r) => r.security_group_id === ref("aws_security_group", groupId));

  test("creates no NAT gateway and no Elastic IP", () => {
    expect(entries(out, "aws_nat_gateway")).toEqual([]);
    expect(entries(out, "aws_eip")).toEqual([]);
  });

  test("runs one instance in the first public subnet, with the public address a NAT needs and source/destination checks off", () => {
    expect(instance.subnet_id).toBe(ref("aws_subnet", net.publicSubnets[0][0]));
    expect(instance.associate_public_ip_address).toBe(true);
    expect(instance.source_dest_check).toBe(false);
    expect(instance.instance_type).toBe("t4g.nano");
    expect(instance.vpc_security_group_ids).toEqual([ref("aws_security_group", groupId)]);
  });

  test("every private subnet's default route goes to the instance's network interface", () => {
    for (const [subnetId] of net.privateSubnets) {
      const routes = net.defaultRoutesOf(net.tableOf(subnetId));
      expect(routes).toHaveLength(1);
      expect(routes[0].network_interface_id).toBe(ref("aws_instance", instanceId, "primary_network_interface_id"));
      expect(routes[0].nat_gateway_id).toBeUndefined();
    }
  });

  test("IMDSv2 only, and an encrypted gp3 root volume from its launch template", () => {
    expect(instance.metadata_options.http_tokens).toBe("required");
    expect(template.metadata_options.http_tokens).toBe("required");
    expect(template.block_device_mappings).toEqual([
      { device_name: "/dev/xvda", ebs: { volume_size: 8, volume_type: "gp3", encrypted: "true", delete_on_termination: "true" } },
    ]);
    expect(instance.launch_template.id).toBe(ref("aws_launch_template", entryIn(out, "aws_launch_template", "network")[0]));
  });

  test("runs Amazon Linux 2023 for its architecture, resolved by EC2 at launch (no AWS call at plan time)", () => {
    expect(template.image_id).toBe("resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64");
    const x86 = resourceIn(synth({ network: { mode: "create", natGateways: "instance", natInstanceType: "t3.micro" } }), "aws_launch_template", "network");
    expect(x86.image_id).toBe("resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64");
    expect(out.data("aws_ssm_parameter")).toEqual([]);
  });

  test("its user data turns on forwarding and masquerading, kept across reboots", () => {
    const script = Buffer.from(template.user_data, "base64").toString("utf8");
    expect(script).toContain("net.ipv4.ip_forward = 1");
    expect(script).toMatch(/iptables -t nat -A POSTROUTING -o "\$iface" -j MASQUERADE/);
    expect(script).toContain("systemctl enable --now iptables");
  });

  test("admits HTTP and HTTPS from the private subnets only, and sends the same ports out", () => {
    const privateCidrs = net.privateSubnets.map(([, s]) => s.cidr_block).sort();
    const ingress = rulesOf("aws_vpc_security_group_ingress_rule");
    expect(ingress.map((r) => `${r.cidr_ipv4} ${r.ip_protocol} ${r.from_port}-${r.to_port}`).sort()).toEqual(
      privateCidrs.flatMap((c) => [`${c} tcp 443-443`, `${c} tcp 80-80`]).sort(),
    );
    const egress = rulesOf("aws_vpc_security_group_egress_rule");
    expect(egress.map((r) => `${r.cidr_ipv4} ${r.ip_protocol} ${r.from_port}-${r.to_port}`).sort()).toEqual(["0.0.0.0/0 tcp 443-443", "0.0.0.0/0 tcp 80-80"]);
  });

  test("Batch and the metadata service stay in the private subnets without public addresses", () => {
    const privateRefs = net.privateSubnets.map(([id]) => ref("aws_subnet", id));
    for (const ce of entries(out, "aws_batch_compute_environment").map(([, b]) => b)) expect(ce.compute_resources.subnets).toEqual(privateRefs);
    const service = out.resource("aws_ecs_service");
    expect(service.network_configuration.assign_public_ip).toBe(false);
    expect(service.network_configuration.subnets).toEqual(privateRefs);
    for (const subnet of out.resources("aws_subnet")) expect(subnet.map_public_ip_on_launch).toBe(false);
  });

  test("the instance type is configurable", () => {
    const small = synth({ network: { mode: "create", natGateways: "instance", natInstanceType: "t4g.micro" } });
    expect(resourceIn(small, "aws_instance", "network").instance_type).toBe("t4g.micro");
  });
});
