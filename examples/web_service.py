"""An aiohttp web service that embeds one long-lived SevenTimeClient.

The client is created once in ``cleanup_ctx`` and shared by every request handler, so
all of them share one connection pool, one rate limit and one concurrency cap, and the
client is closed when the app shuts down.

    SEVENTIME_API_KEY=... python examples/web_service.py      # then GET :8081/customers/<id>
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from seventime_async import NotFoundError, SevenTimeClient, SevenTimeError, ValidationError

CLIENT = web.AppKey("seventime_client", SevenTimeClient)


def make_app(**client_options: object) -> web.Application:
    """The app; ``client_options`` go to SevenTimeClient (e.g. base_url for the emulator)."""

    async def seventime_client(app: web.Application) -> AsyncIterator[None]:
        async with SevenTimeClient(**client_options) as client:  # type: ignore[arg-type]
            app[CLIENT] = client
            yield

    app = web.Application()
    app.cleanup_ctx.append(seventime_client)
    app.router.add_get("/customers/{id}", customer)
    app.router.add_get("/customers", customers_in_city)
    return app


async def customer(request: web.Request) -> web.Response:
    client = request.app[CLIENT]
    try:
        found = await client.customers.get(request.match_info["id"])
    except ValidationError as bad:
        raise web.HTTPBadRequest(text=str(bad)) from None
    except NotFoundError:
        raise web.HTTPNotFound(text="no such customer") from None
    except SevenTimeError as error:
        raise web.HTTPBadGateway(text=type(error).__name__) from None
    return web.json_response({"id": found.id, "name": found.name, "city": found.city})


async def customers_in_city(request: web.Request) -> web.Response:
    client = request.app[CLIENT]
    city = request.query.get("city")
    names = [c.name async for c in client.customers.iter_all(city=city, max_items=500)]
    return web.json_response({"city": city, "count": len(names), "names": names})


if __name__ == "__main__":
    web.run_app(make_app(), host="127.0.0.1", port=8081)
