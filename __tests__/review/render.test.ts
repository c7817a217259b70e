import { GITHUB_COMMENT_LIMIT, renderMarkdown, renderTerminal, reviewJson } from "../../review";

/**
 * Both layouts: terminal text and Markdown for pull-request comments. Destructive changes come first, the
 * Markdown stays under GitHub's comment limit, and sensitive values never appear in either.
 */

function rc(address: string, actions: string[], change: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const [type, name] = address.replace(/\[[^\]]*\]$/, "").split(".").slice(-2);
  return {
    address, mode: "managed", type, name,
    change: { actions, before: null, after: null, after_unknown: {}, before_sensitive: false, after_sensitive: false, ...change },
    ...extra,
  };
}
const plan = (changes: unknown[], extra: Record<string, unknown> = {}) => ({
  format_version: "1.2", terraform_version: "1.9.8", planned_values: { root_module: {} }, resource_changes: changes, ...extra,
});

const ESC = "\u001b[";

const mixed = plan([
  rc("aws_vpc.main", ["update"], { before: { tags: { Name: "a" } }, after: { tags: { Name: "b" } } }),
  rc("aws_subnet.private", ["delete", "create"], {
    before: { cidr_block: "10.0.0.0/19", id: "subnet-1" }, after: { cidr_block: "10.0.64.0/19" }, after_unknown: { id: true }, replace_paths: [["cidr_block"]],
  }, { action_reason: "replace_because_cannot_update" }),
  rc("aws_s3_bucket.data", ["delete"], { before: { bucket: "data" } }, { action_reason: "delete_because_no_resource_config" }),
  rc("null_resource.t", ["delete", "create"], {}, { action_reason: "replace_because_tainted" }),
  rc("aws_eip.nat", ["create"]),
], { output_changes: { vpc_id: { actions: ["update"], before: "vpc-1", after_unknown: true } } });

describe("terminal", () => {
  const review = reviewJson(mixed);
  const text = renderTerminal(review);

  test("lists destructive changes before updates and creates", () => {
    const destructive = text.indexOf("Destructive changes (3)");
    expect(destructive).toBeGreaterThan(0);
    expect(destructive).toBeLessThan(text.indexOf("Updates in place (1)"));
    expect(text.indexOf("Updates in place (1)")).toBeLessThan(text.indexOf("Creates (1)"));
  });

  test("lists the blocked change first among the destructive ones", () => {
    const section = text.slice(text.indexOf("Destructive changes"), text.indexOf("Updates in place"));
    expect(section.split("\n")[1]).toContain("aws_s3_bucket.data: delete  BLOCKED: protected (type aws_s3_bucket); approve with --allow aws_s3_bucket.data");
  });

  test("says why, in words, and which attributes force the replacement", () => {
    expect(text).toContain("why: a changed attribute cannot be updated in place (replace_because_cannot_update)");
    expect(text).toContain("why: the object is tainted (a failed create, or `terraform taint`) (replace_because_tainted)");
    expect(text).toContain("why: its resource block is no longer in the configuration (delete_because_no_resource_config)");
    expect(text).toContain("forces replacement: cidr_block");
    expect(text).toContain('cidr_block: "10.0.0.0/19" -> "10.0.64.0/19"  # forces replacement');
    expect(text).toContain('id: "subnet-1" -> (known after apply)');
  });

  test("shows output changes with unknown values", () => {
    expect(text).toContain('~ vpc_id: "vpc-1" -> (known after apply)');
  });

  test("ends with the verdict and how to approve", () => {
    const tail = text.trimEnd().split("\n").slice(-2);
    expect(tail[0]).toBe("Gate: BLOCKED: 1 protected resource would be deleted, replaced or forgotten without approval (exit 3)");
    expect(tail[1]).toContain("BLOCKED aws_s3_bucket.data: delete, protected (type aws_s3_bucket); approve with --allow aws_s3_bucket.data");
  });

  test("an approved change is listed as approved by --allow", () => {
    const approved = renderTerminal(reviewJson(mixed, { approvals: ["aws_s3_bucket.data"] }));
    expect(approved).toContain("aws_s3_bucket.data: delete  protected (type aws_s3_bucket), approved by --allow");
    expect(approved).toContain("approved aws_s3_bucket.data: delete, protected (type aws_s3_bucket), approved by --allow");
    expect(approved).toContain("Gate: changes to review (1 protected change approved) (exit 2)");
  });

  test("has no colour unless asked", () => {
    expect(text).not.toContain(ESC);
    expect(renderTerminal(review, { color: true })).toContain(`${ESC}31m`);
  });
});

