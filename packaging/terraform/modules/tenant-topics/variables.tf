variable "tenants" {
  description = "Tenant ids (the tenant_id of config/tenants/*.yaml); one topic each."
  type        = list(string)

  validation {
    # Same rule as alertgate's topic_for(): a tenant id may only hold topic-name characters,
    # so no tenant id can name another tenant's topic.
    condition     = alltrue([for t in var.tenants : can(regex("^[a-zA-Z0-9._-]+$", t))])
    error_message = "Each tenant id must be 1+ characters of [a-zA-Z0-9._-]."
  }
}

variable "topic_prefix" {
  description = "Topic name = prefix + tenant id. Must match alertgate's kafka.topic_pattern (alerts-{tenant_id})."
  type        = string
  default     = "alerts-"

  validation {
    condition     = can(regex("^[a-zA-Z0-9._-]*$", var.topic_prefix))
    error_message = "topic_prefix may only hold [a-zA-Z0-9._-]."
  }
}

variable "partitions" {
  description = "Partitions per tenant topic (the router parallelism for one tenant)."
  type        = number
  default     = 3

  validation {
    condition     = var.partitions >= 1 && floor(var.partitions) == var.partitions
    error_message = "partitions must be a whole number >= 1."
  }
}

variable "replication_factor" {
  description = "Replicas per partition (alertgate produces with acks=all)."
  type        = number
  default     = 2

  validation {
    condition     = var.replication_factor >= 1 && floor(var.replication_factor) == var.replication_factor
    error_message = "replication_factor must be a whole number >= 1."
  }
}

variable "config" {
  description = "Topic configs applied to every tenant topic."
  type        = map(string)
  default = {
    "cleanup.policy" = "compact"
    "retention.ms"   = "604800000" # 7 days
  }
}
