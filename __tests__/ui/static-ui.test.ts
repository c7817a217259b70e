import { withUi } from "../support/configs";
import { envOf, rulesOn, shape, statementsOfRole, synthOnce, ui } from "./support";

/** The static UI: metaflow-ui's nginx, serving the app, pinned, with no AWS access of its own. */

describe("the static UI", () => {
  const out = synthOnce(withUi({ staticUi: { imageTag: "v1.3.12", desiredCount: 2 } }));
  const { static: s, lbGroupRef } = ui(out);

  test("runs the pinned metaflow-ui image on 3000, calling its API at /api on the same host", () => {
    expect(s.container.image).toBe("public.ecr.aws/outerbounds/metaflow_ui:v1.3.12");
    expect(s.container.portMappings).toEqual([{ containerPort: 3000, protocol: "tcp" }]);
    expect(envOf(s.container)).toEqual({ PORT: "3000", METAFLOW_SERVICE: "/api" });
  });

  test("has no task role and no secrets", () => {
    expect(s.task.task_role_arn).toBeUndefined();
    expect(s.container.secrets).toBeUndefined();
  });

  test("its execution role only writes its logs (a public image needs no ECR permission)", () => {
    expect(statementsOfRole(out, "metaflow-dev-ui-static-execution").map((st) => st.Sid)).toEqual(["WriteLogs"]);
  });

  test("is healthy while nginx serves the app at /", () => {
    expect(s.targets.health_check).toMatchObject({ path: "/", matcher: "200", healthy_threshold: 2 });
    expect(s.targets).toMatchObject({ port: 3000, protocol: "HTTP", name_prefix: "mfuis-" });
  });

  test("runs its count on Fargate in the private subnets without public IPs, rolling failed deployments back", () => {
    expect(s.ecs).toMatchObject({ desired_count: 2, launch_type: "FARGATE", deployment_circuit_breaker: { enable: true, rollback: true } });
    expect(s.ecs.network_configuration.assign_public_ip).toBe(false);
    expect(s.task).toMatchObject({ cpu: "256", memory: "512" });
  });

  test("admits the load balancer on 3000 and lets out HTTPS only", () => {
    expect(rulesOn(out, s.groupRef, "ingress").map(shape)).toEqual([{ protocol: "tcp", from: 3000, to: 3000, peer: lbGroupRef }]);
    expect(rulesOn(out, s.groupRef, "egress").map(shape)).toEqual([{ protocol: "tcp", from: 443, to: 443, peer: "0.0.0.0/0" }]);
  });

  test("its service waits for its route on the load balancer", () => {
    const [ruleId] = Object.entries<any>(out.json.resource.aws_lb_listener_rule).find(([, r]) => r.priority === 30)!;
    expect(s.ecs.depends_on).toContain(`aws_lb_listener_rule.${ruleId}`);
  });
});
