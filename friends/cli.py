"""The `friends` command: run everything, or one piece of it."""

from __future__ import annotations

import _thread
import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from friends.settings import ROOT, Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Service Friends: the booking assistant.")
bench_app = typer.Typer(no_args_is_help=True, help="Benchmarks that print their figures.")
app.add_typer(bench_app, name="bench")


def _logging(settings: Settings) -> None:
    from friends.ops import configure_logging

    configure_logging(settings)


@app.command()
def run(
    workers: Annotated[
        int, typer.Option(help="web/bot worker processes (webhook mode on PostgreSQL only)")
    ] = 1,
    allow_demo_helpers: Annotated[
        bool, typer.Option(help="start with a real bot token although the database holds demo helpers")
    ] = False,
) -> None:
    """Start every process; without TELEGRAM_BOT_TOKEN, chat with the bot in this terminal."""
    from friends import processes  # no more: this process only watches the others (memory)

    settings = Settings()
    _check_workers(settings, workers)
    print("Service Friends — starting", flush=True)
    allow = allow_demo_helpers or settings.allow_demo_helpers
    prepared = subprocess.call(
        [str(processes.FRIENDS), "prepare", *(["--allow-demo-helpers"] if allow else [])]
    )
    if prepared:
        raise typer.Exit(prepared)
    os.environ.update(processes.local_console_env(settings))  # the web server inherits it
    token = processes.rasa_token(settings)
    children = [
        processes.action_process(settings, token),
        processes.rasa_process(settings, token),
        processes.web_process(settings, token, workers=workers),
    ]
    demo = settings.telegram_bot_token is None
    if not demo and not settings.telegram_webhook_url:  # webhook mode: the web server is the bot
        children.append(processes.bot_process(settings, token))
    supervisor = processes.Supervisor(children)
    for signum in (signal.SIGTERM, signal.SIGHUP):  # stop the children on these too, not only Ctrl-C
        signal.signal(signum, _interrupt)
    try:
        supervisor.start()
        print(f"Rasa server: {settings.rasa_url} (127.0.0.1 only, token in var/run/rasa.token)")
        print(f"Action server: http://127.0.0.1:{settings.action_server_port}")
        print(f"Web server (console, Stripe webhooks): http://127.0.0.1:{settings.web_port}")
        print(f"Database: {settings.database_url}")
        if demo:
            print("No TELEGRAM_BOT_TOKEN set: starting the terminal demo.\n", flush=True)
            _watch_in_background(supervisor)
            from friends.chat import interactive
            from friends.processes import run_dir

            (run_dir() / "bot.pid").write_text(str(os.getpid()))  # the bot runs in this process
            log_file = settings.var_dir / "log" / "bot.log"
            logging.basicConfig(
                filename=log_file,
                level=settings.log_level,
                format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            )

            asyncio.run(interactive(settings, token, lang=None))
        else:
            how = "receives Telegram's webhook" if settings.telegram_webhook_url else "is polling Telegram"
            print(f"Bot {how}. Stop everything with Ctrl-C.", flush=True)
            while True:
                time.sleep(1)
                supervisor.check()
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping…", flush=True)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not orphan a process
        supervisor.stop()
        print("All processes stopped.")


DEMO_HELPERS = 300


@app.command(hidden=True)
def prepare(
    allow_demo_helpers: Annotated[bool, typer.Option(help="a real bot token with demo helpers")] = False,
) -> None:
    """Migrate the database and, for the demo, seed demo helpers (`run` does this first, in a
    process of its own, so that the supervisor stays small)."""
    prepare_database(Settings(), allow_demo_helpers=allow_demo_helpers)


def prepare_database(settings: Settings, *, allow_demo_helpers: bool) -> None:
    """Migrate; the demo (no bot token) gets demo helpers in an empty database. With a real
    token, nothing is seeded, and a database holding demo helpers stops the start unless
    allowed: real customers would be matched with people who do not exist."""
    from friends.wiring import uow_factory
    from storage.db import make_engine, session_factory
    from storage.queries import Queries

    uow = uow_factory(settings.database_url)  # migrate before anything uses the database
    if settings.telegram_bot_token is None:
        if seed_demo_helpers(uow):
            print(f"Empty database: added {DEMO_HELPERS} demo helpers (friends seed --helpers N for more).")
        return
    found = Queries(session_factory(make_engine(settings.database_url))).demo_helpers()
    if found and not allow_demo_helpers:
        raise typer.Exit(_refuse(f"The database holds {found} demo helpers, and a real bot token is set"))


