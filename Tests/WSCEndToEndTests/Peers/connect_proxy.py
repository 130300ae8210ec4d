"""An HTTP CONNECT proxy for wsc's end-to-end tests.

Prints its port on the first line of stdout, then tunnels until killed. Host names
`wsc-target*.test` stand for 127.0.0.1, so a test can tell that a connection went
through the proxy (the tests' one has a first label too long for DNS: nothing else
resolves it, and no query leaves the machine). `forbidden.test` is answered with 403.

  connect_proxy.py                 no credentials needed
  connect_proxy.py USER:PASS       Basic credentials required, else 407
"""

import asyncio
import base64
import sys


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


def target_host(host):
    """The address a test proxy connects to for `host`: `wsc-target*.test` is 127.0.0.1."""
    return "127.0.0.1" if host.startswith("wsc-target") and host.endswith(".test") else host


def handler_for(credentials):
    async def handle(reader, writer):
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if method != "CONNECT":
            writer.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            writer.close()
            return
        if credentials is not None:
            expected = "Basic " + base64.b64encode(credentials.encode()).decode()
            if headers.get("proxy-authorization") != expected:
                writer.write(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                    b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n'
                )
                await writer.drain()
                writer.close()
                return
        host, _, port = target.rpartition(":")
        host = host.strip("[]")
        if host == "forbidden.test":
            writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            writer.close()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(target_host(host), int(port))
        except OSError:
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            writer.close()
            return
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    return handle


async def main():
    credentials = sys.argv[1] if len(sys.argv) > 1 else None
    server = await asyncio.start_server(handler_for(credentials), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
