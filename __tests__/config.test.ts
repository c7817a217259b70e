import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseIpv4Cidr, contains, overlaps } from "../modules/config/cidr";
import { loadEnvironments, parseEnvironment, selectEnvironments } from "../modules/config/load";
import { ENDPOINTS_REQUIRED_WITHOUT_NAT } from "../modules/config/network-config";
import { defaultAvailabilityZones } from "../modules/config/regions";
import { CreateNetworkConfig } from "../modules/config/schema";
import { ECR_SERVICE_IMAGE, NO_NAT_JOB_IMAGE } from "./support/configs";

const created = (raw: unknown, name = "dev") => {
  const env = parseEnvironment(name, raw);
  if (env.config.network.mode !== "create") throw new Error("expected a created network");
  return { ...env.config, network: env.config.network as CreateNetworkConfig };
};

describe("config defaults", () => {
  test("an empty config is complete", () => {
    const c = created({});
    expect(c.region).toBe("us-east-1");
    expect(c.namePrefix).toBe("metaflow");
    expect(c.network.natGateways).toBe("single");
    expect(c.network.flowLogs.retentionDays).toBe(90);
    expect(c.storage).toMatchObject({ mode: "create", encryption: "kms" });
  });

  test("zones default to the region's first two", () => {
    expect(created({ region: "eu-west-1" }).network.availabilityZones).toEqual(["eu-west-1a", "eu-west-1b"]);
    expect(defaultAvailabilityZones("ap-northeast-1")).toEqual(["ap-northeast-1a", "ap-northeast-1c"]);
  });

  test("derived subnets lie inside the VPC, one per zone, none overlapping, private ones larger", () => {
    const { network } = created({ network: { mode: "create", vpcCidr: "10.8.0.0/16", availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"] } });
    const vpc = parseIpv4Cidr(network.vpcCidr)!;
    const all = [...network.privateSubnetCidrs, ...network.publicSubnetCidrs].map((c) => parseIpv4Cidr(c)!);
    expect(network.privateSubnetCidrs).toHaveLength(3);
    expect(network.publicSubnetCidrs).toHaveLength(3);
    for (const s of all) expect(contains(vpc, s)).toBe(true);
    all.forEach((a, i) => all.slice(i + 1).forEach((b) => expect(overlaps(a, b)).toBe(false)));
    expect(parseIpv4Cidr(network.privateSubnetCidrs[0])!.prefix).toBeLessThan(parseIpv4Cidr(network.publicSubnetCidrs[0])!.prefix);
  });

  test("the smallest VPC that still splits by default is /22", () => {
    expect(created({ network: { mode: "create", vpcCidr: "10.0.0.0/22" } }).network.publicSubnetCidrs).toEqual(["10.0.3.128/28", "10.0.3.144/28"]);
    expect(() => created({ network: { mode: "create", vpcCidr: "10.0.0.0/23" } })).toThrow(/too small to split/);
  });

  test("explicit subnet CIDRs are kept as given", () => {
    const { network } = created({
      network: { mode: "create", vpcCidr: "10.0.0.0/16", privateSubnetCidrs: ["10.0.0.0/18", "10.0.64.0/18"], publicSubnetCidrs: ["10.0.200.0/24", "10.0.201.0/24"] },
    });
    expect(network.privateSubnetCidrs).toEqual(["10.0.0.0/18", "10.0.64.0/18"]);
    expect(network.publicSubnetCidrs).toEqual(["10.0.200.0/24", "10.0.201.0/24"]);
  });

  test("an existing network keeps its ids and verifies subnets by default", () => {
    const env = parseEnvironment("dev", {
      network: { mode: "existing", vpcId: "vpc-0123456789abcdef0", privateSubnetIds: ["subnet-01234567", "subnet-89abcdef"] },
    });
    expect(env.config.network).toEqual({
      mode: "existing", vpcId: "vpc-0123456789abcdef0", privateSubnetIds: ["subnet-01234567", "subnet-89abcdef"], publicSubnetIds: [], verifySubnets: true,
    });
  });

  test("natGateways none is accepted when the required endpoints are listed and the service and job images are in ECR", () => {
    const { network, service } = created({
      network: { mode: "create", natGateways: "none", interfaceEndpoints: [...ENDPOINTS_REQUIRED_WITHOUT_NAT] },
      service: { image: ECR_SERVICE_IMAGE },
      compute: NO_NAT_JOB_IMAGE,
    });
    expect(network.natGateways).toBe("none");
    expect(network.interfaceEndpoints).toEqual([...ENDPOINTS_REQUIRED_WITHOUT_NAT]);
    expect(service.image).toBe(ECR_SERVICE_IMAGE);
  });

  test("tag lengths count characters as AWS does: 256 letters outside the BMP are a legal value", () => {
    const value = "\u{1D400}".repeat(256); // 512 UTF-16 code units
    expect(parseEnvironment("dev", { tags: { team: value } }).config.tags.team).toBe(value);
  });

  test("ARNs the stack may use: an AWS managed boundary, a principal and a KMS key of other accounts, GovCloud ARNs in GovCloud", () => {
    const env = parseEnvironment("dev", {
      accountId: "111111111111",
      permissionsBoundaryArn: "arn:aws:iam::aws:policy/PowerUserAccess",
      storage: { mode: "existing", bucketName: "acme-data", kmsKeyArn: "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
      scheduling: { users: { access: "role", principalArns: ["arn:aws:iam::333333333333:root"] } },
    });
    expect(env.config.permissionsBoundaryArn).toBe("arn:aws:iam::aws:policy/PowerUserAccess");
    expect(parseEnvironment("dev", { region: "us-gov-west-1", permissionsBoundaryArn: "arn:aws-us-gov:iam::123456789012:policy/b" }).config.region).toBe("us-gov-west-1");
  });

  test("an ECR image in the stack's region and partition is accepted, with NAT or without", () => {
    const image = "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/metaflow_metadata_service";
    expect(parseEnvironment("dev", { region: "cn-north-1", service: { image } }).config.service.image).toBe(image);
  });

  test("a $schema key is allowed and dropped", () => {
    expect(parseEnvironment("dev", { $schema: "./schema.json" }).config).not.toHaveProperty("$schema");
  });
});

describe("the ui area", () => {
  const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012";
  const ui = (raw: unknown) => parseEnvironment("dev", raw).config.ui;

  test("is off by default", () => {
    expect(ui({})).toEqual({ enabled: false });
  });

  test("on with only a certificate: internal, Cognito sign-in, one backend and one static task, a pinned static image", () => {
    expect(ui({ ui: { enabled: true, certificateArn: CERTIFICATE } })).toEqual({
      enabled: true,
      certificateArn: CERTIFICATE,
      scheme: "internal",
      clientCidrs: [],
      allowedCidrs: [],
      auth: "cognito",
      sessionTimeoutSeconds: 28800,
      backend: { cpu: 1024, memoryMiB: 4096, desiredCount: 1 },
      staticUi: { image: "public.ecr.aws/outerbounds/metaflow_ui", imageTag: "v1.3.13-5-g5dd049e", cpu: 256, memoryMiB: 512, desiredCount: 1 },
      logRetentionDays: 90,
    });
  });

  test("an OIDC provider fills its default scope", () => {
    const oidc = {
      issuer: "https://login.example.com", authorizationEndpoint: "https://login.example.com/authorize", tokenEndpoint: "https://login.example.com/token",
      userInfoEndpoint: "https://login.example.com/userinfo", clientId: "metaflow-ui", clientSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:ui-AbCdEf",
    };
    const parsed = ui({ ui: { enabled: true, certificateArn: CERTIFICATE, auth: "oidc", oidc } });
    expect(parsed.enabled && parsed.oidc).toEqual({ ...oidc, scope: "openid" });
  });

  test("internet-facing with allowed CIDRs and auth none internal are accepted", () => {
    expect(ui({ ui: { enabled: true, certificateArn: CERTIFICATE, scheme: "internet-facing", allowedCidrs: ["203.0.113.0/24"] } })).toMatchObject({ scheme: "internet-facing" });
    expect(ui({ ui: { enabled: true, certificateArn: CERTIFICATE, auth: "none", clientCidrs: ["10.8.0.0/16"] } })).toMatchObject({ auth: "none" });
  });
});

describe("loadEnvironments", () => {
  const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), "mf-config-"));

  test("an empty or missing directory gives the built-in default, dev", () => {
    expect(loadEnvironments(dir()).map((e) => e.name)).toEqual(["dev"]);
    expect(loadEnvironments(path.join(os.tmpdir(), "mf-config-does-not-exist")).map((e) => e.name)).toEqual(["dev"]);
  });

  test("each JSON file is an environment named after it, in name order; other files are ignored", () => {
    const d = dir();
    fs.writeFileSync(path.join(d, "prod.json"), JSON.stringify({ region: "eu-west-1" }));
    fs.writeFileSync(path.join(d, "dev.json"), "{}");
    fs.writeFileSync(path.join(d, "README.md"), "# notes");
    const envs = loadEnvironments(d);
    expect(envs.map((e) => [e.name, e.config.region])).toEqual([["dev", "us-east-1"], ["prod", "eu-west-1"]]);
    expect(envs[1].source).toBe(path.join(d, "prod.json"));
  });

  test("a byte-order mark at the start of a file is tolerated", () => {
    const d = dir();
    fs.writeFileSync(path.join(d, "dev.json"), "\uFEFF{\"region\": \"us-west-2\"}");
    expect(loadEnvironments(d)[0].config.region).toBe("us-west-2");
  });

  test("only keeps the named environments", () => {
    const d = dir();
    fs.writeFileSync(path.join(d, "dev.json"), "{}");
    fs.writeFileSync(path.join(d, "prod.json"), "{}");
    expect(selectEnvironments(loadEnvironments(d), ["prod"]).map((e) => e.name)).toEqual(["prod"]);
    expect(selectEnvironments(loadEnvironments(d), []).map((e) => e.name)).toEqual(["dev", "prod"]);
  });

  test("selecting an environment that does not exist names the ones that do", () => {
    const d = dir();
    fs.writeFileSync(path.join(d, "dev.json"), "{}");
    expect(() => selectEnvironments(loadEnvironments(d), ["nope"])).toThrow(/--env nope: no such environment; choose one of dev/);
  });

  test("every shipped example config is valid", () => {
    const examples = path.join(__dirname, "..", "examples", "environments");
    expect(loadEnvironments(examples).map((e) => e.name)).toEqual(["dev-small", "no-nat", "production", "shared-vpc", "ui"]);
  });
});