describe("markdown", () => {
  const md = renderMarkdown(reviewJson(mixed, { source: "plan.json" }));

  test("starts with the summary and the verdict", () => {
    const lines = md.split("\n");
    expect(lines[0]).toBe("### Terraform plan review of `plan.json`");
    expect(md).toContain("**Plan: 1 to create, 1 to update in place, 2 to replace, destroy first, 1 to delete, 1 output to change.**");
    expect(md).toContain("⛔ **Gate: BLOCKED: 1 protected resource would be deleted, replaced or forgotten without approval** (exit 3)");
    expect(md).toContain("| to replace, destroy first | 2 |");
  });

  test("puts the destructive section first, details after it, collapsed", () => {
    const header = md.indexOf("#### Destructive changes (3)");
    expect(header).toBeGreaterThan(0);
    expect(header).toBeLessThan(md.indexOf("<details>"));
    expect(md).toContain("<details><summary>Updates in place (1)</summary>");
    expect(md).toContain("- ⛔ `aws_s3_bucket.data`: **delete**\n  - why: its resource block is no longer in the configuration (delete_because_no_resource_config)\n  - **BLOCKED: protected (type aws_s3_bucket)**; approve with `--allow aws_s3_bucket.data`");
    expect(md).toContain("  - forces replacement: `cidr_block`");
  });

  test("shows attribute changes as a diff", () => {
    expect(md).toContain('- tags.Name: "a"\n+ tags.Name: "b"');
    expect(md).toContain('- cidr_block: "10.0.0.0/19"   # forces replacement\n+ cidr_block: "10.0.64.0/19"   # forces replacement');
  });

  test("keeps a value's backticks from closing its code block", () => {
    const tricky = renderMarkdown(reviewJson(plan([rc("aws_ssm_parameter.p", ["update"], { before: { value: "a" }, after: { value: "```\n</details>" } })])));
    expect(tricky).toContain("````diff");
  });

  test("escapes HTML in summaries", () => {
    const review = reviewJson(plan([rc("aws_vpc.a", ["create"])]), { source: "<b>plan</b>.json" });
    expect(renderMarkdown(review)).toContain("### Terraform plan review of `<b>plan</b>.json`"); // inside a code span: harmless
  });

  test("says none when nothing is destructive, and the header stays", () => {
    expect(renderMarkdown(reviewJson(plan([rc("aws_vpc.a", ["create"])])))).toContain("#### Destructive changes (0): none");
  });
});

