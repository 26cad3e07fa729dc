# Per-tenant alert topics for alertgate (issue 7): the seed's example, partitions 3,
# replication 2, compacted, 7 days retention (the module's defaults).
#
#   terraform init && terraform apply -var 'bootstrap_servers=["kafka-1:9092","kafka-2:9092"]'
terraform {
  required_version = ">= 1.3"

  required_providers {
    kafka = {
      source  = "Mongey/kafka"
      version = ">= 0.5.0, < 1.0.0"
    }
  }
}

variable "bootstrap_servers" {
  description = "Kafka brokers (host:port)."
  type        = list(string)
  default     = ["localhost:9092"]
}

provider "kafka" {
  bootstrap_servers = var.bootstrap_servers
  tls_enabled       = false
}

module "tenant_topics" {
  source = "../../modules/tenant-topics"

  tenants = ["t-1024", "t-2048", "acme"]
  # topic_prefix       = "alerts-"        # matches kafka.topic_pattern: alerts-{tenant_id}
  # partitions         = 3
  # replication_factor = 2
  # config = { "cleanup.policy" = "compact", "retention.ms" = "604800000" }
}

output "topics" {
  value = module.tenant_topics.topic_names
}
