import { isTrue, isUnresolved, list, refersTo } from "./terraform-json";
import { Rule, RuleContext, SynthResource } from "./types";

/**
 * Network: the default security group shut, no public IPs by default, load balancers internal, and
 * application load balancers HTTPS only with a current TLS policy, clean headers, and sign-in in front of
 * everything they forward when they face the internet.
 */

const LOAD_BALANCERS = ["aws_lb", "aws_alb"];
const LISTENERS = ["aws_lb_listener", "aws_alb_listener"];
const LISTENER_RULES = ["aws_lb_listener_rule", "aws_alb_listener_rule"];
/** AWS's TLS 1.3 policies (ELBSecurityPolicy-TLS13-1-2-2021-06 and its relatives): TLS 1.2 at the least. */
const TLS13_POLICY = /^ELBSecurityPolicy-TLS13-1-[23]-/;
const AUTHENTICATE = ["authenticate-cognito", "authenticate-oidc"];

const isApplication = (lb: SynthResource) => (lb.body.load_balancer_type ?? "application") === "application";
/** A listener's protocol; an application load balancer's listener without one is HTTP. */
const protocolOf = (listener: SynthResource) => String(listener.body.protocol ?? "HTTP").toUpperCase();
const resourcesOf = (context: RuleContext, types: readonly string[]) => types.flatMap((t) => context.resources(t));

/** Actions in the order the load balancer runs them (`order`, else as listed). */
const ordered = (actions: unknown): Record<string, any>[] =>
  list<Record<string, any>>(actions).map((a, i) => ({ a, i })).sort((x, y) => (x.a.order ?? x.i) - (y.a.order ?? y.i)).map((x) => x.a);

/** Whether every forward in `actions` comes after an authenticate action. */
function signsInBeforeForward(actions: unknown): boolean {
  let signedIn = false;
  for (const action of ordered(actions)) {
    if (AUTHENTICATE.includes(action.type)) signedIn = true;
    if (action.type === "forward" && !signedIn) return false;
  }
  return true;
}

/** What an HTTP listener (or a rule on one) does besides redirecting to HTTPS. */
function plainHttp(actions: unknown, where: string): string[] {
  return list<Record<string, any>>(actions)
    .filter((a) => !(a.type === "redirect" && String(a.redirect?.protocol ?? "").toUpperCase() === "HTTPS"))
    .map((a) => `${where} ${a.type ?? "(no type)"}s plain HTTP instead of redirecting to HTTPS`);
}

/** The listener a listener rule belongs to, when it is in the stack. */
const listenerOf = (rule: SynthResource, context: RuleContext) => resourcesOf(context, LISTENERS).find((l) => refersTo(rule.body.listener_arn, l, ["arn", "id"]));

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
    appliesTo: LOAD_BALANCERS,
    check: (r) => (isTrue(r.body.internal) ? [] : ["the load balancer is internet-facing"]),
  },
  {
    id: "MF-ELB-2",
    level: "error",
    description: "Application load balancers serve HTTPS only: an HTTP listener (and every rule on it) only redirects to HTTPS.",
    fix: 'Serve on an HTTPS listener with a certificate, and give the HTTP listener one default action { type = "redirect", redirect { protocol = "HTTPS", port = "443", status_code = "HTTP_301" } } (UiLoadBalancer does).',
    appliesTo: [...LISTENERS, ...LISTENER_RULES],
    check(r, context) {
      if (LISTENERS.includes(r.type)) return protocolOf(r) === "HTTP" ? plainHttp(r.body.default_action, `the HTTP listener on port ${r.body.port ?? 80}`) : [];
      const listener = listenerOf(r, context);
      return listener && protocolOf(listener) === "HTTP" ? plainHttp(r.body.action, `this rule of the HTTP listener ${listener.address}`) : [];
    },
  },
  {
    id: "MF-ELB-3",
    level: "error",
    description: "HTTPS and TLS listeners use a TLS 1.3 security policy (ELBSecurityPolicy-TLS13-1-2-2021-06 or newer), which refuses TLS 1.0 and 1.1.",
    fix: 'Set ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06" (or a newer ELBSecurityPolicy-TLS13-* policy).',
    appliesTo: LISTENERS,
    check(r) {
      if (!["HTTPS", "TLS"].includes(protocolOf(r))) return [];
      const policy = r.body.ssl_policy;
      if (policy === undefined) return ["ssl_policy is not set, so AWS uses ELBSecurityPolicy-2016-08, which accepts TLS 1.0 and 1.1"];
      return isUnresolved(policy) || TLS13_POLICY.test(String(policy)) ? [] : [`ssl_policy is ${policy}, not a TLS 1.3 policy`];
    },
  },
  {
    id: "MF-ELB-4",
    level: "error",
    description: "Application load balancers drop HTTP header fields that are not valid (drop_invalid_header_fields), so malformed headers never reach the services.",
    fix: "Set drop_invalid_header_fields = true.",
    appliesTo: LOAD_BALANCERS,
    check: (r) => (!isApplication(r) || isTrue(r.body.drop_invalid_header_fields) ? [] : ["drop_invalid_header_fields is not true"]),
  },
  {
    id: "MF-ELB-5",
    level: "error",
    description: "An internet-facing application load balancer signs people in before it forwards anything: every forward on its listeners follows an authenticate-cognito or authenticate-oidc action.",
    fix: 'Put an authenticate-cognito or authenticate-oidc action before each forward (ui.auth "cognito" or "oidc"; SignIn does), or make the load balancer internal.',
    appliesTo: LOAD_BALANCERS,
    check(r, context) {
      if (isTrue(r.body.internal) || !isApplication(r)) return [];
      const listeners = resourcesOf(context, LISTENERS).filter((l) => refersTo(l.body.load_balancer_arn, r, ["arn", "id"]));
      const problems: string[] = [];
      for (const listener of listeners) {
        if (!signsInBeforeForward(listener.body.default_action)) problems.push(`${listener.address} forwards by default without signing people in`);
        for (const rule of resourcesOf(context, LISTENER_RULES).filter((x) => refersTo(x.body.listener_arn, listener, ["arn", "id"]))) {
          if (!signsInBeforeForward(rule.body.action)) problems.push(`${rule.address} forwards without signing people in`);
        }
      }
      return problems;
    },
  },
];
