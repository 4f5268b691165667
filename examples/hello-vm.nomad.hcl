# A small VM job, valid for a real Nomad cluster and for `nomad-driver-qemu run`.
# The image comes through an artifact block with a checksum; scripts/demo.sh serves the locally built
# test guest on loopback and passes its URL and sha256 as variables:
#   nomad-driver-qemu run examples/hello-vm.nomad.hcl \
#     --var image_url=http://127.0.0.1:PORT/disk.qcow2 --var image_checksum=sha256:HEX

variable "image_url" {
  type        = string
  description = "Where the guest disk image is downloaded from."
}

variable "image_checksum" {
  type        = string
  description = "The image's checksum as type:hex, e.g. sha256:...; verified before the VM starts."
}

job "hello-vm" {
  type = "service"

  group "hello" {
    network {
      # A dynamic host port, forwarded to the guest's port 80.
      port "http" {
        to = 80
      }
    }

    task "hello" {
      driver = "qemu"

      artifact {
        # Lands as local/disk.qcow2: the file keeps the name it has in the URL.
        source      = var.image_url
        destination = "local/"

        options {
          checksum = var.image_checksum
        }
      }

      config {
        image_path        = "local/disk.qcow2"
        accelerator       = "auto"
        graceful_shutdown = true
      }

      # Time the guest gets to power off after the ACPI power button before QEMU is killed.
      kill_timeout = "20s"

      resources {
        cpu    = 500
        memory = 256
      }
    }
  }
}
