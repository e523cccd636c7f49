"""List every customer of an emulated account over API v2: 500 a request, exactly once.

python examples/list_customers.py
"""

from __future__ import annotations

import asyncio

from seventime_async import SevenTimeClient
from seventime_async.emulator import Emulator


async def main() -> None:
    async with (
        Emulator(seed=1, api_version=2, customers=1234) as emu,
        SevenTimeClient(emu.api_key, base_url=emu.base_url, rate_limit=None) as client,
    ):
        count = 0
        walk = client.customers.iter_all()
        async for customer in walk:
            count += 1
            if count <= 3:
                print(customer.id, customer.name, customer.city)
        print(f"{count} of {walk.total} customers in {emu.request_count} requests")


if __name__ == "__main__":
    asyncio.run(main())
