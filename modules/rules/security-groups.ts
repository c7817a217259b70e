import { list } from "./terraform-json";
import { Rule, SynthResource } from "./types";

/** Security groups: nothing open to the world, no rule spanning every port. */

const WORLD = ["0.0.0.0/0", "::/0"];
const GROUPS = ["aws_security_group", "aws_default_security_group"];
const LEGACY_RULE = "aws_security_group_rule";
const INGRESS_RULE = "aws_vpc_security_group_ingress_rule";
const EGRESS_RULE = "aws_vpc_security_group_egress_rule";
/** ICMP's -1 means every type, not every port. */
const ICMP = ["icmp", "icmpv6", "1", "58"];

/** One permission of a security group, whichever way it is written. */
interface Permission {
  readonly direction: "ingress" | "egress";
  /** `ingress[0]`, or "this rule". */
  readonly where: string;
  readonly cidrs: string[];
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly description?: string;
}

function permissions(r: SynthResource): Permission[] {
  const b = r.body;
  if (GROUPS.includes(r.type)) {
    return (["ingress", "egress"] as const).flatMap((direction) =>
      list(b[direction]).map((p, i) => ({
        direction,
        where: `${direction}[${i}]`,
        cidrs: [...list<string>(p.cidr_blocks), ...list<string>(p.ipv6_cidr_blocks)],
        protocol: String(p.protocol),
        fromPort: p.from_port,
        toPort: p.to_port,
        description: p.description,
      })),
    );
  }
  if (r.type === LEGACY_RULE) {
    return [{
      direction: b.type === "egress" ? "egress" : "ingress",
      where: "this rule",
      cidrs: [...list<string>(b.cidr_blocks), ...list<string>(b.ipv6_cidr_blocks)],
      protocol: String(b.protocol),
      fromPort: b.from_port,
      toPort: b.to_port,
      description: b.description,
    }];
  }
  return [{
    direction: r.type === EGRESS_RULE ? "egress" : "ingress",
    where: "this rule",
    cidrs: [b.cidr_ipv4, b.cidr_ipv6].filter((c): c is string => typeof c === "string"),
    protocol: String(b.ip_protocol),
    fromPort: b.from_port,
    toPort: b.to_port,
    description: b.description,
  }];
}

const allProtocols = (p: Permission) => ["-1", "all"].includes(p.protocol.toLowerCase());
const allPorts = (p: Permission) =>
  allProtocols(p) ||
  (!ICMP.includes(p.protocol.toLowerCase()) && (p.fromPort === undefined || p.fromPort <= 0) && (p.toPort === undefined || p.toPort === -1 || p.toPort >= 65535));
const ports = (p: Permission) => (allProtocols(p) ? "all protocols" : p.fromPort === p.toPort ? `${p.protocol} ${p.fromPort}` : `${p.protocol} ${p.fromPort}-${p.toPort}`);

const ALL_TYPES = [...GROUPS, LEGACY_RULE, INGRESS_RULE, EGRESS_RULE];
const INGRESS_TYPES = [...GROUPS, LEGACY_RULE, INGRESS_RULE];

export const SECURITY_GROUP_RULES: readonly Rule[] = [
  {
    id: "MF-SG-1",
    level: "error",
    description: "No ingress from 0.0.0.0/0 or ::/0 (inline ingress blocks and standalone ingress rules).",
    fix: "Allow the security groups that need access (allowFrom/allowClients), or the CIDRs of your VPN or peered networks (service.clientCidrs), never the whole internet.",
    appliesTo: INGRESS_TYPES,
    check: (r) =>
      permissions(r)
        .filter((p) => p.direction === "ingress")
        .flatMap((p) => p.cidrs.filter((c) => WORLD.includes(c)).map((c) => `${p.where} admits ${c} on ${ports(p)}`)),
  },
  {
    id: "MF-SG-2",
    level: "error",
    description: "No ingress rule spans every port or protocol, whatever its source.",
    fix: "Open only the ports the service listens on (from_port = to_port = the port, protocol tcp).",
    appliesTo: INGRESS_TYPES,
    check: (r) =>
      permissions(r)
        .filter((p) => p.direction === "ingress" && allPorts(p))
        .map((p) => `${p.where} admits ${allProtocols(p) ? "all protocols" : `every ${p.protocol} port`}`),
  },
  {
    id: "MF-SG-3",
    level: "warning",
    description: "No egress to 0.0.0.0/0 or ::/0 on every port and protocol.",
    fix: "Narrow egress to the ports and destinations needed (443 to endpoints, 5432 to the database), or suppress with the reason the workload needs open egress.",
    appliesTo: [...GROUPS, LEGACY_RULE, EGRESS_RULE],
    check: (r) =>
      permissions(r)
        .filter((p) => p.direction === "egress" && allPorts(p))
        .flatMap((p) => p.cidrs.filter((c) => WORLD.includes(c)).map((c) => `${p.where} allows everything to ${c}`)),
  },
  {
    id: "MF-SG-4",
    level: "warning",
    description: "Every security group and every rule says what it is for (description).",
    fix: "Set description on the group and on each rule: who connects, to what, why.",
    appliesTo: ALL_TYPES,
    check(r) {
      const missing = permissions(r).filter((p) => !p.description).map((p) => `${p.where} has no description`);
      if (r.type === "aws_security_group" && (!r.body.description || r.body.description === "Managed by Terraform")) {
        missing.unshift("the group has no description");
      }
      return missing;
    },
  },
];