describe("markdown size: always under GitHub's comment limit", () => {
  const balanced = (md: string) => {
    expect(md.split("<details>").length).toBe(md.split("</details>").length);
    expect(md.split("\n").filter((l) => /^`{3,}/.test(l)).length % 2).toBe(0);
  };

  test("a plan with 20,000 updates of long values is cut in the details, with a note", () => {
    const updates = Array.from({ length: 20000 }, (_, i) =>
      rc(`aws_iam_policy.p${i}`, ["update"], { before: { policy: "x".repeat(300), tags: { n: `${i}` } }, after: { policy: "y".repeat(300), tags: { n: `${i + 1}` } } }),
    );
    const md = renderMarkdown(reviewJson(plan(updates), { source: "big.json" }));
    expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(md.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT - 2000); // the room is used, not wasted
    expect(md).toContain("**Plan: 20000 to update in place.**");
    expect(md).toContain("#### Destructive changes (0): none");
    expect(md).toMatch(/_\d+ of 20000 updated resources not shown: the comment would exceed GitHub's size limit\._/);
    expect(md).toContain("**Truncated:** GitHub comments hold at most 65,535 characters");
    expect(md).toContain("Run `npm run review -- big.json` for the full review.");
    balanced(md);
  });

  test("10,000 protected deletes keep the summary, the verdict and the destructive header", () => {
    const deletes = Array.from({ length: 10000 }, (_, i) => rc(`aws_s3_bucket.b${i}`, ["delete"], {}, { action_reason: "delete_because_no_resource_config" }));
    const md = renderMarkdown(reviewJson(plan(deletes)));
    expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(md).toContain("**Plan: 10000 to delete.**");
    expect(md).toContain("**Gate: BLOCKED: 10000 protected resources would be deleted, replaced or forgotten without approval** (exit 3)");
    expect(md).toContain("#### Destructive changes (10000)");
    expect(md).toMatch(/of 10000 destructive changes not shown/);
    expect(md).toContain("**Truncated:**");
    balanced(md);
  });

  test("a smaller limit is kept too", () => {
    const updates = Array.from({ length: 200 }, (_, i) => rc(`aws_vpc.v${i}`, ["update"], { before: { a: i }, after: { a: i + 1 } }));
    const md = renderMarkdown(reviewJson(plan(updates)), { maxLength: 4000 });
    expect(md.length).toBeLessThanOrEqual(4000);
    expect(md).toContain("**Truncated:**");
    balanced(md);
  });

  test("a plan that fits is not cut", () => {
    expect(md()).not.toContain("Truncated");
    function md() {
      return renderMarkdown(reviewJson(mixed));
    }
  });
});

describe("sensitive values never appear in any format", () => {
  const SECRET = "hunter2-review-secret-4d7e";
  const secretPlan = plan(
    [
      rc("aws_db_instance.db", ["update"], {
        before: { password: "old-value", tags: { Name: "db" } },
        after: { password: SECRET, tags: { Name: "db2" } },
        before_sensitive: { password: true },
        after_sensitive: { password: true },
      }),
      rc("aws_ecs_task_definition.t", ["create", "delete"], {
        before: { container: [{ env: { A: "1", TOKEN: "old" } }] },
        after: { container: [{ env: { A: "2", TOKEN: SECRET } }] },
        before_sensitive: { container: [{ env: { TOKEN: true } }] },
        after_sensitive: { container: [{ env: { TOKEN: true } }] },
      }),
      rc("aws_ssm_parameter.list", ["update"], {
        before: { values: ["a"] }, after: { values: ["a", SECRET] }, after_sensitive: { values: [false, true] },
      }),
      rc("aws_secretsmanager_secret_version.v", ["delete", "create"], {
        before: { secret_string: SECRET }, after: { secret_string: SECRET }, before_sensitive: true, after_sensitive: true,
      }),
    ],
    {
      output_changes: {
        db_password: { actions: ["create"], before: null, after: SECRET, after_unknown: false, before_sensitive: true, after_sensitive: true },
        conn: { actions: ["update"], before: { user: "u", pass: "old" }, after: { user: "u", pass: SECRET }, after_unknown: false, before_sensitive: true, after_sensitive: true },
      },
      resource_drift: [
        rc("aws_db_instance.db", ["update"], { before: { password: SECRET }, after: { password: "x" }, before_sensitive: { password: true }, after_sensitive: { password: true } }),
      ],
    },
  );
  const review = reviewJson(secretPlan);
  const terminal = renderTerminal(review);
  const markdown = renderMarkdown(review);

  test("the plan holds the secret (so this test can fail)", () => {
    expect(JSON.stringify(secretPlan)).toContain(SECRET);
  });

  test("the terminal output never holds it", () => {
    expect(terminal).not.toContain(SECRET);
    expect(terminal).not.toContain("hunter2");
  });

  test("the Markdown output never holds it", () => {
    expect(markdown).not.toContain(SECRET);
    expect(markdown).not.toContain("hunter2");
  });

  test("each masked place says (sensitive), and what is not sensitive still shows", () => {
    expect(terminal).toContain("password: (sensitive) -> (sensitive)");
    expect(terminal).toContain("container[0].env.TOKEN: (sensitive) -> (sensitive)");
    expect(terminal).toContain('container[0].env.A: "1" -> "2"');
    expect(terminal).toContain("values[1]: (sensitive) -> (sensitive)");
    expect(terminal).toContain("+ db_password = (sensitive)");
    expect(terminal).toContain("~ conn: (sensitive) -> (sensitive)");
    expect(markdown).toContain("+ container[0].env.TOKEN: (sensitive)");
    expect(markdown).toContain('+ tags.Name: "db2"');
  });

  test("the review model itself holds no secret for any other renderer to leak", () => {
    const { plan: _plan, ...rest } = review;
    const model = JSON.stringify(rest, (key, value) => (key === "change" ? value.address : value instanceof Set ? [...value] : value));
    expect(model).not.toContain(SECRET);
  });
});

describe("a blocked delete of a resource whose deletion protection is on", () => {
  const guarded = plan([
    rc("aws_dynamodb_table.t", ["delete", "create"], { before: { name: "a", deletion_protection_enabled: true }, after: { name: "b" } }, { action_reason: "replace_because_cannot_update" }),
    rc("aws_db_instance.d", ["delete"], { before: { identifier: "d", deletion_protection: false } }),
  ]);

  test("says, in both layouts, that approving is not enough and what to do", () => {
    const review = reviewJson(guarded);
    const note = "its deletion_protection_enabled is on, so AWS refuses the delete even when approved: back up its data, turn the protection off outside this plan, then approve it";
    expect(renderTerminal(review)).toContain(`note: ${note}`);
    expect(renderMarkdown(review)).toContain(`  - note: ${note}`);
  });

  test("is not said of a protected resource whose protection is off", () => {
    const text = renderTerminal(reviewJson(guarded));
    expect(text.match(/note: its deletion_protection/g)).toHaveLength(1);
    expect(text).not.toContain("its deletion_protection is on");
  });

  test("is said of a Cognito user pool, whose protection is \"ACTIVE\", and not of one whose protection is \"INACTIVE\"", () => {
    const pools = renderTerminal(reviewJson(plan([
      rc("aws_cognito_user_pool.on", ["delete"], { before: { name: "ui", deletion_protection: "ACTIVE" } }),
      rc("aws_cognito_user_pool.off", ["delete"], { before: { name: "old", deletion_protection: "INACTIVE" } }),
    ])));
    expect(pools.match(/note: its deletion_protection is on, so AWS refuses the delete even when approved/g)).toHaveLength(1);
    expect(pools).toMatch(/BLOCKED: protected \(type aws_cognito_user_pool\); approve with --allow aws_cognito_user_pool\.on/);
  });

  test("is not said of an unprotected resource with deletion protection", () => {
    const unprotected = reviewJson(plan([rc("aws_lb.l", ["delete"], { before: { enable_deletion_protection: true, deletion_protection: true } })]));
    expect(renderTerminal(unprotected)).not.toContain("note: its deletion_protection");
  });
});
