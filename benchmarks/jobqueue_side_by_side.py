"""Case 7: the one-job-per-user design, side by side with cases 3 (herd) and 4 (scale).

A bot written the way python-telegram-bot's documentation and timerbot example teach:
`Application.builder().token(...).build()`, one `job_queue.run_daily(callback, time=...,
chat_id=..., name=...)` per user, and a callback that does
`await context.bot.send_message(job.chat_id, text=...)`. No rate limiter, default HTTPX transport,
default APScheduler job settings (misfire_grace_time=1 s, coalesce). The users are loaded at
start-up from a list, as if read from a database: the database itself is left out, so its cost is
not counted (building the list costs about 1.5 µs a user). The bot runs as a child process
pointed at the benchmark Bot API server (benchmarks/botapi.py), which runs in a process of its own.
Departures from the example: logging at WARNING, not INFO (INFO would add log lines per job); an
error handler and two counters, to count outcomes; `--grace none` if asked for.

Start-up and memory: a child schedules N daily jobs spread over the day (none due during the run),
runs `run_polling()`, and reports when a `run_once(when=0)` job added after the N jobs fires: by
then every job is in APScheduler's store and the application is polling. Start-up is launch to
that moment; memory is the child's VmRSS then. Both minus the same figures with 0 jobs, over N,
give the cost per job. Sizes that would take too long are not run: the cost at `--users` is
extrapolated linearly from the largest measured size, and the output says so. That is a lower
bound: APScheduler's memory store inserts each job into a sorted list, which costs more as it
grows (one run with --sizes 1000000 took 0.21 ms of CPU a job against 0.17 ms at 300,000).

Herd: a child schedules `--herd` jobs all due in the same second, 20 to 40 s after it is ready,
and runs until every job has sent, failed or been skipped, or `--window` seconds after the due
time; then it exits at once, without a clean stop. Counted: sends the server accepted (200), its
429s, the jobs APScheduler skipped as misfired (its "Run time of job ... was missed by" warnings,
counted by a logging handler), the errors PTB passed to the error handler, and the lateness of
each accepted send (server time minus due time).

    python -m benchmarks.jobqueue_side_by_side --herd 30000 --users 1000000 --runs 3
"""

from __future__ import annotations

import argparse
import datetime as dtm
import json
import logging
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram.ext import Application, ContextTypes

from benchmarks.botapi import BenchApi
from benchmarks.common import FIRST_CHAT, TOKEN, machine, max_in_window, percentile

TEXT = "How stressed do you feel right now, from 0 (calm) to 4 (very)?"
LIMITED = {"rate": 1000.0, "per_chat": 1.0}
BIG_RUN = 100_000  # start-up sizes above this run once, whatever --runs says


# --- the bot, as a child process -------------------------------------------------------------


@dataclass
class Figures:
    """What the child counts while the herd runs."""

    finished: int = 0
    first_start: float | None = None
    last_start: float | None = None
    errors: Counter[str] = field(default_factory=Counter)
    missed: int = 0
    missed_by: list[float] = field(default_factory=list)


FIGURES = Figures()


class MissedCounter(logging.Handler):
    """Counts APScheduler's 'Run time of job ... was missed by ...' warnings for check-in jobs."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("Run time of job") and isinstance(record.args, tuple):
            job, late = record.args
            if getattr(job, "name", "").startswith("checkin-"):
                FIGURES.missed += 1
                if isinstance(late, dtm.timedelta):
                    FIGURES.missed_by.append(late.total_seconds())


async def checkin(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The job callback, as the timerbot example writes it (plus two counters)."""
    now = time.monotonic()
    FIGURES.first_start = FIGURES.first_start or now
    FIGURES.last_start = now
    job = context.job
    assert job is not None and job.chat_id is not None
    try:
        await context.bot.send_message(job.chat_id, text=TEXT)
    finally:
        FIGURES.finished += 1


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    FIGURES.errors[type(context.error).__name__] += 1


def _memory() -> dict[str, int]:
    """VmRSS and VmHWM (peak) of this process, in bytes."""
    found: dict[str, int] = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in {"VmRSS", "VmHWM"}:
                found[key] = int(value.split()[0]) * 1024
    return found


def _report(event: str, **figures: Any) -> None:
    print(json.dumps({"event": event, **figures}), flush=True)


def _spread_users(count: int, seed: int) -> list[tuple[int, dtm.time]]:
    """`count` users, each with a daily check-in at a whole minute from 1 h to 23 h from now."""
    rng = random.Random(seed)
    now = dtm.datetime.now(dtm.UTC)
    users = []
    for i in range(count):
        at = now + dtm.timedelta(minutes=rng.randrange(60, 23 * 60))
        users.append((FIRST_CHAT + i, dtm.time(at.hour, at.minute, tzinfo=dtm.UTC)))
    return users


