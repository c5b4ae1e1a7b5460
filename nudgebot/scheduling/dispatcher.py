"""The clock: APScheduler ticks; each tick drains due deliveries from the database."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from nudgebot.services.dispatch import DispatchService
from nudgebot.services.views import Outcome, Outgoing, SendResult

log = logging.getLogger(__name__)

Send = Callable[[Outgoing], Awaitable[SendResult]]
Prepare = Callable[[list[Outgoing]], Awaitable[None]]
SWEEP_EVERY = timedelta(minutes=1)
PIPELINE = 2


def utc_now() -> datetime:
    return datetime.now(UTC)


class Dispatcher:
    def __init__(
        self,
        service: DispatchService,
        send: Send,
        *,
        batch_size: int,
        tick_seconds: float,
        clock: Callable[[], datetime] = utc_now,
        is_sender: Callable[[], Awaitable[bool]] | None = None,
        prepare: Prepare | None = None,
    ) -> None:
        self._prepare = prepare
        self._is_sender = is_sender
        self._service = service
        self._send = send
        self._batch = batch_size
        self._tick_seconds = tick_seconds
        self._clock = clock
        self._lock = asyncio.Lock()
        self._stopping = False
        self._last_sweep: datetime | None = None
        self._scheduler: AsyncIOScheduler | None = None

    def start(self) -> None:
        """Tick every few seconds; no per-user jobs exist, only this one."""
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._scheduler.add_job(
            self.tick,
            "interval",
            seconds=self._tick_seconds,
            id="dispatch",
            # A long drain makes ticks overlap; they return at once (see tick), not queue up.
            max_instances=3,
            coalesce=True,
            misfire_grace_time=None,
            # On whole seconds, as due times are: a check-in due at 08:30:00 is claimed within
            # milliseconds, not up to a tick later. APScheduler runs on real time, whatever
            # clock the dispatcher is given.
            start_date=(datetime.now(UTC) + timedelta(seconds=1)).replace(microsecond=0),
        )
        self._scheduler.start()

    def halt(self) -> None:
        """Claim nothing more from now on (a tick under way finishes its batch)."""
        self._stopping = True
        if self._scheduler is not None and self._scheduler.running:
            # Pause, not shut down: shutting down cancels running jobs, cutting off a send.
            self._scheduler.pause()

    async def stop(self) -> None:
        """Stop claiming; wait for sends already under way to finish and be recorded."""
        self.halt()
        if self._scheduler is None or not self._scheduler.running:
            return
        async with self._lock:
            pass
        # A tick submitted just now sees _stopping and returns within a loop iteration or two.
        for _ in range(3):
            await asyncio.sleep(0)
        self._scheduler.shutdown(wait=False)

    async def tick(self) -> int:
        """Send everything due now; returns how many deliveries were attempted."""
        if self._lock.locked() or self._stopping:
            return 0
        async with self._lock:
            try:
                return await self._drain()
            except Exception:
                # The next tick tries again; a database hiccup must not stop the clock.
                log.exception("dispatcher tick failed")
                return 0

    async def _drain(self) -> int:
        if not await self._sending_here():
            return 0
        now = self._clock()
        if self._last_sweep is None or now - self._last_sweep >= SWEEP_EVERY:
            self._last_sweep = now
            if expired := await self._service.expire_stale(now):
                log.warning("%d deliveries were in flight when a process stopped: unknown", expired)
        total = 0
        # Claim the next batch while the last one is still going out, so the send budget
        # never waits for the database; at most PIPELINE batches are in flight.
        in_flight: set[asyncio.Task[None]] = set()
        while not self._stopping:
            items = await self._service.claim_due(self._clock(), self._batch)
            if items:
                batch = asyncio.create_task(self._send_batch(items))
                in_flight.add(batch)
                batch.add_done_callback(in_flight.discard)
                total += len(items)
            if items.rows < self._batch or not await self._sending_here():
                break
            while len(in_flight) >= PIPELINE:
                await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
        if in_flight:
            await asyncio.wait(in_flight)
        return total

    async def _send_batch(self, items: list[Outgoing]) -> None:
        if self._prepare is not None:
            try:
                await self._prepare(items)
            except Exception:
                log.exception("preparing a batch failed; sending it item by item")
        results = await asyncio.gather(*(self._send_one(item) for item in items))
        try:
            await self._service.record(results, self._clock())
        except Exception:
            # The rows stay "sending" and expire to "unknown": never sent twice.
            log.exception("recording %d sends failed", len(results))
            return
        counts = Counter(r.outcome.value for r in results)
        log.info("dispatched %d: %s", len(items), dict(counts))

    async def _sending_here(self) -> bool:
        """Whether this process is the one that sends (checked before every claim)."""
        return self._is_sender is None or await self._is_sender()

    async def _send_one(self, item: Outgoing) -> SendResult:
        try:
            return await self._send(item)
        except Exception:
            # We cannot tell whether it went out, so it must not go out again.
            log.exception("unexpected error while sending a %s", item.kind)
            return SendResult(item.delivery_id, Outcome.UNKNOWN)
