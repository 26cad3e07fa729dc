# One Kafka topic per tenant: <topic_prefix><tenant_id>, keyed by alertgate with the alert
# fingerprint (so cleanup.policy=compact keeps the latest state of each alert).
locals {
  # Kafka topic names are at most 249 characters.
  too_long = [for t in var.tenants : t if length("${var.topic_prefix}${t}") > 249]
}

resource "kafka_topic" "tenant" {
  for_each = toset(var.tenants)

  name               = "${var.topic_prefix}${each.key}"
  partitions         = var.partitions
  replication_factor = var.replication_factor
  config             = var.config

  lifecycle {
    precondition {
      condition     = length(local.too_long) == 0
      error_message = "Topic names longer than 249 characters for tenants: ${join(", ", local.too_long)}."
    }
  }
}
