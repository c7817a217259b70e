/** Config values tests share. */

/**
 * The metadata service image in an ECR registry: pullable through the ecr endpoints, so a config with
 * `network.natGateways: "none"` validates (the default image, on Docker Hub, needs NAT).
 */
export const ECR_SERVICE_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/metaflow_metadata_service";
