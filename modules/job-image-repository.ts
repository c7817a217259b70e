import { Construct } from "constructs";
import { Fn, Token } from "cdktf";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Naming } from "./naming";
import { dnsSuffixFor } from "./partition";

export interface JobImageRepositoryProps {
  readonly naming: Naming;
  readonly region: string;
  /** Days an untagged image is kept. */
  readonly untaggedImageExpiryDays: number;
}

/**
 * A private ECR repository for the image Metaflow's Batch jobs run, in the stack's region, so jobs pull
 * it through the VPC's ECR endpoints without NAT: tags immutable (a tag always means one image), every
 * push scanned, images encrypted with KMS, untagged images expired. You build and push the image
 * (docs/job-image.md); the profile names `<repository>:<tag>`.
 */
export class JobImageRepository extends Construct {
  public readonly repository: EcrRepository;
  /** The registry: `<account>.dkr.ecr.<region>.<the partition's DNS suffix>`. */
  public readonly registry: string;

  constructor(scope: Construct, id: string, props: JobImageRepositoryProps) {
    super(scope, id);
    this.repository = new EcrRepository(this, "repository", {
      name: props.naming.ecrRepository("jobs"),
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: "KMS" }],
      forceDelete: false,
    });
    this.registry = `${this.repository.registryId}.dkr.ecr.${props.region}.${dnsSuffixFor(this, props.region)}`;
    new EcrLifecyclePolicy(this, "lifecycle", {
      repository: this.repository.name,
      policy: Fn.jsonencode({
        rules: [
          {
            rulePriority: 1,
            // A number a module's variable gives is a token, written into the text as a string token.
            description: `Expire untagged images after ${Token.isUnresolved(props.untaggedImageExpiryDays) ? Token.asString(props.untaggedImageExpiryDays) : props.untaggedImageExpiryDays} days`,
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: props.untaggedImageExpiryDays },
            action: { type: "expire" },
          },
        ],
      }),
    });
  }
}
