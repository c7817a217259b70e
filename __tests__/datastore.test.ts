import { Testing } from "cdktf";
import { parseEnvironment } from "../modules/config/load";
import { MetaflowStack } from "../modules/metaflow-stack";
import { KMS_DECRYPT, KMS_ENCRYPT, S3_BUCKET_READ } from "../modules/perms";
import { Role } from "../modules/role";
import { PolicyStatement } from "../modules/policy";
import { Synthesized, synth } from "./support/synth";
import { entries, entryIn, list, policyDoc, ref, resourceIn, resourcesIn } from "./support/json";

type Body = Record<string, any>;

const sorted = (xs: readonly unknown[]) => [...xs].map(String).sort();

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9";
const EXISTING_BUCKET = "team-metaflow-data";

describe("Datastore (create mode, defaults)", () => {
  const out = synth();
  const [bucketId, bucket] = entryIn(out, "aws_s3_bucket", "storage");
  const [keyId, key] = entryIn(out, "aws_kms_key", "storage");
  const bucketRef = ref("aws_s3_bucket", bucketId!);

  test("creates exactly one bucket", () => {
    expect(resourcesIn(out, "aws_s3_bucket", "storage")).toHaveLength(1);
  });

  test("the public access block sets all four flags on the bucket", () => {
    const block = resourceIn(out, "aws_s3_bucket_public_access_block", "storage");
    expect(block.bucket).toBe(bucketRef);
    expect(block.block_public_acls).toBe(true);
    expect(block.block_public_policy).toBe(true);
    expect(block.ignore_public_acls).toBe(true);
    expect(block.restrict_public_buckets).toBe(true);
  });

  test("object ownership is BucketOwnerEnforced (ACLs disabled)", () => {
    const ownership = resourceIn(out, "aws_s3_bucket_ownership_controls", "storage");
    expect(ownership.bucket).toBe(bucketRef);
    expect(list(ownership.rule).map((r: any) => r.object_ownership)).toEqual(["BucketOwnerEnforced"]);
  });

  test("default encryption is SSE-KMS with the stack's own KMS key", () => {
    const sse = resourceIn(out, "aws_s3_bucket_server_side_encryption_configuration", "storage");
    expect(sse.bucket).toBe(bucketRef);
    expect(sse.rule).toHaveLength(1);
    const byDefault = list(sse.rule[0].apply_server_side_encryption_by_default)[0] as Body;
    expect(byDefault.sse_algorithm).toBe("aws:kms");
    expect(byDefault.kms_master_key_id).toBe(ref("aws_kms_key", keyId!, "arn"));
  });

  test("the S3 bucket key is enabled", () => {
    expect(resourceIn(out, "aws_s3_bucket_server_side_encryption_configuration", "storage").rule[0].bucket_key_enabled).toBe(true);
  });

  test("the KMS key rotates", () => {
    expect(key!.enable_key_rotation).toBe(true);
  });

  test("the KMS key deletion window is the configured kmsKeyDeletionWindowDays", () => {
    expect(key!.deletion_window_in_days).toBe(30);
    const custom = synth({ storage: { mode: "create", kmsKeyDeletionWindowDays: 7 } });
    expect(resourceIn(custom, "aws_kms_key", "storage").deletion_window_in_days).toBe(7);
  });

  test("versioning is Enabled on the bucket", () => {
    const versioning = resourceIn(out, "aws_s3_bucket_versioning", "storage");
    expect(versioning.bucket).toBe(bucketRef);
    expect(list(versioning.versioning_configuration)[0]).toMatchObject({ status: "Enabled" });
  });

  describe("lifecycle rules", () => {
    const rulesOf = (o: Synthesized) => resourceIn(o, "aws_s3_bucket_lifecycle_configuration", "storage").rule as Body[];
    const custom = synth({ storage: { mode: "create", noncurrentVersionRetentionDays: 400, abortIncompleteUploadsAfterDays: 3 } });

    test("apply to the datastore bucket, every rule enabled", () => {
      expect(resourceIn(out, "aws_s3_bucket_lifecycle_configuration", "storage").bucket).toBe(bucketRef);
      for (const rule of rulesOf(out)) expect(rule.status).toBe("Enabled");
    });

    test("noncurrent versions expire after the default 90 days", () => {
      const days = rulesOf(out).flatMap((r) => list(r.noncurrent_version_expiration ?? [])).map((e: any) => e.noncurrent_days);
      expect(days).toEqual([90]);
    });

    test("noncurrent versions expire after the configured noncurrentVersionRetentionDays", () => {
      const days = rulesOf(custom).flatMap((r) => list(r.noncurrent_version_expiration ?? [])).map((e: any) => e.noncurrent_days);
      expect(days).toEqual([400]);
    });

    test("incomplete multipart uploads are aborted after the default 7 days", () => {
      const days = rulesOf(out).flatMap((r) => list(r.abort_incomplete_multipart_upload ?? [])).map((a: any) => a.days_after_initiation);
      expect(days).toEqual([7]);
    });

    test("incomplete multipart uploads are aborted after the configured abortIncompleteUploadsAfterDays", () => {
      const days = rulesOf(custom).flatMap((r) => list(r.abort_incomplete_multipart_upload ?? [])).map((a: any) => a.days_after_initiation);
      expect(days).toEqual([3]);
    });

    test("no rule expires current object versions", () => {
      for (const rule of rulesOf(out)) {
        for (const e of list(rule.expiration ?? [])) {
          expect((e as Body).days).toBeUndefined();
          expect((e as Body).date).toBeUndefined();
        }
      }
    });
  });

  describe("bucket policy", () => {
    const policy = resourceIn(out, "aws_s3_bucket_policy", "storage");
    const doc = policyDoc(policy.policy);
    const bucketArn = ref("aws_s3_bucket", bucketId!, "arn");

    test("is attached to the datastore bucket", () => {
      expect(policy.bucket).toBe(bucketRef);
    });

    test("denies every S3 action to everyone when aws:SecureTransport is false, on the bucket and its objects", () => {
      const insecure = doc.Statement.filter((s: any) => s.Condition?.Bool?.["aws:SecureTransport"] !== undefined);
      expect(insecure).toHaveLength(1);
      const [s] = insecure;
      expect(s.Effect).toBe("Deny");
      expect(s.Principal).toBe("*");
      expect(list(s.Action)).toEqual(["s3:*"]);
      expect(s.Condition.Bool["aws:SecureTransport"]).toBe("false");
      expect(sorted(list(s.Resource))).toEqual(sorted([bucketArn, `${bucketArn}/*`]));
    });

    test("denies requests below TLS 1.2", () => {
      const tls = doc.Statement.filter((s: any) => s.Condition?.NumericLessThan?.["s3:TlsVersion"] !== undefined);
      expect(tls).toHaveLength(1);
      expect(tls[0].Effect).toBe("Deny");
      expect(tls[0].Condition.NumericLessThan["s3:TlsVersion"]).toBe("1.2");
    });

    test("contains only Deny statements", () => {
      for (const s of doc.Statement) expect(s.Effect).toBe("Deny");
    });
  });

  test("the bucket has force_destroy false", () => {
    expect(bucket!.force_destroy).toBe(false);
  });

  test("the bucket has lifecycle prevent_destroy", () => {
    expect(bucket!.lifecycle?.prevent_destroy).toBe(true);
  });

  test("the KMS key has lifecycle prevent_destroy", () => {
    expect(key!.lifecycle?.prevent_destroy).toBe(true);
  });

  test("profile output METAFLOW_DEFAULT_DATASTORE is s3", () => {
    expect(out.outputs.METAFLOW_DEFAULT_DATASTORE.value).toBe("s3");
  });

  test("profile output METAFLOW_DATASTORE_SYSROOT_S3 is the bucket with /metaflow", () => {
    expect(out.outputs.METAFLOW_DATASTORE_SYSROOT_S3.value).toBe(`s3://${ref("aws_s3_bucket", bucketId!, "bucket")}/metaflow`);
  });

  test("profile output METAFLOW_DATATOOLS_S3ROOT is the bucket with /data", () => {
    expect(out.outputs.METAFLOW_DATATOOLS_S3ROOT.value).toBe(`s3://${ref("aws_s3_bucket", bucketId!, "bucket")}/data`);
  });

  test("the Datastore construct's profile has exactly the three datastore keys", () => {
    expect(Object.keys(out.stack.deployment.datastore.profile).sort()).toEqual([
      "METAFLOW_DATASTORE_SYSROOT_S3",
      "METAFLOW_DATATOOLS_S3ROOT",
      "METAFLOW_DEFAULT_DATASTORE",
    ]);
  });
});

