"""Login throttling: failed logins counted per address, per account from that address,
and per account, in the gateway's key-value store (Redis, shared by every gateway
process; the process's own map without it).

It replaces a lock-out kept on the account row, which anyone could trigger for any
account (admins included) with five wrong passwords, again and again, and whose
message told which usernames exist. Here one address guessing at one account is
stopped after a few tries without locking the account's owner out elsewhere; one
address guessing at many accounts is stopped by its own counter; only a guess spread
over many addresses slows the account itself. Every refusal says the same neutral
sentence, and a throttled attempt is refused before its password is hashed.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.gateway.kv import KeyValue


@dataclass(frozen=True)
class LoginLimits:
    window_s: int = 15 * 60
    per_account_and_address: int = 5
    per_address: int = 20
    per_account: int = 50  # from every address together: a distributed guess


class LoginThrottle:
    def __init__(self, kv: KeyValue, limits: LoginLimits | None = None) -> None:
        self.kv = kv
        self.limits = limits or LoginLimits()

    @staticmethod
    def _account(username: str) -> str:
        return username.strip().lower()[:40]

    async def _epoch(self, account: str) -> str:
        """Raised by an admin's unlock: the account's counters, those of every address
        included, start afresh under new keys."""
        return await self.kv.get(f"login:epoch:{account}") or "0"

    async def _counters(self, username: str, address: str) -> dict[str, int]:
        """Counter key → its limit: this address at this account, this address, this account."""
        account = self._account(username)
        epoch = await self._epoch(account)
        limits = self.limits
        return {self._pair(account, epoch, address): limits.per_account_and_address,
                f"login:address:{address}": limits.per_address,
                f"login:account:{account}:{epoch}": limits.per_account}

    @staticmethod
    def _pair(account: str, epoch: str, address: str) -> str:
        return f"login:pair:{account}:{epoch}:{address}"

    async def blocked(self, username: str, address: str) -> bool:
        for key, limit in (await self._counters(username, address)).items():
            if int(await self.kv.get(key) or 0) >= limit:
                return True
        return False

    async def failed(self, username: str, address: str) -> None:
        for key in await self._counters(username, address):
            await self.kv.incr(key, self.limits.window_s)

    async def succeeded(self, username: str, address: str) -> None:
        """The right password from this address: its own tries at this account start again."""
        account = self._account(username)
        await self.kv.delete(self._pair(account, await self._epoch(account), address))

    async def clear(self, username: str) -> None:
        """An admin unlocked the account: every counter of it starts again."""
        account = self._account(username)
        epoch = int(await self._epoch(account))
        await self.kv.set(f"login:epoch:{account}", str(epoch + 1), 30 * 24 * 3600)
