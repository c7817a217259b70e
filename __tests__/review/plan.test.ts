import { actionKind, renderTerminal, reviewJson, summaryLine, toPlan, COUNT_ROWS } from "../../review";

/**
 * Reading plans of every format version, with hand-written plans for what terraform cannot be made to
 * produce offline here: forget, moved, import, drift, deferred changes, format 0.1 without action reasons
 * or sensitivity marks.
 */

function rc(address: string, actions: string[], change: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const [type, name] = address.replace(/\[[^\]]*\]$/, "").split(".").slice(-2);
  return {
    address, mode: address.startsWith("data.") ? "data" : "managed", type, name,
    change: { actions, before: null, after: null, after_unknown: {}, before_sensitive: false, after_sensitive: false, ...change },
    ...extra,
  };
}
const plan = (changes: unknown[], extra: Record<string, unknown> = {}) => ({
  format_version: "1.2", terraform_version: "1.9.8", planned_values: { root_module: {} }, resource_changes: changes, ...extra,
});

describe("action kinds", () => {
  test.each([
    [["create"], "create"],
    [["update"], "update"],
    [["delete", "create"], "replace-delete-first"],
    [["create", "delete"], "replace-create-first"],
    [["delete"], "delete"],
    [["forget"], "forget"],
    [["create", "forget"], "create-then-forget"],
    [["read"], "read"],
    [["no-op"], "no-op"],
    [["delete", "forget"], "other"],
  ])("%j is %s", (actions, kind) => {
    expect(actionKind(actions)).toBe(kind);
  });
});

describe("counts per action", () => {
  const review = reviewJson(
    plan([
      rc("aws_vpc.a", ["create"]),
      rc("aws_vpc.b", ["update"], { before: { cidr: "10.0.0.0/16" }, after: { cidr: "10.1.0.0/16" } }),
      rc("aws_subnet.c", ["delete", "create"], { action_reason: "replace_because_cannot_update" }, { action_reason: "replace_because_cannot_update" }),
      rc("aws_subnet.d", ["create", "delete"]),
      rc("aws_subnet.e", ["create", "delete"]),
      rc("aws_eip.f", ["delete"]),
      rc("aws_eip.g", ["forget"]),
      rc("data.aws_ami.h", ["read"]),
      rc("aws_vpc.i", ["no-op"]),
      rc("aws_vpc.j", ["no-op"], {}, { previous_address: "aws_vpc.old_j" }),
      rc("aws_vpc.k", ["no-op"], { importing: { id: "vpc-0123" } }),
    ]),
  );

  test("counts each action, replace destroy-first and create-first apart", () => {
    expect(review.counts).toEqual({
      create: 1, update: 1, "replace-delete-first": 1, "replace-create-first": 2, delete: 1, forget: 1,
      read: 1, "no-op": 3, moved: 1, import: 1, other: 0,
    });
  });

  test("the summary line names every non-zero count and leaves moved and imported resources out of 'unchanged'", () => {
    expect(summaryLine(review, COUNT_ROWS)).toBe(
      "Plan: 1 to create, 1 to update in place, 1 to replace, destroy first, 2 to replace, create first, 1 to delete, 1 to forget, 1 to read, 1 moved, 1 to import; 1 unchanged.",
    );
  });

  test("the terminal lists every count row, zero or not", () => {
    const text = renderTerminal(review);
    for (const [, label] of COUNT_ROWS) expect(text).toMatch(new RegExp(`^  ${label} +\\d+$`, "m"));
  });
});

describe("forget (Terraform 1.7+ removed blocks)", () => {
  const review = reviewJson(plan([rc("aws_s3_bucket.logs", ["forget"], { before: { bucket: "logs" } }), rc("aws_iam_role.r", ["create", "forget"])]));

  test("counts both as forgets and lists them as destructive", () => {
    expect(review.counts.forget).toBe(2);
    expect(review.destructive.map((d) => d.change.address)).toEqual(["aws_s3_bucket.logs", "aws_iam_role.r"]);
  });

  test("says what forgetting means", () => {
    const text = renderTerminal(review);
    expect(text).toContain("aws_s3_bucket.logs: forget (removed from state, left running)");
    expect(text).toContain("aws_iam_role.r: replace (create new, forget old: the old object is left running)");
  });
});

