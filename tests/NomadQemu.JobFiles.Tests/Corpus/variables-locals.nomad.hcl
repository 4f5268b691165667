variable "image_version" {
  type        = string
  default     = "0.3"
  description = "Which disk image release to boot"
}

variable "memory_mb" {
  type    = number
  default = 1024
}

variable "ports" {
  type    = map(number)
  default = { ssh = 22, http = 80 }
}

variable "enable_kvm" {
  type    = bool
  default = true
}

locals {
  # Declared before what it uses: locals are resolved by dependency, not order.
  image_url = "${local.base_url}/disk-${var.image_version}.qcow2"
  base_url  = "https://images.example.invalid"
  vm_name   = upper(format("vm-%s", var.image_version))
}

locals {
  # A second locals block may use the first block's values.
  label = lower(local.vm_name)
}

job "vars" {
  datacenters = ["dc1"]

  meta {
    vm    = local.vm_name
    label = local.label
  }

  group "g" {
    count = var.enable_kvm ? 2 : 1

    task "vm" {
      driver = "qemu"

      artifact {
        source = local.image_url
        mode   = "file"
        destination = "local/disk.qcow2"
        headers {
          Authorization = "Bearer ${var.image_version}"
        }
      }

      config {
        image_path  = "local/disk.qcow2"
        accelerator = var.enable_kvm ? "kvm" : "tcg"
        port_map {
          ssh  = var.ports.ssh
          http = var.ports["http"]
        }
      }

      resources {
        memory = var.memory_mb
        cpu    = var.memory_mb / 2
      }
    }
  }
}