describe('Datastore with encryption "s3"', () => {
  const out = synth({ storage: { mode: "create", encryption: "s3" } });

  test("default encryption is AES256", () => {
    const byDefault = list(resourceIn(out, "aws_s3_bucket_server_side_encryption_configuration", "storage").rule[0].apply_server_side_encryption_by_default)[0] as Body;
    expect(byDefault.sse_algorithm).toBe("AES256");
    expect(byDefault.kms_master_key_id).toBeUndefined();
  });

  test("no bucket key is requested", () => {
    expect(resourceIn(out, "aws_s3_bucket_server_side_encryption_configuration", "storage").rule[0].bucket_key_enabled).not.toBe(true);
  });

  test("no KMS key or alias is created", () => {
    expect(resourcesIn(out, "aws_kms_key", "storage")).toEqual([]);
    expect(resourcesIn(out, "aws_kms_alias", "storage")).toEqual([]);
  });

  test("the bucket is still created, versioned and TLS-only", () => {
    expect(resourcesIn(out, "aws_s3_bucket", "storage")).toHaveLength(1);
    expect(resourceIn(out, "aws_s3_bucket_versioning", "storage").versioning_configuration.status).toBe("Enabled");
    expect(resourceIn(out, "aws_s3_bucket_policy", "storage").policy).toMatch(/"aws:SecureTransport" = "false"/);
  });
});