def watch(deadline: float, jobs: int) -> None:
    """Report and end the child once every job is accounted for, or at the deadline. A thread,
    not a task: a busy event loop would not run a task in time."""
    while time.monotonic() < deadline:
        time.sleep(0.5)
        if FIGURES.finished + FIGURES.missed >= jobs:
            time.sleep(2)  # let error handlers finish
            break
    _report(
        "done",
        finished=FIGURES.finished,
        first_start=FIGURES.first_start,
        last_start=FIGURES.last_start,
        errors=dict(FIGURES.errors),
        missed=FIGURES.missed,
        missed_by_min=min(FIGURES.missed_by, default=None),
        missed_by_max=max(FIGURES.missed_by, default=None),
    )
    os._exit(0)  # a clean stop would wait for every send still stuck in the pool


def child(opts: argparse.Namespace) -> None:
    started = time.monotonic()
    logging.basicConfig(level=logging.WARNING, format="%(name)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").addHandler(MissedCounter(logging.WARNING))

    application = Application.builder().token(TOKEN).base_url(f"{opts.api_url}/bot").build()
    application.add_error_handler(on_error)
    job_queue = application.job_queue
    assert job_queue is not None

    # "Read the users from the database": here a list built in memory.
    if opts.due_epoch:
        due = dtm.datetime.fromtimestamp(opts.due_epoch, dtm.UTC)
        at = dtm.time(due.hour, due.minute, due.second, tzinfo=dtm.UTC)
        users = [(FIRST_CHAT + i, at) for i in range(opts.jobs)]
    else:
        users = _spread_users(opts.jobs, opts.seed)
    loaded = time.monotonic()
    first_job = None
    # --grace none is the one departure from the documented defaults, to see past misfires.
    kwargs = {"misfire_grace_time": None} if opts.grace == "none" else None
    for chat_id, at in users:
        job = job_queue.run_daily(
            checkin, time=at, chat_id=chat_id, name=f"checkin-{chat_id}", job_kwargs=kwargs
        )
        first_job = first_job or job
    del users
    scheduled = time.monotonic()

    async def ready(context: ContextTypes.DEFAULT_TYPE) -> None:
        now = time.monotonic()
        memory = _memory()  # before anything below allocates
        next_t = first_job.next_t if first_job is not None else None
        _report(
            "ready",
            imported=started,
            loaded=loaded,
            scheduled=scheduled,
            ready=now,
            cpu=time.process_time(),
            jobs=len(job_queue.scheduler.get_jobs()),
            next_run_epoch=next_t.timestamp() if next_t else None,
            **memory,
        )
        if not opts.due_epoch:
            os._exit(0)  # measured; skip tearing down N jobs
        deadline = now + (opts.due_epoch - time.time()) + opts.window
        threading.Thread(target=watch, args=(deadline, opts.jobs), daemon=True).start()

    # Misfire grace off for this one job only: it is due the moment it is added.
    job_queue.run_once(ready, when=0, job_kwargs={"misfire_grace_time": None})
    application.run_polling(close_loop=True)


# --- the benchmark, as the parent ------------------------------------------------------------


def spawn(
    jobs: int, api: BenchApi, due_epoch: int = 0, window: float = 90.0, grace: str = "default"
) -> dict[str, Any]:
    """Run the bot with `jobs` jobs; its reports, plus `launched` (time.monotonic)."""
    args = [sys.executable, "-m", "benchmarks.jobqueue_side_by_side", "--child"]
    args += ["--jobs", str(jobs), "--api-url", api.url, "--window", str(window)]
    args += ["--grace", grace]
    if due_epoch:
        args += ["--due-epoch", str(due_epoch)]
    with tempfile.TemporaryFile("w+") as log:
        launched = time.monotonic()
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            out, _ = proc.communicate(timeout=1800)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        reports = {r["event"]: r for r in map(json.loads, out.splitlines()) if r}
        if "ready" not in reports or (due_epoch and "done" not in reports):
            log.seek(0)
            tail = log.read()[-3000:]
            raise SystemExit(f"the bot failed (exit {proc.returncode}):\n{tail}")
    return {"launched": launched, **reports}


