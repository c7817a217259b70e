/** Config values tests share. */

/**
 * The metadata service image in an ECR registry: pullable through the ecr endpoints, so a config with
 * `network.natGateways: "none"` validates (the default image, on Docker Hub, needs NAT).
 */
export const ECR_SERVICE_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/metaflow_metadata_service";

/** An image for Batch jobs in ECR of us-east-1 (a no-NAT config needs one; docs/job-image.md). */
export const ECR_JOB_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/metaflow-jobs:py311-1";
export const NO_NAT_JOB_IMAGE = { jobImage: { source: "external", image: ECR_JOB_IMAGE } };

/** One compute environment of each of the five kinds behind three queues (spot falls back to on-demand). */
export const ALL_KINDS = {
  compute: {
    computeEnvironments: [
      { name: "ondemand", kind: "ec2" },
      { name: "spot", kind: "spot" },
      { name: "gpu", kind: "gpu" },
      { name: "fargate", kind: "fargate" },
      { name: "fargate-spot", kind: "fargateSpot" },
    ],
    jobQueues: [
      { name: "cpu", computeEnvironments: ["spot", "ondemand"], priority: 10 },
      { name: "gpu", computeEnvironments: ["gpu"], priority: 20 },
      { name: "serverless", computeEnvironments: ["fargate-spot", "fargate"], priority: 5 },
    ],
  },
};

/** An ACM certificate of the default region's account, for configs with the UI on. */
export const UI_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012";

/** The UI on with its certificate and `more` (ui fields), besides `rest` (other areas). */
export const withUi = (more: object = {}, rest: object = {}) => ({ ...rest, ui: { enabled: true, certificateArn: UI_CERTIFICATE, ...more } });

/** An OIDC identity provider whose client secret is in Secrets Manager. */
export const OIDC_PROVIDER = {
  issuer: "https://login.example.com",
  authorizationEndpoint: "https://login.example.com/oauth2/v1/authorize",
  tokenEndpoint: "https://login.example.com/oauth2/v1/token",
  userInfoEndpoint: "https://login.example.com/oauth2/v1/userinfo",
  clientId: "0oa1metaflowui",
  clientSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:metaflow-ui-oidc-AbCdEf",
};
