# A QEMU job in the style of Nomad's driver documentation.
job "qemu-vm" {
  datacenters = ["dc1"]
  type        = "service"

  group "vm" {
    count = 1

    network {
      port "ssh" {
        to = 22
      }
    }

    task "linux" {
      driver = "qemu"

      artifact {
        source      = "https://example.invalid/images/linux-0.2.img"
        destination = "local/"
        options {
          checksum = "sha256:5f2c3b1e9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b"
        }
      }

      config {
        image_path        = "local/linux-0.2.img"
        accelerator       = "kvm"
        graceful_shutdown = true
        args              = ["-nodefaults", "-nographic"]

        port_map {
          ssh = 22
        }
      }

      kill_timeout = "30s"
      kill_signal  = "SIGTERM"

      resources {
        cpu    = 500
        memory = 512
      }
    }
  }
}