describe("Datastore (existing bucket)", () => {
  const out = synth({ storage: { mode: "existing", bucketName: EXISTING_BUCKET } });

  test("creates no bucket, bucket settings or KMS key", () => {
    for (const type of [
      "aws_s3_bucket", "aws_s3_bucket_public_access_block", "aws_s3_bucket_ownership_controls",
      "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_versioning",
      "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket_policy", "aws_kms_key", "aws_kms_alias",
    ]) {
      expect([type, resourcesIn(out, type, "storage").length]).toEqual([type, 0]);
    }
  });

  test("datastore_bucket_name is the given name", () => {
    expect(out.outputs.datastore_bucket_name.value).toBe(EXISTING_BUCKET);
  });

  test("the profile uses the given bucket name", () => {
    expect(out.outputs.METAFLOW_DEFAULT_DATASTORE.value).toBe("s3");
    expect(out.outputs.METAFLOW_DATASTORE_SYSROOT_S3.value).toBe(`s3://${EXISTING_BUCKET}/metaflow`);
    expect(out.outputs.METAFLOW_DATATOOLS_S3ROOT.value).toBe(`s3://${EXISTING_BUCKET}/data`);
  });

  test("the bucket ARN is built in the region's partition", () => {
    expect(out.stack.deployment.datastore.bucketArn).toBe(`arn:aws:s3:::${EXISTING_BUCKET}`);
    const cn = synth({ region: "cn-north-1", storage: { mode: "existing", bucketName: EXISTING_BUCKET } });
    expect(cn.stack.deployment.datastore.bucketArn).toBe(`arn:aws-cn:s3:::${EXISTING_BUCKET}`);
  });
});

