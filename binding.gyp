{
  "variables": {
    "werror%": "false",
    "sanitize%": "false"
  },
  "targets": [
    {
      "target_name": "berkeley_sockets",
      "sources": [
        "native/addon.cc",
        "native/addresses.cc",
        "native/codec.cc",
        "native/constants.cc",
        "native/io.cc",
        "native/lifecycle.cc",
        "native/messages.cc",
        "native/netdb.cc",
        "native/netlink.cc",
        "native/options.cc",
        "native/optstructs.cc",
        "native/packet.cc",
        "native/poller.cc"
      ],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "_GNU_SOURCE",
        "NODE_ADDON_API_DISABLE_DEPRECATED"
      ],
      "cflags_cc!": ["-std=gnu++17", "-std=gnu++20", "-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Wpedantic", "-fvisibility=hidden"],
      "conditions": [
        ["werror=='true'", { "cflags_cc": ["-Werror"] }],
        ["sanitize=='true'", {
          "cflags_cc": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=undefined"],
          "ldflags": ["-fsanitize=address,undefined"]
        }]
      ]
    }
  ]
}
