"""A SOCKS5 proxy (RFC 1928, with RFC 1929 username/password) for wsc's end-to-end tests.

Prints its port on the first line of stdout, then tunnels until killed. Each CONNECT
request is appended to the log file, if one is given, as `ATYP HOST PORT` (`domain
wsc-target.test 8080`, `ipv4 127.0.0.1 8080`), so a test can see what the client asked
for. Names `wsc-target*.test` stand for 127.0.0.1 here only; `refused.test` gets reply
2 (not allowed by ruleset); an unreachable target gets reply 5 (connection refused).

  socks5_proxy.py [--log FILE] [USER:PASS]
"""

import asyncio
import ipaddress
import socket
import sys

from connect_proxy import pipe, target_host


def reply(code):
    return bytes([5, code, 0, 1, 0, 0, 0, 0, 0, 0])


def handler_for(credentials, log):
    async def handle(reader, writer):
        try:
            version, count = await reader.readexactly(2)
            methods = await reader.readexactly(count)
            if version != 5:
                writer.close()
                return
            wanted = 2 if credentials is not None else 0
            if wanted not in methods:
                writer.write(bytes([5, 0xFF]))
                await writer.drain()
                writer.close()
                return
            writer.write(bytes([5, wanted]))
            if credentials is not None:
                _, user_length = await reader.readexactly(2)
                user = await reader.readexactly(user_length)
                (password_length,) = await reader.readexactly(1)
                password = await reader.readexactly(password_length)
                if f"{user.decode()}:{password.decode()}" != credentials:
                    writer.write(bytes([1, 1]))
                    await writer.drain()
                    writer.close()
                    return
                writer.write(bytes([1, 0]))
            _, command, _, address_type = await reader.readexactly(4)
            if address_type == 1:
                kind, host = "ipv4", str(ipaddress.IPv4Address(await reader.readexactly(4)))
            elif address_type == 4:
                kind, host = "ipv6", str(ipaddress.IPv6Address(await reader.readexactly(16)))
            elif address_type == 3:
                (length,) = await reader.readexactly(1)
                kind, host = "domain", (await reader.readexactly(length)).decode()
            else:
                writer.write(reply(8))
                writer.close()
                return
            port = int.from_bytes(await reader.readexactly(2), "big")
            if log is not None:
                with open(log, "a") as file:
                    print(kind, host, port, file=file, flush=True)
            if command != 1:
                writer.write(reply(7))
                writer.close()
                return
            if host == "refused.test":
                writer.write(reply(2))
                await writer.drain()
                writer.close()
                return
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection(target_host(host), port)
            except OSError:
                writer.write(reply(5))
                await writer.drain()
                writer.close()
                return
            writer.write(reply(0))
            await writer.drain()
            await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    return handle


async def main():
    arguments = sys.argv[1:]
    log = None
    if arguments[:1] == ["--log"]:
        log = arguments[1]
        arguments = arguments[2:]
    credentials = arguments[0] if arguments else None
    server = await asyncio.start_server(handler_for(credentials, log), "127.0.0.1", 0, family=socket.AF_INET)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
