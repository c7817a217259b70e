# A complete Metaflow deployment in plain Terraform, from the modules `npm run modules` writes to
# terraform-modules/. The modules are built from the same constructs as the CDKTF app.

terraform {
  required_version = ">= 1.10"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      Project     = var.name_prefix
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}

module "network" {
  source             = "../../terraform-modules/network"
  name_prefix        = var.name_prefix
  environment        = var.environment
  availability_zones = ["${var.region}a", "${var.region}b"]
}

module "storage" {
  source      = "../../terraform-modules/storage"
  name_prefix = var.name_prefix
  environment = var.environment
}

module "compute" {
  source                = "../../terraform-modules/compute"
  name_prefix           = var.name_prefix
  environment           = var.environment
  vpc_id                = module.network.vpc_id
  private_subnet_ids    = module.network.private_subnet_ids
  datastore_bucket_name = module.storage.bucket_name
  datastore_kms_key_arn = module.storage.kms_key_arn
  compute_environments  = var.compute_environments
  job_queues            = var.job_queues
}

module "service" {
  source                  = "../../terraform-modules/service"
  name_prefix             = var.name_prefix
  environment             = var.environment
  vpc_id                  = module.network.vpc_id
  private_subnet_ids      = module.network.private_subnet_ids
  datastore_bucket_name   = module.storage.bucket_name
  datastore_kms_key_arn   = module.storage.kms_key_arn
  batch_security_group_id = module.compute.security_group_id
}

module "scheduling" {
  source                = "../../terraform-modules/scheduling"
  name_prefix           = var.name_prefix
  environment           = var.environment
  job_queue_arns        = module.compute.job_queue_arns
  execution_role_arn    = module.compute.execution_role_arn
  job_role_name         = module.compute.job_role_name
  job_role_arn          = module.compute.job_role_arn
  datastore_bucket_name = module.storage.bucket_name
  datastore_kms_key_arn = module.storage.kms_key_arn
}

locals {
  # Every Metaflow profile key this deployment has a value for, from the modules' outputs (a module's
  # keys for parts this configuration has not, such as the Fargate execution role, are null).
  metaflow_profile = { for key, value in merge(
    module.storage.profile,
    module.service.profile,
    module.compute.profile,
    module.scheduling.profile,
  ) : key => value if value != null }
}
