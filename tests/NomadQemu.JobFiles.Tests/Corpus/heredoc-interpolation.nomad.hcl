/*
 * Heredocs, escapes and run-time interpolation.
 */
job "text" {
  group "g" {
    task "t" {
      driver = "qemu"

      config {
        image_path = "${NOMAD_TASK_DIR}/disk.img"
        args = [
          "-fw_cfg", "name=opt/motd,string=hello\tworld\n",
          "-name", "${NOMAD_JOB_NAME}-${NOMAD_ALLOC_INDEX}",
          "-smbios", "type=1,serial=${env["SERIAL"]}",
          "literal=$${NOT_INTERPOLATED}",
        ]
        cloud_init = <<EOF
#cloud-config
hostname: ${NOMAD_TASK_NAME}
runcmd:
  - echo "ready"
EOF
        indented = <<-EOT
            line one
              line two
            line three
            EOT
      }
    }
  }
}
