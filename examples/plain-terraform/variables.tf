variable "region" {
  type        = string
  description = "AWS region to deploy to"
  default     = "us-east-1"
}

variable "name_prefix" {
  type        = string
  description = "First part of every name"
  default     = "metaflow"
}

variable "environment" {
  type        = string
  description = "Environment name (part of every name)"
  default     = "dev"
}

variable "compute_environments" {
  type        = any
  description = "Batch compute environments by name (the compute module's compute_environments)"
  default     = { cpu = { kind = "ec2", max_vcpus = 256 } }
}

variable "job_queues" {
  type        = any
  description = "Batch job queues by name (the compute module's job_queues)"
  default     = { default = { compute_environments = ["cpu"] } }
}