def _refuse(reason: str) -> int:
    print(
        f"{reason}: real customers would be offered helpers who do not exist. Use an empty "
        "database, or start with --allow-demo-helpers (ALLOW_DEMO_HELPERS=true) if this is a test bot.",
        file=sys.stderr,
        flush=True,
    )
    return 2


def seed_demo_helpers(uow: object) -> bool:
    """The run command fills an empty database with demo helpers, so the demo offers choices."""
    from datetime import UTC, datetime

    from friends.wiring import place_index
    from storage.seed import seed_helpers

    with uow() as u:  # type: ignore[operator]
        if u.helpers.count():
            return False
    seed_helpers(uow, place_index(), DEMO_HELPERS, now=datetime.now(UTC))  # type: ignore[arg-type]
    return True


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _watch_in_background(supervisor: object) -> None:
    from friends.processes import ProcessFailed, Supervisor

    assert isinstance(supervisor, Supervisor)

    def watch() -> None:
        while True:
            time.sleep(2)
            try:
                supervisor.check()
            except ProcessFailed as failed:
                print(f"\n{failed.code}", file=sys.stderr, flush=True)
                _thread.interrupt_main()
                return

    threading.Thread(target=watch, daemon=True).start()


def _check_workers(settings: Settings, workers: int) -> None:
    """Several workers share updates, outbox and timers through PostgreSQL's row locks; they
    receive updates by webhook (only one process may poll). SQLite stays one process."""
    if workers < 1:
        raise typer.BadParameter("--workers is at least 1")
    if workers > 1 and not settings.database_url.startswith("postgresql"):
        raise typer.BadParameter("--workers needs PostgreSQL (DATABASE_URL); SQLite is one process")
    if workers > 1 and settings.telegram_bot_token and not settings.telegram_webhook_url:
        raise typer.BadParameter("--workers needs TELEGRAM_WEBHOOK_URL: only one process can poll")


@app.command()
def bot() -> None:
    """Run the Telegram bot (polling)."""
    from telegram import Update

    from bot.app import BotConfig, build_application
    from friends import ops
    from friends.wiring import bot_services

    settings = Settings()
    _logging(settings)
    if settings.telegram_bot_token is None:
        raise typer.BadParameter("TELEGRAM_BOT_TOKEN is not set")
    if settings.telegram_webhook_url:
        raise typer.BadParameter("TELEGRAM_WEBHOOK_URL is set: updates arrive at `friends web`")
    config = BotConfig(
        token=settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_url,
        messages_per_s=settings.telegram_messages_per_s,
    )
    services = bot_services(settings)
    application = build_application(config, services)
    ops.watch_backlog(services.uow, services.now)
    ops.serve(
        settings.bot_ops_port, lambda: application.running and ops.database_ready(services.uow, services.now)
    )
    application.run_polling(allowed_updates=Update.ALL_TYPES)


@app.command()
def actions(port: Annotated[int | None, typer.Option(help="defaults to ACTION_SERVER_PORT")] = None) -> None:
    """Run the Rasa action server (127.0.0.1)."""
    from rasa_sdk.endpoint import create_app

    from actions import executor
    from friends.wiring import action_services

    settings = Settings()
    _logging(settings)
    server = create_app(executor(action_services(settings)))
    server.run(
        host="127.0.0.1",
        port=port or settings.action_server_port,
        single_process=True,
        access_log=False,
        motd=False,
    )


@app.command()
def rasa() -> None:
    """Run the Rasa server alone, in the foreground (127.0.0.1, RASA_URL's port; trains first if needed)."""
    from friends import processes
    from friends.settings import ROOT

    settings = Settings()
    server = processes.rasa_process(settings, processes.rasa_token(settings))
    os.chdir(ROOT)
    os.execve(server.argv[0], server.argv, server.env)


