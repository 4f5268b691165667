job "legacy" {
  group "g" {
    task "t" {
      driver = "qemu"
      config { image_path = "local/a.img" }
      resources {
        network {
          mbits = 10
          port "vnc" { static = 5901 }
        }
      }
    }
  }
}