describe("moved resources (previous_address)", () => {
  const review = reviewJson(
    plan([
      rc("aws_vpc.main", ["no-op"], { before: { a: 1 }, after: { a: 1 } }, { previous_address: "aws_vpc.this" }),
      rc("aws_subnet.new", ["update"], { before: { a: 1 }, after: { a: 2 } }, { previous_address: "aws_subnet.old" }),
    ]),
  );

  test("counts every moved resource, with or without other changes", () => {
    expect(review.counts.moved).toBe(2);
    expect(review.counts.update).toBe(1);
  });

  test("a move alone is a change", () => {
    expect(review.hasChanges).toBe(true);
    expect(review.gate.exitCode).toBe(2);
  });

  test("lists a pure move as old -> new and annotates a moved update", () => {
    const text = renderTerminal(review);
    expect(text).toContain("aws_vpc.this -> aws_vpc.main");
    expect(text).toContain("~ aws_subnet.new (moved from aws_subnet.old)");
  });
});

describe("imports (change.importing)", () => {
  const review = reviewJson(plan([rc("aws_s3_bucket.old", ["no-op"], { importing: { id: "legacy-bucket" } }), rc("aws_vpc.v", ["update"], { importing: { id: "vpc-1" }, before: { a: 1 }, after: { a: 2 } })]));

  test("counts imports besides their action", () => {
    expect(review.counts.import).toBe(2);
    expect(review.counts.update).toBe(1);
  });

  test("lists each import with its id", () => {
    const text = renderTerminal(review);
    expect(text).toContain('aws_s3_bucket.old (importing id "legacy-bucket"): then no change');
    expect(text).toContain('aws_vpc.v (importing id "vpc-1"): then update in place');
  });
});

describe("drift (resource_drift)", () => {
  const review = reviewJson(
    plan([rc("aws_security_group.sg", ["update"], { before: { ingress: [] }, after: { ingress: [{ from_port: 22 }] } })], {
      resource_drift: [
        rc("aws_security_group.sg", ["update"], { before: { ingress: [{ from_port: 22 }] }, after: { ingress: [] } }),
        rc("aws_instance.gone", ["delete"], { before: { id: "i-1" } }),
      ],
      relevant_attributes: [{ resource: "aws_security_group.sg", attribute: ["ingress"] }],
    }),
  );

  test("shows what changed outside Terraform, attribute by attribute", () => {
    const text = renderTerminal(review);
    expect(text).toContain("Drift: changed outside Terraform since the last run (2)");
    expect(text).toContain("~ aws_security_group.sg: changed outside Terraform (this plan depends on it)");
    expect(text).toContain("ingress[0].from_port: 22 -> null");
    expect(text).toContain("- aws_instance.gone: deleted outside Terraform");
  });

  test("the summary line counts the drift", () => {
    expect(summaryLine(review, COUNT_ROWS)).toBe("Plan: 1 to update in place; 2 changed outside Terraform.");
  });

  test("drift alone does not count as a planned change", () => {
    const onlyDrift = reviewJson(plan([], { resource_drift: [rc("aws_instance.gone", ["delete"])] }));
    expect(summaryLine(onlyDrift, COUNT_ROWS)).toBe("No changes (1 changed outside Terraform).");
    expect(onlyDrift.hasChanges).toBe(false);
    expect(onlyDrift.gate.exitCode).toBe(0);
    expect(onlyDrift.drift).toHaveLength(1);
  });

  test("an attribute read back as empty where nobody set it (tags: null -> {}) is not drift", () => {
    const noise = reviewJson(
      plan([], {
        resource_drift: [
          rc("aws_api_gateway_method.m", ["update"], { before: { authorization_scopes: null, request_models: null, operation_name: null }, after: { authorization_scopes: [], request_models: {}, operation_name: "" } }),
          rc("aws_vpc.v", ["update"], { before: { tags: null, enable_dns_support: true }, after: { tags: {}, enable_dns_support: false } }),
        ],
      }),
    );
    expect(noise.drift.map((d) => d.change.address)).toEqual(["aws_vpc.v"]);
    expect(summaryLine(noise, COUNT_ROWS)).toBe("No changes (1 changed outside Terraform).");
  });

  test("an empty value that became a real one is drift", () => {
    const real = reviewJson(plan([], { resource_drift: [rc("aws_vpc.v", ["update"], { before: { tags: {} }, after: { tags: { Owner: "someone" } } })] }));
    expect(real.drift).toHaveLength(1);
  });

  test("builds the address of drift entries that lack one (Terraform 1.0.0)", () => {
    const entry = { mode: "managed", type: "aws_lambda_function", name: "fn", index: 0, module_address: "module.m", change: { actions: ["delete"], before: {} } };
    expect(toPlan(plan([], { resource_drift: [entry] })).drift[0].address).toBe("module.m.aws_lambda_function.fn[0]");
  });
});

