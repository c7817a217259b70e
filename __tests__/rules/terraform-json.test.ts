import * as fs from "fs";
import * as path from "path";
import { ALL_RULES } from "../../modules/rules";
import { looksSecret } from "../../modules/rules/ecs";
import { isDevLike } from "../../modules/rules/rds";
import { isEveryone, parseDocument, refersTo, statements } from "../../modules/rules/terraform-json";

describe("parseDocument", () => {
  test("reads cdktf's jsonencode, with bare and indexed references as ${...} strings", () => {
    const expression =
      '${jsonencode({"Statement" = [{"Effect" = "Allow", "Resource" = [aws_s3_bucket.b_1.arn, "${aws_s3_bucket.b_1.arn}/*"], "Secret" = aws_db_instance.d.master_user_secret[0].secret_arn, "N" = 3, "On" = true}]})}';
    expect(parseDocument(expression)).toEqual({
      Statement: [
        {
          Effect: "Allow",
          Resource: ["${aws_s3_bucket.b_1.arn}", "${aws_s3_bucket.b_1.arn}/*"],
          Secret: "${aws_db_instance.d.master_user_secret[0].secret_arn}",
          N: 3,
          On: true,
        },
      ],
    });
  });

  test("reads plain JSON", () => {
    expect(parseDocument('{"Statement": {"Effect": "Deny"}}')).toEqual({ Statement: { Effect: "Deny" } });
  });

  test.each([
    ["a data source's JSON", "${data.aws_iam_policy_document.x.json}"],
    ["broken JSON", "{ not json"],
    ["a number", 3],
  ])("is undefined for %s: the document is not known at synth", (_title, value) => {
    expect(parseDocument(value)).toBeUndefined();
  });

  test("statements() lists a single statement object as one", () => {
    expect(statements('{"Statement": {"Effect": "Deny"}}')).toEqual([{ Effect: "Deny" }]);
  });
});

describe("principals and references", () => {
  test.each([
    ["*", true],
    [{ AWS: "*" }, true],
    [{ AWS: ["arn:aws:iam::123456789012:root", "*"] }, true],
    [{ AWS: "arn:aws:iam::123456789012:root" }, false],
    [{ Service: "batch.amazonaws.com" }, false],
  ])("isEveryone(%j) is %s", (principal, expected) => {
    expect(isEveryone(principal)).toBe(expected);
  });

  const bucket = { type: "aws_s3_bucket", name: "b", address: "aws_s3_bucket.b", path: "s/b", body: { bucket: "my-bucket" } };
  test.each([
    ["${aws_s3_bucket.b.id}", true],
    ["${aws_s3_bucket.b.bucket}", true],
    ["my-bucket", true],
    ["${aws_s3_bucket.bb.id}", false],
    ["other-bucket", false],
  ])("refersTo(%s, the bucket) is %s", (value, expected) => {
    expect(refersTo(value, bucket, ["id", "bucket"])).toBe(expected);
  });
});

describe("name heuristics", () => {
  test.each(["MF_METADATA_DB_PSWD", "DB_PASSWORD", "PASSWD", "API_KEY", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "db-credentials", "ACCESSKEY", "PWD"])(
    "%s looks secret",
    (name) => expect(looksSecret(name)).toBe(true),
  );
  test.each(["MF_METADATA_DB_HOST", "MF_METADATA_DB_USER", "MF_METADATA_DB_SSL_MODE", "KEYBOARD_LAYOUT", "MF_MIGRATION_ENDPOINTS_ENABLED"])(
    "%s does not",
    (name) => expect(looksSecret(name)).toBe(false),
  );

  test.each(["dev", "dev2", "dev-eu", "development", "test", "testing", "sandbox", "ci", "demo"])("%s is dev-like", (name) => expect(isDevLike(name)).toBe(true));
  test.each(["prod", "production", "staging", "devops", "no-nat", "shared-vpc", undefined])("%s is not", (name) => expect(isDevLike(name)).toBe(false));
});

describe("modules/rules/README.md", () => {
  const readme = fs.readFileSync(path.join(__dirname, "..", "..", "modules", "rules", "README.md"), "utf8");
  test.each(ALL_RULES.map((r) => [r.id, r] as const))("lists %s with its level, description and fix", (id, rule) => {
    const row = readme.split("\n").find((line) => line.startsWith(`| \`${id}\` |`));
    expect(row).toBeDefined();
    const cells = row!.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));
    expect(cells[2]).toBe(rule.level);
    expect(cells[3]).toBe(rule.description);
    expect(cells[5]).toBe(rule.fix);
  });
});
