"""An independent WebSocket client for wsc's end-to-end tests of --listen: Python `websockets`.

  websockets_client.py URL many N M      N clients at once, each sends M messages and
                                         checks that exactly its own come back, in order
  websockets_client.py URL binary        sends binary messages of many sizes, checks the echoes
  websockets_client.py URL talk          prints the first message received, answers
                                         "reply from python", closes with 1000
  websockets_client.py URL offer P,Q     offers these subprotocols, prints the one selected
  websockets_client.py URL drop          drops TCP right after the handshake
  websockets_client.py URL wait-close    prints every message, then the close code and reason
  websockets_client.py URL deflate [NAME=VALUE ...]
                                         offers permessage-deflate with these parameters of
                                         ClientPerMessageDeflateFactory, prints the server's
                                         answer, checks echoes of text and binary, repetitive
                                         and random, and a fragmented message

Prints results on stdout; exits 0 when every check passed.
"""

import asyncio
import os
import sys

from websockets.asyncio.client import connect
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.exceptions import ConnectionClosed


async def many(url, clients, messages):
    async def one(index):
        async with connect(url) as connection:
            sent = [f"python {index} message {number}" for number in range(messages)]
            for text in sent:
                await connection.send(text)
            received = [await connection.recv() for _ in sent]
            if received != sent:
                raise SystemExit(f"client {index}: echoes differ")

    await asyncio.gather(*(one(index) for index in range(clients)))
    print(f"ok {clients} clients")


async def binary(url):
    async with connect(url, max_size=None) as connection:
        for size in [0, 1, 125, 126, 65535, 65536, 1 << 20]:
            payload = os.urandom(size)
            await connection.send(payload)
            echo = await connection.recv()
            if not isinstance(echo, bytes) or echo != payload:
                raise SystemExit(f"binary echo of {size} bytes differs")
    print("ok binary")


async def talk(url):
    async with connect(url) as connection:
        message = await connection.recv()
        print(f"received: {message}", flush=True)
        await connection.send("reply from python")
        await asyncio.sleep(0.2)


async def offer(url, protocols):
    async with connect(url, subprotocols=protocols.split(",")) as connection:
        print(f"selected: {connection.subprotocol}")


async def drop(url):
    connection = await connect(url)
    connection.transport.abort()
    print("dropped")


async def wait_close(url):
    async with connect(url) as connection:
        try:
            async for message in connection:
                print(f"received: {message}", flush=True)
        except ConnectionClosed:
            pass
        print(f"closed: {connection.close_code} {connection.close_reason}")


async def deflate(url, settings):
    parameters = {}
    for setting in settings:
        name, _, value = setting.partition("=")
        parameters[name] = value == "1" if name.endswith("takeover") else (True if value == "" else int(value))
    factory = ClientPerMessageDeflateFactory(**parameters)
    async with connect(url, compression=None, extensions=[factory], max_size=None) as connection:
        print(f"answer: {connection.response.headers.get('Sec-WebSocket-Extensions', 'none')}", flush=True)
        payloads = []
        for size in [0, 1, 200, 70000, 1 << 18]:
            payloads.append(("wsc " * size)[:size])
            payloads.append(os.urandom(size))
            payloads.append(bytes(size))
        for payload in payloads + payloads:
            await connection.send(payload)
            echo = await connection.recv()
            if echo != payload:
                raise SystemExit(f"echo of a {type(payload).__name__} of {len(payload)} bytes differs")
        fragments = [f"fragment {index} " * 100 for index in range(5)]
        await connection.send(fragments)
        if await connection.recv() != "".join(fragments):
            raise SystemExit("echo of the fragmented message differs")
    print(f"ok deflate {len(payloads) * 2 + 1} echoes")


def main():
    url, mode, *rest = sys.argv[1:]
    if mode == "many":
        asyncio.run(many(url, int(rest[0]), int(rest[1])))
    elif mode == "binary":
        asyncio.run(binary(url))
    elif mode == "talk":
        asyncio.run(talk(url))
    elif mode == "offer":
        asyncio.run(offer(url, rest[0]))
    elif mode == "drop":
        asyncio.run(drop(url))
    elif mode == "wait-close":
        asyncio.run(wait_close(url))
    elif mode == "deflate":
        asyncio.run(deflate(url, rest))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
