"""A WebSocket server that misbehaves in one chosen way, for the fault tests.

The mode is the first argument:

- `silent` (the default): completes the opening handshake, then reads and ignores
  everything, never answering a close frame (close timeouts, quitting while closing).
  Given a file as a second argument, it appends a line there for each close frame it
  reads: `close CODE REASON`.
- `stall`: after the handshake it does not even read, so the client's writes back up
  (back-pressure).
- `mute`: accepts TCP, reads the upgrade request and never answers it (connect timeout).
- `partial`: after the handshake, sends the first fragment of a text message and half
  of the next frame, then closes TCP (a server dying mid-message).
- `linger`: after the handshake, sends a close frame (1000, "bye"), reads the client's
  answer and then keeps TCP open without a word (the client's close timeout).
- `flood`: after the handshake, waits for the client's first bytes, then sends 100,000
  text messages (`msg 0` … `msg 99999`) as fast as the socket takes them, in runs of a
  thousand frames, then `flood done`; it reports its rate on stderr, then answers the
  client's close.

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
LOG = sys.argv[2] if len(sys.argv) > 2 else None


def frame(opcode, payload, fin=True):
    """An unmasked server frame (payloads under 126 bytes)."""
    return bytes([(0x80 if fin else 0) | opcode, len(payload)]) + payload


def read_exactly(client, count):
    data = b""
    while len(data) < count:
        chunk = client.recv(count - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def read_frame(client):
    """One frame from the client: its opcode and unmasked payload."""
    first, second = read_exactly(client, 2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", read_exactly(client, 2))[0]
    elif length == 127:
        length = struct.unpack("!Q", read_exactly(client, 8))[0]
    mask = read_exactly(client, 4) if second & 0x80 else b"\0\0\0\0"
    return first & 0x0F, bytes(b ^ mask[i % 4] for i, b in enumerate(read_exactly(client, length)))


def answer_close(client):
    """Reads the client's frames until its close, answers it and ends TCP."""
    try:
        while True:
            opcode, payload = read_frame(client)
            if opcode == 0x8:
                client.sendall(frame(0x8, payload[:2]))
                break
    except EOFError:
        pass
    client.close()


def ignore_frames(client):
    """Reads the client's frames until TCP ends, answering none; logs close frames."""
    try:
        while True:
            opcode, payload = read_frame(client)
            if opcode == 0x8 and LOG:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                with open(LOG, "a") as log:
                    log.write(f"close {code} {payload[2:].decode(errors='replace')}\n")
    except (EOFError, OSError):
        pass


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
    elif MODE == "flood":
        client.recv(65536)
        started = time.monotonic()
        for run in range(100):
            client.sendall(b"".join(frame(0x1, b"msg %d" % (run * 1000 + i)) for i in range(1000)))
        client.sendall(frame(0x1, b"flood done"))
        elapsed = time.monotonic() - started
        print(f"flood: 100000 messages in {elapsed:.3f} s", file=sys.stderr, flush=True)
        answer_close(client)
        return
    if MODE == "silent":
        ignore_frames(client)
        return
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
