"""List every customer of an emulated account: the 100-item cap, walked past.

python examples/list_customers.py
"""

from __future__ import annotations

import asyncio

from seventime_async import SevenTimeClient
from seventime_async.emulator import Emulator


async def main() -> None:
    async with (
        Emulator(seed=1, customers=1234) as emu,
        SevenTimeClient(emu.api_key, base_url=emu.base_url, rate_limit=None) as client,
    ):
        count = 0
        async for customer in client.customers.iter_all():
            count += 1
            if count <= 3:
                print(customer.id, customer.name, customer.city)
        print(f"{count} customers in {emu.request_count} requests")


if __name__ == "__main__":
    asyncio.run(main())
