output "metaflow_profile_json" {
  description = "The Metaflow profile. Write it with: terraform output -raw metaflow_profile_json > ~/.metaflowconfig/config_<name>.json && chmod 600 ~/.metaflowconfig/config_<name>.json"
  value       = jsonencode(local.metaflow_profile)
  sensitive   = true
}

output "users_policy_arn" {
  description = "Attach to the groups or roles of the people who run Metaflow"
  value       = module.scheduling.users_policy_arn
}