def startup(sizes: list[int], runs: int) -> dict[int, dict[str, float]]:
    """Median start-up seconds and RSS for each size."""
    found: dict[int, dict[str, float]] = {}
    with BenchApi() as api:
        for size in sizes:
            times, cpu, rss, hwm = [], [], [], []
            for _ in range(runs if size <= BIG_RUN else 1):
                result = spawn(size, api)
                ready = result["ready"]
                assert ready["jobs"] == size, ready
                times.append(ready["ready"] - result["launched"])
                cpu.append(ready["cpu"])
                rss.append(ready["VmRSS"])
                hwm.append(ready["VmHWM"])
                phases = (
                    f"launch→imported {ready['imported'] - result['launched']:.2f} s, "
                    f"run_daily loop {ready['scheduled'] - ready['loaded']:.2f} s, "
                    f"to ready {ready['ready'] - ready['scheduled']:.2f} s"
                )
                print(
                    f"  {size:>9,} jobs: start-up {times[-1]:7.2f} s ({cpu[-1]:.2f} s CPU), "
                    f"RSS {rss[-1] / 2**20:8.1f} MiB (peak {hwm[-1] / 2**20:.1f}); {phases}",
                    flush=True,
                )
            found[size] = {
                "runs": len(times),
                "seconds": statistics.median(times),
                "cpu": statistics.median(cpu),
                "rss": statistics.median(rss),
                "hwm": statistics.median(hwm),
            }
    return found


def herd(
    count: int, limits: dict[str, float], lead: float, window: float, grace: str
) -> dict[str, Any]:
    """One herd run: `count` jobs due in the same second, `lead` s after launch."""
    with BenchApi(**limits) as api:
        due_epoch = math.ceil(time.time() + lead)
        due_mono = time.monotonic() + (due_epoch - time.time())
        result = spawn(count, api, due_epoch=due_epoch, window=window, grace=grace)
        stats = api.stats(detail=True)
    ready, done = result["ready"], result["done"]
    if ready["next_run_epoch"] is None or abs(ready["next_run_epoch"] - due_epoch) > 0.5:
        raise SystemExit(f"the herd was not scheduled for the due time: {ready}")
    late = [stamp - due_mono for stamp in stats["send_stamps"]]
    unfinished = count - done["finished"] - done["missed"]
    figures = {
        "due_after_ready": due_mono - ready["ready"],
        "delivered": stats["sends"],
        "too_many": stats["too_many"],
        "missed": done["missed"],
        "errors": done["errors"],
        "unfinished": unfinished,
        "first_callback": (done["first_start"] - due_mono) if done["first_start"] else None,
        "missed_by_min": done["missed_by_min"],
        "missed_by_max": done["missed_by_max"],
        "late_p50": percentile(late, 50),
        "late_p90": percentile(late, 90),
        "late_p99": percentile(late, 99),
        "late_max": max(late, default=math.nan),
        "peak_per_s": max_in_window(stats["send_stamps"]),
    }
    print(
        f"  due {figures['due_after_ready']:.0f} s after ready: "
        f"delivered {figures['delivered']:,}, 429s {figures['too_many']:,}, "
        f"missed (skipped by APScheduler) {figures['missed']:,}, errors {figures['errors']}, "
        f"not finished by the end {unfinished:,}",
        flush=True,
    )
    if figures["missed"]:
        print(
            f"    skipped jobs were late by {figures['missed_by_min']:.2f} to "
            f"{figures['missed_by_max']:.2f} s when APScheduler looked at them",
            flush=True,
        )
    if figures["first_callback"] is not None:
        print(f"    first callback ran {figures['first_callback']:.2f} s after the due time")
    if late:
        print(
            f"    lateness of delivered sends: p50 {figures['late_p50']:.2f} s, "
            f"p90 {figures['late_p90']:.2f} s, p99 {figures['late_p99']:.2f} s, "
            f"max {figures['late_max']:.2f} s; peak {figures['peak_per_s']:,} sends in 1 s",
            flush=True,
        )
    return figures