@app.command()
def chat(
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help="batch mode: scenarios on stdin, results on stdout")
    ] = False,
    lang: Annotated[str | None, typer.Option(help="your Telegram language (de/en)")] = None,
) -> None:
    """Chat with the bot as a customer, through the full stack."""
    from friends import chat as chat_module
    from friends.processes import nlu_stack

    settings = Settings()
    logging.basicConfig(level=logging.WARNING)
    with nlu_stack(settings, with_actions=True) as token:
        if jsonl:
            asyncio.run(chat_module.batch(settings, token, sys.stdin, sys.stdout))
        else:
            asyncio.run(chat_module.interactive(settings, token, lang=lang))


@app.command()
def classify() -> None:
    """JSON Lines with "text" and/or "photo" (a path) on stdin → the same lines with category,
    intent, confidence, language (and "ocr_text", the text read on the photo)."""
    from friends.classify import classify as classify_lines
    from friends.processes import nlu_stack
    from friends.wiring import rasa_client

    settings = Settings()
    lines = sys.stdin.read().splitlines()
    with nlu_stack(settings, with_actions=False) as token:
        from pydantic import SecretStr

        client = rasa_client(settings.model_copy(update={"rasa_token": SecretStr(token)}))
        asyncio.run(classify_lines(client, lines, sys.stdout))


@bench_app.command("nlu")
def bench_nlu(
    n: Annotated[int, typer.Option(help="messages to parse")] = 320,
    concurrency: Annotated[int, typer.Option(help="parallel requests for the throughput run")] = 4,
    as_json: Annotated[
        bool, typer.Option("--json", help="also print a JSON object as the last line")
    ] = False,
    held_out_set: Annotated[
        Path, typer.Option("--held-out", help="labelled JSON Lines for accuracy and macro-F1")
    ] = ROOT / "tests" / "rasa" / "heldout_c.jsonl",
) -> None:
    """Category accuracy and macro-F1 on the untouched held-out set (per language and hard/plain
    half), parse latency p50/p95, throughput and resident memory of each process."""
    from pydantic import SecretStr

    from friends.bench.nlu import bench, held_out, report, sample_texts
    from friends.processes import nlu_stack
    from friends.wiring import rasa_client

    settings = Settings()
    rows = held_out(held_out_set) if held_out_set.exists() else []
    with nlu_stack(settings, with_actions=False) as token:
        client = rasa_client(settings.model_copy(update={"rasa_token": SecretStr(token)}))
        result = asyncio.run(
            bench(
                client,
                sample_texts(n),
                concurrency=concurrency,
                rows=rows,
                held_out_name=held_out_set.name if rows else None,
            )
        )
    print(report(result))
    if as_json:
        print(json.dumps(result))


@bench_app.command("ocr")
def bench_ocr(
    as_json: Annotated[
        bool, typer.Option("--json", help="also print a JSON object as the last line")
    ] = False,
) -> None:
    """Tesseract on generated error screens: seconds per image and the share of words read."""
    from friends.bench.ocr import measure, report

    rows = measure()
    print(report(rows))
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))


@bench_app.command("matching")
def bench_matching(
    helpers: Annotated[list[int], typer.Option(help="helper counts; repeat for a growth table")] = [1000],  # noqa: B006
    requests: Annotated[int, typer.Option(help="random Berlin requests per count")] = 1000,
    postgres: Annotated[
        str | None, typer.Option(help="also run on this PostgreSQL URL (an empty database)")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="also print a JSON object as the last line")
    ] = False,
) -> None:
    """Top-3 latency p50/p95/p99 over random Berlin requests on SQLite (and PostgreSQL)."""
    from friends.bench.matching import database_url, measure, prepared_database
    from friends.settings import ROOT
    from friends.wiring import place_index

    places = place_index()
    results = []
    engines = ["sqlite"] + (["postgres"] if postgres else [])
    for engine in engines:
        for count in sorted(helpers):
            url = database_url(engine, count, ROOT / "var" / "bench", postgres)
            uow = prepared_database(url, places, count)
            result = {"engine": engine, "helpers": count, **measure(uow, places, requests)}
            results.append(result)
            figures = f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms"
            figures += f"; CPU of this process p50 {result['cpu_p50_ms']} ms, p95 {result['cpu_p95_ms']} ms"
            nobody = f"{result['without_candidates']} of {requests} requests found nobody"
            print(f"{engine:8} {count:>9,} helpers: top-3 {figures} ({nobody})", flush=True)
    if as_json:
        print(json.dumps(results[-1] if len(results) == 1 else {**results[-1], "runs": results}))


