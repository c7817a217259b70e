import { partitionOf } from "./regions";

/**
 * Container images in config: the metadata service's (`service.image`) and the Batch jobs'
 * (`compute.jobImage`). An image in a private ECR registry must be in the stack's region and under its
 * partition's domain, since the roles that pull it may pull only from there (and the VPC's ECR endpoints
 * reach only that registry); without NAT, nothing else can be pulled.
 */

/** `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/`: a private ECR registry. */
export const ECR_IMAGE = /^(\d{12})\.dkr\.ecr(-fips)?\.([a-z0-9-]+)\.(amazonaws\.com(\.cn)?)\//;

/** The domain of ECR registries in `region`: `amazonaws.com.cn` in the China partition, `amazonaws.com` elsewhere. */
export const ecrDomain = (region: string) => (partitionOf(region) === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com");

/** Whether `image` is in a private ECR registry (any region). */
export const isEcrImage = (image: string) => ECR_IMAGE.test(image);

/** An image in the ECR registry of `region`: the only one the VPC's ECR endpoints reach without NAT. */
export const isEcrImageIn = (image: string, region: string) => {
  const m = ECR_IMAGE.exec(image);
  return m !== null && m[3] === region && m[4] === ecrDomain(region);
};

/**
 * What is wrong with an ECR image for a stack in `region` whose roles pull it (`who`, for the message):
 * another region, or another partition's domain. Undefined for a good ECR image or one not in ECR.
 */
export function ecrImageProblem(image: string, region: string, who: string): string | undefined {
  const m = ECR_IMAGE.exec(image);
  if (!m) return undefined;
  const [, account, fips, imageRegion, domain] = m;
  const expected = `${account}.dkr.ecr${fips ?? ""}.${region}.${ecrDomain(region)}`;
  if (imageRegion !== region) return `is in ECR of region ${imageRegion}, but ${who} may pull only from ECR in ${region}; copy it to ${expected}/...`;
  if (domain !== ecrDomain(region)) return `names an ECR registry under ${domain}, but ECR in ${region} (partition ${partitionOf(region)}) is under ${ecrDomain(region)}: ${expected}/...`;
  return undefined;
}

/**
 * The registry and the rest of an image reference, as Metaflow's profile keys want them
 * (METAFLOW_BATCH_CONTAINER_REGISTRY and _IMAGE; Metaflow joins them with a `/`). An image without a
 * registry part (Docker Hub's `python:3.11`) has no registry.
 */
export function splitImage(image: string): { registry?: string; image: string } {
  const slash = image.indexOf("/");
  const first = slash < 0 ? "" : image.slice(0, slash);
  // Docker's rule: the first part is a registry when it has a dot or a port, or is localhost.
  if (first && (first.includes(".") || first.includes(":") || first === "localhost")) return { registry: first, image: image.slice(slash + 1) };
  return { image };
}

/**
 * `splitImage` in HCL, for an image a module's variable gives: the registry part of `image` (an HCL
 * expression) or null when it has none, and the rest, by Docker's rule as above.
 */
export function splitImageHcl(image: string): { registry: string; image: string } {
  const parts = `split("/", ${image})`;
  const first = `${parts}[0]`;
  const hasRegistry = `(length(${parts}) > 1 && (strcontains(${first}, ".") || strcontains(${first}, ":") || ${first} == "localhost"))`;
  return {
    registry: `(${hasRegistry} ? ${first} : null)`,
    image: `(${hasRegistry} ? join("/", slice(${parts}, 1, length(${parts}))) : ${image})`,
  };
}
