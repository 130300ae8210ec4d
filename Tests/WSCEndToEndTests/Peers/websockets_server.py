"""An independent WebSocket peer for wsc's end-to-end tests: Python `websockets`.

Prints its port on the first line of stdout, then serves until killed. Text messages
starting with '!' are commands; everything else is echoed with its type kept:

  !flood N [SIZE]   send N text messages "msg 0" ... (padded to SIZE bytes)
  !close CODE REASON   close with this code and reason
  !drop             drop the TCP connection without a close frame
  !evil             send text with terminal escape sequences in it
  !binary HEX       send these bytes as a binary message
  !ping DATA        send a ping
  !path             send the request's path (and query)
  !extensions       send the Sec-WebSocket-Extensions of the server's 101 ("none" if absent)
  !header NAME      send the value of this request header ("none" if absent)
  !fragments N SIZE send one text message in N fragments of SIZE bytes each

The path /reject answers the upgrade with 403 and a body; /redirect with 302 to
/landed; /loop with 307 to itself; the path /slow answers the
upgrade only after a second (a server slow to accept); /downgrade with 302 to
ws://HOST/landed (the same host and port, without TLS).

With the arguments `unix PATH` it serves on that Unix domain socket instead, and
prints `ready` first. With `deflate [NAME=VALUE ...]` it accepts permessage-deflate, with
these parameters of websockets' ServerPerMessageDeflateFactory (e.g.
`server_no_context_takeover=1 client_max_window_bits=9`); otherwise compression is off.
With `tls CERT KEY` it serves wss:// with that certificate.
"""

import asyncio
import http
import ssl
import sys

from websockets.asyncio.server import serve, unix_serve
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory


async def handler(connection):
    async for message in connection:
        if isinstance(message, str) and message.startswith("!"):
            command, _, argument = message[1:].partition(" ")
            if command == "flood":
                parts = argument.split()
                count = int(parts[0])
                size = int(parts[1]) if len(parts) > 1 else 0
                for index in range(count):
                    text = f"msg {index}"
                    await connection.send(text.ljust(size, "."))
            elif command == "close":
                code, _, reason = argument.partition(" ")
                await connection.close(int(code), reason)
                return
            elif command == "drop":
                connection.transport.abort()
                return
            elif command == "evil":
                await connection.send("before\x1b[2J\x1b[31mred\x07after")
            elif command == "binary":
                await connection.send(bytes.fromhex(argument))
            elif command == "ping":
                await connection.ping(argument.encode())
            elif command == "path":
                await connection.send(connection.request.path)
            elif command == "header":
                await connection.send(connection.request.headers.get(argument, "none"))
            elif command == "extensions":
                await connection.send(connection.response.headers.get("Sec-WebSocket-Extensions", "none"))
            elif command == "fragments":
                count, size = (int(part) for part in argument.split())
                await connection.send([f"{index:x}" * size for index in range(count)])
            continue
        await connection.send(message)


async def process_request(connection, request):
    if request.path == "/reject":
        return connection.respond(http.HTTPStatus.FORBIDDEN, "no entry for you\n")
    if request.path == "/redirect":
        response = connection.respond(http.HTTPStatus.FOUND, "moved\n")
        response.headers["Location"] = "/landed"
        return response
    if request.path == "/loop":
        response = connection.respond(http.HTTPStatus.TEMPORARY_REDIRECT, "")
        response.headers["Location"] = "/loop"
        return response
    if request.path == "/downgrade":
        response = connection.respond(http.HTTPStatus.FOUND, "")
        response.headers["Location"] = f"ws://{request.headers['Host']}/landed"
        return response
    if request.path == "/slow":
        await asyncio.sleep(1)
    return None


async def main_unix(path):
    async with unix_serve(handler, path, process_request=process_request, ping_interval=None, compression=None):
        print("ready", flush=True)
        await asyncio.get_running_loop().create_future()


async def main(deflate, tls=None):
    context = None
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
    extensions = None
    if deflate is not None:
        parameters = {}
        for setting in deflate:
            name, _, value = setting.partition("=")
            parameters[name] = value == "1" if name.endswith("takeover") else int(value)
        extensions = [ServerPerMessageDeflateFactory(**parameters)]
    async with serve(
        handler,
        "127.0.0.1",
        0,
        process_request=process_request,
        ping_interval=None,
        max_size=2**26,
        compression=None,
        extensions=extensions,
        ssl=context,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        print(port, flush=True)
        await asyncio.get_running_loop().create_future()


if __name__ == "__main__":
    try:
        if sys.argv[1:2] == ["unix"]:
            asyncio.run(main_unix(sys.argv[2]))
        elif sys.argv[1:2] == ["tls"]:
            asyncio.run(main(None, tls=sys.argv[2:4]))
        elif sys.argv[1:2] == ["deflate"]:
            asyncio.run(main(sys.argv[2:]))
        else:
            asyncio.run(main(None))
    except KeyboardInterrupt:
        sys.exit(0)
