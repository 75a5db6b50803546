{
  "targets": [
    {
      "target_name": "hactl_packet",
      "sources": ["packet.c", "sender.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2", "-pthread"],
      "ldflags": ["-pthread"],
      "defines": ["NAPI_VERSION=8"]
    },
    {
      "target_name": "hactl_netlink",
      "sources": ["netlink.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    },
    {
      "target_name": "hactl-watchdog",
      "type": "executable",
      "sources": ["watchdog.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2"]
    }
  ]
}