describe("Datastore grants", () => {
  /** A stack from `raw`, a test role in it, `grant` applied, then the role's inline policies. */
  function grantTo(raw: unknown, grant: (stack: MetaflowStack, role: Role) => void) {
    const stack = new MetaflowStack(Testing.app(), parseEnvironment("dev", raw));
    const role = new Role(stack, "test-job-role", {
      name: "metaflow-dev-test-job",
      assumedBy: "ecs-tasks.amazonaws.com",
      description: "Role for grant tests",
    });
    grant(stack, role);
    const out = new Synthesized(JSON.parse(Testing.synth(stack, true)));
    const [roleId] = entries(out, "aws_iam_role").find(([, r]) => r.name === "metaflow-dev-test-job")!;
    const policies = out.resources("aws_iam_role_policy").filter((p) => p.role === ref("aws_iam_role", roleId));
    return { out, policies };
  }
  const statementsOf = (policy: Body) => policyDoc(policy.policy).Statement as Body[];
  const actionsOf = (policy: Body) => sorted(statementsOf(policy).flatMap((s) => list(s.Action)));
  const read = grantTo({}, (stack, role) => stack.deployment.datastore.grantRead(role));
  const readWrite = grantTo({}, (stack, role) => stack.deployment.datastore.grantReadWrite(role));

  test("grantRead adds one inline policy to the role", () => {
    expect(read.policies).toHaveLength(1);
  });

  test("grantRead allows exactly the bucket read, object read and KMS decrypt actions", () => {
    expect(actionsOf(read.policies[0])).toEqual(["kms:Decrypt", "s3:GetObject", "s3:ListBucket"]);
  });

  test("grantRead does not allow PutObject or DeleteObject", () => {
    const actions = actionsOf(read.policies[0]);
    expect(actions).not.toContain("s3:PutObject");
    expect(actions).not.toContain("s3:DeleteObject");
    for (const a of KMS_ENCRYPT) expect(actions).not.toContain(a);
  });

  test("grantReadWrite allows exactly what Metaflow's S3 client calls: list, get, put (with the multipart abort), data keys and decrypt", () => {
    expect(readWrite.policies).toHaveLength(1);
    expect(actionsOf(readWrite.policies[0])).toEqual(
      ["kms:Decrypt", "kms:GenerateDataKey", "s3:AbortMultipartUpload", "s3:GetObject", "s3:ListBucket", "s3:PutObject"],
    );
  });

  test("grantReadWrite does not allow DeleteObject: Metaflow never deletes", () => {
    expect(actionsOf(readWrite.policies[0])).not.toContain("s3:DeleteObject");
  });

  test("readWriteStatements with delete (for people cleaning up by hand) adds exactly s3:DeleteObject, on the objects", () => {
    const ds = synth().stack.deployment.datastore;
    // A literal config: plain statements only (no Terraform-conditional groups).
    const plain = (ds.readWriteStatements() as PolicyStatement[]).flatMap((s) => list(s.Action));
    const withDelete = ds.readWriteStatements({ delete: true }) as PolicyStatement[];
    expect(withDelete.flatMap((s) => list(s.Action)).filter((a) => !plain.includes(a))).toEqual(["s3:DeleteObject"]);
    expect(list(withDelete.find((s) => list(s.Action).includes("s3:DeleteObject"))!.Resource)[0]).toMatch(/\/\*$/);
  });

  test("bucket actions are scoped to the bucket ARN and object actions to its objects", () => {
    const [bucketId] = entryIn(readWrite.out, "aws_s3_bucket", "storage");
    const bucketArn = ref("aws_s3_bucket", bucketId, "arn");
    for (const s of statementsOf(readWrite.policies[0])) {
      expect(s.Effect).toBe("Allow");
      const actions = list(s.Action).map(String);
      if (actions.every((a) => (S3_BUCKET_READ as readonly string[]).includes(a))) expect(list(s.Resource)).toEqual([bucketArn]);
      else if (actions.every((a) => a.startsWith("s3:"))) expect(list(s.Resource)).toEqual([`${bucketArn}/*`]);
      else expect(actions.every((a) => a.startsWith("kms:"))).toBe(true);
    }
  });

  test("no grant uses a wildcard action or a bare * resource", () => {
    for (const policy of [read.policies[0], readWrite.policies[0]]) {
      for (const s of statementsOf(policy)) {
        for (const a of list(s.Action)) expect(a).not.toMatch(/\*/);
        for (const r of list(s.Resource)) expect(r).not.toBe("*");
      }
    }
  });

  test("the KMS statement names the stack's KMS key when the stack creates one", () => {
    const [keyId] = entryIn(readWrite.out, "aws_kms_key", "storage");
    const kms = statementsOf(readWrite.policies[0]).filter((s) => list(s.Action).some((a) => String(a).startsWith("kms:")));
    expect(kms).toHaveLength(1);
    expect(list(kms[0].Resource)).toEqual([ref("aws_kms_key", keyId, "arn")]);
  });

  test('with encryption "s3" there is no KMS statement', () => {
    const { policies } = grantTo({ storage: { mode: "create", encryption: "s3" } }, (stack, role) => stack.deployment.datastore.grantReadWrite(role));
    expect(actionsOf(policies[0]).filter((a) => a.startsWith("kms:"))).toEqual([]);
  });

  test("an existing bucket without kmsKeyArn gets no KMS statement, and S3 statements on its ARN", () => {
    const { policies } = grantTo({ storage: { mode: "existing", bucketName: EXISTING_BUCKET } }, (stack, role) =>
      stack.deployment.datastore.grantReadWrite(role),
    );
    const statements = statementsOf(policies[0]);
    expect(statements.flatMap((s) => list(s.Action)).filter((a) => String(a).startsWith("kms:"))).toEqual([]);
    expect(sorted(statements.flatMap((s) => list(s.Resource)))).toEqual(
      sorted([`arn:aws:s3:::${EXISTING_BUCKET}`, `arn:aws:s3:::${EXISTING_BUCKET}/*`]),
    );
  });

  test("an existing bucket with kmsKeyArn gets a KMS statement on that ARN", () => {
    const { policies } = grantTo({ storage: { mode: "existing", bucketName: EXISTING_BUCKET, kmsKeyArn: KEY_ARN } }, (stack, role) =>
      stack.deployment.datastore.grantRead(role),
    );
    const kms = statementsOf(policies[0]).filter((s) => list(s.Action).some((a) => String(a).startsWith("kms:")));
    expect(kms).toHaveLength(1);
    expect(list(kms[0].Resource)).toEqual([KEY_ARN]);
    expect(sorted(list(kms[0].Action))).toEqual(sorted(KMS_DECRYPT));
  });

  test("granting read twice to one role throws", () => {
    expect(() =>
      grantTo({}, (stack, role) => {
        stack.deployment.datastore.grantRead(role);
        stack.deployment.datastore.grantRead(role);
      }),
    ).toThrow(/already has a policy named "datastore-read"/);
  });

  test("granting read-write twice to one role throws", () => {
    expect(() =>
      grantTo({}, (stack, role) => {
        stack.deployment.datastore.grantReadWrite(role);
        stack.deployment.datastore.grantReadWrite(role);
      }),
    ).toThrow(/already has a policy named "datastore-read-write"/);
  });
});
