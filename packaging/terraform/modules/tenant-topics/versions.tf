terraform {
  required_version = ">= 1.3"

  required_providers {
    kafka = {
      source  = "Mongey/kafka"
      version = ">= 0.5.0, < 1.0.0"
    }
  }
}