describe("old and new format versions", () => {
  test.each(["0.1", "0.2", "1.0", "1.1", "1.2", "1.3"])("reads format_version %s", (v) => {
    expect(toPlan(plan([rc("aws_vpc.a", ["create"])], { format_version: v })).formatVersion).toBe(v);
  });

  // Format 0.1 as Terraform 0.12 to 0.14 wrote it: no action_reason, replace_paths, sensitivity, drift.
  const v01 = {
    format_version: "0.1",
    terraform_version: "0.12.31",
    planned_values: { root_module: {}, outputs: { db_password: { sensitive: true, value: "hunter2-legacy" } } },
    resource_changes: [
      { address: "aws_db_instance.db", mode: "managed", type: "aws_db_instance", name: "db", change: { actions: ["delete", "create"], before: { password: "hunter2-legacy", engine: "postgres" }, after: { password: "hunter2-legacy", engine: "mysql" }, after_unknown: { id: true } } },
      { address: "aws_vpc.v", mode: "managed", type: "aws_vpc", name: "v", change: { actions: ["update"], before: { tags: { A: "1" } }, after: { tags: { A: "2" } }, after_unknown: {} } },
    ],
    output_changes: { db_password: { actions: ["update"], before: "old-legacy-secret", after: "hunter2-legacy", after_unknown: false } },
  };
  const review = reviewJson(v01);

  test("format 0.1 reads without action reasons, replace paths or sensitivity marks", () => {
    expect(review.counts["replace-delete-first"]).toBe(1);
    expect(review.destructive[0].change.actionReason).toBeUndefined();
    expect(review.destructive[0].change.replacePaths).toEqual([]);
    expect(review.plan.drift).toEqual([]);
  });

  test("format 0.1 still blocks the replace of a protected database", () => {
    expect(review.gate.verdict).toBe("blocked");
  });

  test("format 0.1 masks outputs marked sensitive in planned_values and secret-looking attribute names, and says so", () => {
    const text = renderTerminal(review);
    expect(text).not.toContain("hunter2-legacy");
    expect(text).not.toContain("old-legacy-secret");
    expect(text).toContain("password: (sensitive) -> (sensitive)");
    expect(text).toContain("~ db_password: (sensitive) -> (sensitive)");
    expect(text).toContain("carries no sensitivity marks");
    expect(text).toContain('engine: "postgres" -> "mysql"');
  });

  test("a plan with no resource_changes at all (no changes in an old format) reads as no changes", () => {
    const empty = reviewJson({ format_version: "0.1", terraform_version: "0.12.0", planned_values: { root_module: {} } });
    expect(empty.hasChanges).toBe(false);
    expect(empty.gate.exitCode).toBe(0);
  });
});

describe("plan-level notes", () => {
  test("an errored plan says it cannot be applied", () => {
    expect(renderTerminal(reviewJson(plan([], { errored: true })))).toContain("errored: true): this plan is incomplete and cannot be applied");
  });

  test("deferred changes are noted and not counted", () => {
    const review = reviewJson(plan([], { deferred_changes: [{ reason: "provider_config_unknown", resource_change: rc("aws_vpc.later", ["create"]) }] }));
    expect(review.counts.create).toBe(0);
    expect(review.notes.join(" ")).toContain("1 change(s) are deferred to a later plan");
  });

  test("failed checks are listed with their messages", () => {
    const checks = [{ address: { kind: "output_value", name: "zones", to_display: "output.zones" }, status: "fail", instances: [{ address: { to_display: "output.zones" }, status: "fail", problems: [{ message: "need two zones" }] }] }];
    expect(renderTerminal(reviewJson(plan([], { checks })))).toContain("output.zones: fail: need two zones");
  });
});
