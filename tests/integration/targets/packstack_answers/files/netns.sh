#!/usr/bin/env bash
# Runs a command in the network namespace `unshare -n` made for it: lo, a bridge pk0 with the
# addresses of the test's hosts, a default route (packstack's --gen-answer-file needs one to find
# its local address) and a listener on TCP 22 for packstack's ssh-port validator. The listener
# ends with the command.
set -euo pipefail
ip link set lo up
ip link add pk0 type bridge
ip link set pk0 up
for host in 2 10 11 12 13 14 15; do ip addr add "192.0.2.$host/24" dev pk0; done
ip route add default via 192.0.2.1 dev pk0 onlink
python3 -c '
import socket
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("0.0.0.0", 22))
server.listen(64)
while True:
    connection, peer = server.accept()
    connection.close()
' </dev/null >/dev/null 2>&1 &
listener=$!
trap 'kill "$listener" 2>/dev/null || true' EXIT
"$@"