@bench_app.command("relay")
def bench_relay(
    n: Annotated[int, typer.Option(help="relayed texts (and as many echo updates)")] = 3000,
    chats: Annotated[int, typer.Option(help="bookings whose customers write at once (rate run)")] = 8,
    postgres: Annotated[
        str | None, typer.Option(help="a PostgreSQL URL instead of a fresh SQLite file")
    ] = None,
    workers: Annotated[
        int, typer.Option(help="instead: the rate through the webhook of 1, 2, 4 … N workers (PostgreSQL)")
    ] = 0,
    as_json: Annotated[
        bool, typer.Option("--json", help="also print a JSON object as the last line")
    ] = False,
) -> None:
    """Relay latency against a bare echo bot, relayed messages per second, SQL per message."""
    from friends.bench.relay import bench_relay as measure
    from friends.bench.relay import report, sqlite_url
    from friends.settings import ROOT

    logging.basicConfig(level=logging.WARNING)
    if workers:
        if not postgres:
            raise typer.BadParameter("--workers needs --postgres URL")
        from friends.bench.workers import bench_workers

        many = asyncio.run(bench_workers(postgres, workers, n, max(chats, 16)))
        for count, rate in many["workers"].items():
            print(f"{count} worker(s): {rate} relayed messages/s through the webhook", flush=True)
        print(f"lost {many['lost']}, duplicated {many['duplicated']}")
        if as_json:
            print(json.dumps(many))
        return
    url = postgres or sqlite_url(ROOT / "var" / "bench", "relay")
    result = asyncio.run(measure(url, n, chats))
    print(f"{'postgres' if postgres else 'sqlite'}: {report(result)}")
    if as_json:
        print(json.dumps(result))


@bench_app.command("hol")
def bench_hol(
    as_json: Annotated[
        bool, typer.Option("--json", help="also print a JSON object as the last line")
    ] = False,
) -> None:
    """How long a relayed message waits behind another customer's message to a Rasa taking 2 s."""
    from friends.bench.relay import bench_hol as measure
    from friends.bench.relay import sqlite_url
    from friends.settings import ROOT

    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(measure(sqlite_url(ROOT / "var" / "bench", "hol")))
    print(
        f"a relayed message waited {result['blocked_ms']} ms "
        f"behind a Rasa taking {result['rasa_delay_ms']} ms"
    )
    if as_json:
        print(json.dumps(result))


@bench_app.command("memory")
def bench_memory(
    as_json: Annotated[
        bool, typer.Option("--json", help="also print a JSON object as the last line")
    ] = False,
) -> None:
    """Resident memory of every process `friends run` starts, at rest (a stand-in Telegram)."""
    from friends.bench.memory import bench_memory as measure

    result = measure()
    print(
        ", ".join(f"{name} {mb} MB" for name, mb in result["rss_mb"].items())
        + f"; total {result['total_mb']} MB"
    )
    if as_json:
        print(json.dumps(result))


@app.command()
def train(force: Annotated[bool, typer.Option(help="train even when nothing changed")] = False) -> None:
    """Train the Rasa model when nlu/, domain.yml or config.yml changed."""
    from friends.model import ensure_model

    ensure_model(force=force)


helpers_app = typer.Typer(no_args_is_help=True, help="Manage helpers (until the staff console exists).")
app.add_typer(helpers_app, name="helpers")


@helpers_app.command("verify")
def helpers_verify(helper_id: int) -> None:
    """Mark a helper as verified by support, so customers can be offered them."""
    from datetime import UTC, datetime

    from core.errors import UnknownHelper
    from core.ids import HelperId
    from core.services.matching import verify_helper
    from friends.wiring import uow_factory

    try:
        helper = verify_helper(
            uow_factory(Settings().database_url), HelperId(helper_id), now=datetime.now(UTC)
        )
    except UnknownHelper:
        raise typer.BadParameter(f"no helper with id {helper_id}") from None
    state = (
        "and is offered to customers" if helper.matchable else f"(still {helper.status}, so not offered yet)"
    )
    print(f"Helper {helper.id} ({helper.name}) is verified {state}.")


