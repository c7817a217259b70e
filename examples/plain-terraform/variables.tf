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

variable "max_vcpus" {
  type        = number
  description = "Most vCPUs the Batch environment scales to"
  default     = 256
}