def _fmt(value: float | None, unit: str = " s") -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value:.2f}{unit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--herd", type=int, default=30_000, help="jobs due in the same second")
    parser.add_argument("--users", type=int, default=1_000_000, help="users stored (case 4)")
    parser.add_argument(
        "--sizes",
        default="30000,100000,300000",
        help="job counts to start with (0 is always added); --users is extrapolated if larger",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help=f"runs of each herd, and of sizes up to {BIG_RUN:,} (larger sizes run once)",
    )
    parser.add_argument("--window", type=float, default=90.0, help="seconds to run after due")
    parser.add_argument(
        "--grace",
        choices=["default", "none"],
        default="default",
        help="herd jobs' misfire_grace_time: APScheduler's default (1 s) or none (never skip)",
    )
    parser.add_argument(
        "--skip",
        help="leave out a part (repeatable)",
        choices=["startup", "herd", "unlimited"],
        action="append",
    )
    parser.add_argument("--markdown", help="also write the results table here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--due-epoch", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        child(opts)
        return
    skip = set(opts.skip or [])
    header = f"one-job-per-user (PTB JobQueue.run_daily); {machine()}"
    print(header, flush=True)
    lines = [f"Machine: {header.split('; ', 1)[1]}", ""]

    sizes = sorted({0, *(int(s) for s in opts.sizes.split(",") if s)})
    herd_startup = 3.0 + opts.herd * 0.0005  # a guess, replaced by a measurement if there is one
    if "startup" not in skip:
        print(f"start-up and memory ({opts.runs} run(s) a size up to {BIG_RUN:,} jobs, 1 above):")
        found = startup(sizes, opts.runs)
        base = found[0]
        print("  per job, over the 0-job run:")
        lines += [
            "| jobs | runs | start-up | CPU | RSS at ready | ms per job | CPU ms per job "
            "| bytes per job |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for size, fig in found.items():
            ms = (fig["seconds"] - base["seconds"]) / size * 1000 if size else math.nan
            cpu_ms = (fig["cpu"] - base["cpu"]) / size * 1000 if size else math.nan
            per = (fig["rss"] - base["rss"]) / size if size else math.nan
            if size:
                print(
                    f"  {size:>9,} jobs: {ms:.3f} ms/job ({cpu_ms:.3f} ms CPU), "
                    f"{per:,.0f} bytes/job"
                )
            lines.append(
                f"| {size:,} | {fig['runs']} | {fig['seconds']:.2f} s | {fig['cpu']:.2f} s | "
                f"{fig['rss'] / 2**20:,.0f} MiB | {'–' if not size else f'{ms:.3f}'} | "
                f"{'–' if not size else f'{cpu_ms:.3f}'} | {'–' if not size else f'{per:,.0f}'} |"
            )
        top = max(sizes)
        if opts.users > top:
            ms = (found[top]["seconds"] - base["seconds"]) / top
            per = (found[top]["rss"] - base["rss"]) / top
            secs = base["seconds"] + ms * opts.users
            cpu = base["cpu"] + (found[top]["cpu"] - base["cpu"]) / top * opts.users
            rss = base["rss"] + per * opts.users
            note = (
                f"EXTRAPOLATED, not measured: {opts.users:,} jobs at the per-job cost of the "
                f"{top:,}-job run ≈ {secs:.0f} s start-up ({cpu:.0f} s CPU), "
                f"{rss / 2**30:.1f} GiB RSS (linear, so a lower bound for time)"
            )
            print(f"  {note}")
            lines.append(
                f"| {opts.users:,} (extrapolated) | 0 | ≈ {secs:.0f} s | ≈ {cpu:.0f} s | "
                f"≈ {rss / 2**30:.1f} GiB | | | |"
            )
        if opts.herd in found:
            herd_startup = found[opts.herd]["seconds"]
        lines.append("")

    if "herd" not in skip:
        lead = herd_startup * 1.2 + 20
        configs = [("1,000/s and 1/chat/s, as Telegram", LIMITED)]
        if "unlimited" not in skip:
            configs.append(("no limits", {}))
        lines += [
            "| server limits | delivered | 429s | skipped as misfired | other errors | "
            "unfinished at the end | lateness p50 / p99 / max |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for label, limits in configs:
            print(f"herd: {opts.herd:,} jobs due in the same second, server {label}:", flush=True)
            results = [
                herd(opts.herd, limits, lead, opts.window, opts.grace) for _ in range(opts.runs)
            ]

            def med(key: str, results: list[dict[str, Any]] = results) -> float:
                values = [r[key] for r in results if r[key] is not None]
                return statistics.median(values) if values else math.nan

            others = [sum(n for k, n in r["errors"].items() if k != "RetryAfter") for r in results]
            print(
                f"  median of {opts.runs}: delivered {med('delivered'):,.0f}, "
                f"429s {med('too_many'):,.0f}, missed {med('missed'):,.0f}",
                flush=True,
            )
            lines.append(
                f"| {label}, grace {opts.grace} | {med('delivered'):,.0f} | "
                f"{med('too_many'):,.0f} | {med('missed'):,.0f} | "
                f"{statistics.median(others):,.0f} | {med('unfinished'):,.0f} | "
                f"{_fmt(med('late_p50'))} / {_fmt(med('late_p99'))} / {_fmt(med('late_max'))} |"
            )
    if opts.markdown:
        Path(opts.markdown).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