bookings_app = typer.Typer(no_args_is_help=True, help="Look into and sort out bookings (support).")
app.add_typer(bookings_app, name="bookings")


def _support() -> tuple[Any, Any]:
    from datetime import UTC, datetime

    from friends.wiring import uow_factory

    settings = Settings()
    return uow_factory(settings.database_url)(), datetime.now(UTC)  # one use case per command


@bookings_app.command("show")
def bookings_show(booking_id: int) -> None:
    """A booking's state, its whole history, the relayed messages and the flags."""
    from core.booking import NotYours
    from core.services.booking import history

    uow, _ = _support()
    try:
        booking, events, transcript, flags = history(uow, booking_id)
    except NotYours:
        raise typer.BadParameter(f"no booking with id {booking_id}") from None
    print(
        f"Booking {booking.id}: {booking.state} · request {booking.request_id} · helper {booking.helper_id}"
        f" · {booking.rate / 100:.2f} €/h · start {booking.start or '–'} · amount {booking.amount or '–'}"
    )
    for e in events:
        print(
            f"  {e.at:%Y-%m-%d %H:%M:%S} {e.actor:<8} {e.trigger:<18} "
            f"{e.from_state} → {e.to_state} {e.reason}"
        )
    for sender, kind, body in transcript:
        print(f"  💬 {sender}: [{kind}] {body}")
    for kind, note in flags:
        print(f"  🚩 {kind}: {note}")


@bookings_app.command("cancel")
def bookings_cancel(
    booking_id: int, reason: Annotated[str, typer.Option(help="told to nobody; kept in the history")]
) -> None:
    """Cancel a booking as support (free of charge; both sides are told in the chat)."""
    from core.errors import DomainError
    from core.services.booking import cancel
    from friends.wiring import offline_or_live_payments

    uow, now = _support()
    settings = Settings()
    try:
        booking = cancel(
            uow,
            None,
            booking_id,
            now=now,
            policy=settings.booking_policy,
            payments=offline_or_live_payments(settings),
            reason=reason,
            source="cli",
        )
    except DomainError as err:
        raise typer.BadParameter(
            f"cannot cancel booking {booking_id}: {err.key} {dict(err.params)}"
        ) from None
    print(f"Booking {booking.id} is {booking.state}; both sides are told by the bot.")


@bookings_app.command("resolve")
def bookings_resolve(
    booking_id: int,
    amount_cents: Annotated[int, typer.Option(help="what the customer pays in the end, in cents")],
    note: Annotated[str, typer.Option(help="the decision, kept in the history")],
) -> None:
    """Settle a disputed booking with the amount the customer pays."""
    from core.errors import DomainError
    from core.ids import Cents
    from core.services.booking import resolve
    from friends.wiring import offline_or_live_payments

    uow, now = _support()
    settings = Settings()
    try:
        booking = resolve(
            uow,
            booking_id,
            amount=Cents(amount_cents),
            note=note,
            now=now,
            policy=settings.booking_policy,
            payments=offline_or_live_payments(settings),
        )
    except DomainError as err:
        raise typer.BadParameter(
            f"cannot resolve booking {booking_id}: {err.key} {dict(err.params)}"
        ) from None
    print(
        f"Booking {booking.id} is {booking.state} at {booking.amount} cents; both sides are told by the bot."
    )


@app.command()
def web(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="defaults to WEB_PORT")] = None,
    workers: Annotated[
        int, typer.Option(help="worker processes on one port (webhook mode on PostgreSQL only)")
    ] = 1,
) -> None:
    """The web server: console, Stripe webhooks, /healthz (migrates first); with
    TELEGRAM_WEBHOOK_URL also Telegram's webhook and the bot itself."""
    import uvicorn

    from friends.web import web_app

    settings = Settings()
    _check_workers(settings, workers)
    _logging(settings)
    where = {"host": host, "port": port or settings.web_port, "log_level": "info"}
    if workers == 1:
        uvicorn.run(web_app(settings), **where)  # type: ignore[arg-type]
        return
    from storage.migrate import upgrade

    upgrade(settings.database_url)  # once, before the workers start
    os.environ["WEB_WORKERS"] = str(workers)  # each worker sends its share of the bot's messages
    uvicorn.run("friends.web:app_from_env", factory=True, workers=workers, **where)  # type: ignore[arg-type]


