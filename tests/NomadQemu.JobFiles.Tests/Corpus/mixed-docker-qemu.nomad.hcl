// A web front end in docker next to a qemu VM, with the things a real job
// carries that a standalone run ignores (update, constraint, service, ...).
job "mixed" {
  region      = "global"
  datacenters = ["dc1", "dc2"]

  meta {
    team = "infra"
    tier = "gold"
  }

  update {
    max_parallel = 1
    stagger      = "10s"
  }

  constraint {
    attribute = "${attr.kernel.name}"
    value     = "linux"
  }

  group "web" {
    count = 2

    network {
      mode = "bridge"
      port "http" {
        static = 8080
        to     = 80
      }
      port "metrics" {}
    }

    service {
      name = "web"
      port = "http"
      check {
        type     = "http"
        path     = "/health"
        interval = "10s"
        timeout  = "2s"
      }
    }

    restart {
      attempts = 3
      delay    = "15s"
    }

    task "nginx" {
      driver = "docker"

      config {
        image = "nginx:1.27"
        ports = ["http"]
        volumes = [
          "local/nginx.conf:/etc/nginx/nginx.conf",
        ]
      }

      template {
        destination = "local/nginx.conf"
        data        = <<-EOT
          events {}
          http {
            server { listen 80; }
          }
        EOT
      }

      env {
        UPSTREAM = "${NOMAD_UPSTREAM_ADDR_api}"
        WORKERS  = 4
        DEBUG    = false
      }

      meta {
        tier = "silver"
      }

      resources {
        cpu        = 200
        memory     = 128
        memory_max = 256
      }
    }
  }

  group "vm" {
    network {
      port "ssh" { to = 22 }
    }

    task "builder" {
      driver = "qemu"

      config {
        image_path  = "${NOMAD_TASK_DIR}/disk.qcow2"
        accelerator = "kvm"
        args        = ["-smp", "2", "-m", "${NOMAD_MEMORY_LIMIT}M"]
        port_map    = { ssh = 22 }
      }

      env = {
        "discovery.type" = "single-node"
        NODE_CLASS       = "${node.class}"
      }

      resources {
        cores  = 2
        memory = 2048
      }
    }
  }
}
