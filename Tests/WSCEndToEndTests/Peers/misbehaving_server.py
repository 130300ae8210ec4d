"""A WebSocket server that misbehaves in one chosen way, for the fault tests.

The mode is the first argument:

- `silent` (the default): completes the opening handshake, then reads and ignores
  everything, never answering a close frame (close timeouts, quitting while closing).
- `stall`: after the handshake it does not even read, so the client's writes back up
  (back-pressure).
- `mute`: accepts TCP, reads the upgrade request and never answers it (connect timeout).
- `partial`: after the handshake, sends the first fragment of a text message and half
  of the next frame, then closes TCP (a server dying mid-message).
- `linger`: after the handshake, sends a close frame (1000, "bye"), reads the client's
  answer and then keeps TCP open without a word (the client's close timeout).

Prints its port on the first line of stdout.
"""

import base64
import hashlib
import socket
import struct
import sys
import threading
import time

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MODE = sys.argv[1] if len(sys.argv) > 1 else "silent"


def frame(opcode, payload, fin=True):
    """An unmasked server frame (payloads under 126 bytes)."""
    return bytes([(0x80 if fin else 0) | opcode, len(payload)]) + payload


def serve(client):
    request = b""
    while b"\r\n\r\n" not in request:
        chunk = client.recv(4096)
        if not chunk:
            return
        request += chunk
    if MODE == "mute":
        while client.recv(65536):
            pass
        return
    key = ""
    for line in request.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "sec-websocket-key":
            key = value.strip()
    accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
    client.sendall(
        (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
        ).encode()
    )
    if MODE == "stall":
        while True:
            time.sleep(60)
    elif MODE == "partial":
        # A complete first fragment, then a continuation frame cut short.
        client.sendall(frame(0x1, b"the first half, ", fin=False) + bytes([0x80, 40]) + b"and then")
        time.sleep(0.2)
        client.close()
        return
    elif MODE == "linger":
        client.sendall(frame(0x8, struct.pack("!H", 1000) + b"bye"))
    while client.recv(65536):
        pass
    if MODE == "linger":
        while True:
            time.sleep(60)


def main():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    print(listener.getsockname()[1], flush=True)
    while True:
        client, _ = listener.accept()
        threading.Thread(target=serve, args=(client,), daemon=True).start()


if __name__ == "__main__":
    main()
