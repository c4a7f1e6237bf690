"""An embedded MQTT broker for `make demo` (amqtt, pure Python): the demo needs no Mosquitto.
Production uses a real broker (Mosquitto, EMQX, …) configured as deploy/mosquitto/ shows."""

from __future__ import annotations

import asyncio
import logging


def broker_config(host: str, port: int) -> dict:
    return {
        "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}"}},
        "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
    }


def run_broker(host: str, port: int) -> None:
    from amqtt.broker import Broker

    for name in ("amqtt", "transitions"):
        logging.getLogger(name).setLevel(logging.WARNING)

    async def serve():
        broker = Broker(broker_config(host, port))
        await broker.start()
        try:
            await asyncio.Event().wait()
        finally:
            await broker.shutdown()

    asyncio.run(serve())