payments_app = typer.Typer(
    no_args_is_help=True, help="Refunds and reconciling the ledger with Stripe (support)."
)
app.add_typer(payments_app, name="payments")


@payments_app.command("refund")
def payments_refund(
    booking_id: int,
    amount_cents: Annotated[int, typer.Option(help="how much to give back, in cents")],
    reason: Annotated[str, typer.Option(help="kept in the booking's history")],
) -> None:
    """Refund (part of) a card payment; both sides are told in the chat."""
    from core.errors import DomainError
    from core.ids import Cents
    from core.services.payments import refund
    from friends.wiring import offline_or_live_payments

    uow, now = _support()
    settings = Settings()
    try:
        entries = refund(
            uow,
            booking_id,
            Cents(amount_cents),
            reason=reason,
            now=now,
            payments=offline_or_live_payments(settings),
        )
    except DomainError as err:
        raise typer.BadParameter(
            f"cannot refund booking {booking_id}: {err.key} {dict(err.params)}"
        ) from None
    for e in entries:
        print(f"  {e.kind:<9} {e.amount:>8} cents  {e.reference}")
    print(f"Refunded {amount_cents} cents of booking {booking_id}.")


@payments_app.command("reconcile")
def payments_reconcile() -> None:
    """Compare the ledger with the payment provider's objects and list every difference."""
    from core.services.payments import reconcile
    from friends.wiring import offline_or_live_payments

    settings = Settings()
    uow, _ = _support()
    provider = offline_or_live_payments(settings)
    if not provider.live:
        print("No STRIPE_API_KEY: payments are offline test payments, there is nothing to compare with.")
        return
    compared, differences = reconcile(uow, provider)
    for d in differences:
        print(f"  booking {d.booking_id} {d.reference}: {d.what} ledger {d.ledger} ≠ Stripe {d.provider}")
    print(f"{compared} payments compared, {len(differences)} differences.")
    if differences:
        raise typer.Exit(1)


staff_app = typer.Typer(no_args_is_help=True, help="Staff accounts of the console.")
app.add_typer(staff_app, name="staff")


@staff_app.command("add")
def staff_add(
    email: str,
    role: Annotated[str, typer.Option(help="support or admin")] = "support",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from stdin")
    ] = False,
) -> None:
    """Create a staff account (the password is prompted for, or read from stdin; never logged)."""
    import getpass

    from console.auth import hash_password
    from core.errors import DomainError
    from core.services.staff import add_staff
    from core.staff import Role, check_password

    if role not in {"support", "admin"}:
        raise typer.BadParameter("role is support or admin")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise typer.BadParameter("the two passwords differ")
    uow, now = _support()
    try:
        check_password(password)
        member = add_staff(uow, email, Role(role), hash_password(password), now=now)
    except DomainError as err:
        raise typer.BadParameter(f"{err.key} {dict(err.params)}") from None
    print(f"Staff account {member.email} ({member.role}) created.")


@staff_app.command("disable")
def staff_disable(email: str) -> None:
    """Disable an account; its sessions end at once."""
    from core.errors import DomainError
    from core.services.staff import set_disabled

    uow, now = _support()
    try:
        member = set_disabled(uow, email, True, now=now)
    except DomainError as err:
        raise typer.BadParameter(f"{err.key} {dict(err.params)}") from None
    print(f"Staff account {member.email} is disabled.")


@app.command()
def seed(helpers: Annotated[int, typer.Option(help="how many demo helpers should exist")] = 300) -> None:
    """Create realistic, deterministic demo helpers all over Berlin (idempotent)."""
    from datetime import UTC, datetime

    from friends.wiring import place_index, uow_factory
    from storage.seed import seed_helpers

    added = seed_helpers(uow_factory(Settings().database_url), place_index(), helpers, now=datetime.now(UTC))
    print(f"{added} demo helpers added ({helpers} wanted; the others existed already).")


@app.command()
def migrate() -> None:
    """Bring the database (DATABASE_URL) to the newest schema."""
    from storage.migrate import upgrade

    upgrade(Settings().database_url)
    print("Database is up to date.")


def main() -> None:
    app()
