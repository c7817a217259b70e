import { isTrue, list, refersTo } from "./terraform-json";
import { Rule } from "./types";

/** Network: the default security group shut, no public IPs by default, load balancers internal. */

export const NETWORK_RULES: readonly Rule[] = [
  {
    id: "MF-VPC-1",
    level: "error",
    description: "Every VPC the stack creates takes over its default security group and leaves it without rules.",
    fix: "Add an aws_default_security_group for the VPC with no ingress and no egress (Network does), so nothing uses it by accident.",
    appliesTo: ["aws_vpc", "aws_default_security_group"],
    check(r, context) {
      if (r.type === "aws_vpc") {
        return context.resources("aws_default_security_group").some((g) => refersTo(g.body.vpc_id, r, ["id"]))
          ? []
          : ["its default security group is not managed, so it keeps AWS's allow-within-group rules"];
      }
      const rules = [...list(r.body.ingress), ...list(r.body.egress)];
      return rules.length > 0 ? [`the default security group has ${rules.length} rule${rules.length === 1 ? "" : "s"}`] : [];
    },
  },
  {
    id: "MF-VPC-2",
    level: "warning",
    description: "Subnets do not give instances public IPs on launch.",
    fix: "Set map_public_ip_on_launch = false; things that need a public address get one explicitly.",
    appliesTo: ["aws_subnet"],
    check: (r) => (isTrue(r.body.map_public_ip_on_launch) ? ["map_public_ip_on_launch is true"] : []),
  },
  {
    id: "MF-ELB-1",
    level: "warning",
    description: "Load balancers are internal; the public door is the API gateway, with a key and throttling.",
    fix: "Set internal = true and reach the service through the API gateway (service.publicAccess \"apiGateway\") or a VPN.",
    appliesTo: ["aws_lb", "aws_alb"],
    check: (r) => (isTrue(r.body.internal) ? [] : ["the load balancer is internet-facing"]),
  },
];
