output "topic_names" {
  description = "Tenant id => topic name."
  value       = { for tenant, topic in kafka_topic.tenant : tenant => topic.name }
}

output "topics" {
  description = "All tenant topic names, sorted."
  value       = sort([for topic in kafka_topic.tenant : topic.name])
}
