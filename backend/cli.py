"""The `gandan` command: serve, worker, migrate, seed-demo, create-user, openapi, vapid, backup."""

from __future__ import annotations

import argparse
import asyncio
import errno
import getpass
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from backend.core.clock import configure_clock
from backend.settings import get_settings


def _migrate() -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from backend.catalog.reference import load_reference_data
    from backend.db.engine import close_engine, prepare_engine

    async def run() -> None:
        result = await run_forwards("core")
        if not result.success:
            raise SystemExit(f"migration failed: {result.message}")
        await prepare_engine()
        try:
            counts = await load_reference_data(get_settings().data_dir)
        finally:
            await close_engine()
        for table, (inserted, updated) in counts.items():
            print(f"reference data {table}: {inserted} inserted, {updated} updated")

    asyncio.run(run())


def _seed_demo() -> None:
    from backend.accounts.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo_users
    from backend.db.engine import close_engine, prepare_engine

    async def run() -> list[str]:
        await prepare_engine()
        try:
            return await seed_demo_users()
        finally:
            await close_engine()

    created = asyncio.run(run())
    print(f"demo users created: {', '.join(created) or 'none (already there)'}")
    print(f"demo logins (password {DEMO_PASSWORD}):")
    for username, full_name, role, communes in DEMO_USERS:
        print(f"  {username:<10} {role:<11} {full_name} — {', '.join(communes) or 'all communes'}")


def _create_user(args: argparse.Namespace) -> None:
    from backend.accounts.services import create_user
    from backend.db.engine import close_engine, prepare_engine

    password = os.environ.get("GANDAN_PASSWORD") or getpass.getpass("Password: ")
    communes = [c.strip() for c in (args.communes or "").split(",") if c.strip()]

    async def run() -> None:
        await prepare_engine()
        try:
            user_id = await create_user(args.username, args.full_name, args.role, communes, password)
        finally:
            await close_engine()
        print(f"user {args.username} ({args.role}) saved: {user_id}")

    try:
        asyncio.run(run())
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from exc


def _openapi(args: argparse.Namespace) -> None:
    from backend.app import create_app

    schema = create_app().openapi_schema.to_schema()
    text = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")


def port_in_use(host: str, port: int) -> str | None:
    """Why `host:port` cannot be served (None when it is free).

    granian binds with SO_REUSEPORT on Linux, so a second server on a busy port would start without a word
    and the kernel would share the connections between the two (each with its own database, perhaps). A plain
    bind, which SO_REUSEPORT does not let share, tells whether anything listens there already.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return f"cannot resolve HOST {host!r}: {exc}"
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            # SO_REUSEADDR lets the port be taken over from connections in TIME_WAIT, never from a listener.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    return f"{host}:{port} is already in use (another `gandan serve`?); stop it or choose another PORT"
                return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def _serve(args: argparse.Namespace) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    settings = get_settings()
    problem = port_in_use(settings.host, settings.port)
    if problem:
        raise SystemExit(f"error: {problem}")
    worker: subprocess.Popen[bytes] | None = None
    if args.with_worker:
        worker = subprocess.Popen([sys.executable, "-m", "backend.cli", "worker"])
    base = f"http://{settings.host}:{settings.port}"
    print(f"Gần Dân: citizens {base}/  staff {base}/staff/  API {base}/api/schema", flush=True)
    try:
        Granian(
            "backend.app:app",
            address=settings.host,
            port=settings.port,
            interface=Interfaces.ASGI,
            workers=settings.web_workers,
            log_access=False,
        ).serve()
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=10)


def _worker() -> None:
    from backend.worker import run_worker

    asyncio.run(run_worker())


def _vapid(args: argparse.Namespace) -> None:
    from backend.push.vapid import keys_path, load_keyring, rotate_keys

    try:
        keyring = rotate_keys(forget_old=args.forget_old) if args.rotate else load_keyring()
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from exc
    where = "environment (VAPID_PRIVATE_KEY)" if keyring.source == "environment" else str(keys_path())
    print(f"public key: {keyring.current.public_key}")
    print(f"key id:     {keyring.current.key_id}")
    print(f"source:     {where}")
    if keyring.older:
        print(f"older keys still signing for old subscriptions: {', '.join(k.key_id for k in keyring.older)}")


def _backup(args: argparse.Namespace) -> None:
    from backend.ops import backup

    print(backup(Path(args.directory) if args.directory else None))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="gandan", description="Gần Dân service commands")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the API and both apps (HOST, PORT, WEB_WORKERS)")
    serve.add_argument("--with-worker", action="store_true", help="also start the background worker")
    sub.add_parser("worker", help="run the background worker")
    sub.add_parser("migrate", help="apply database migrations and load reference data")
    sub.add_parser("seed-demo", help="create the demo users (idempotent)")
    user = sub.add_parser("create-user", help="create or update a staff user (password from GANDAN_PASSWORD or prompt)")
    user.add_argument("username")
    user.add_argument("--full-name", required=True)
    user.add_argument("--role", required=True, choices=["officer", "dispatcher", "supervisor", "admin"])
    user.add_argument("--communes", default="", help="comma-separated codes of the communes served")
    openapi = sub.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("output", nargs="?", default="-")
    vapid = sub.add_parser("vapid", help="show the Web Push (VAPID) public key; --rotate makes a new key pair")
    vapid.add_argument("--rotate", action="store_true", help="make a new key pair; browsers subscribe again")
    vapid.add_argument(
        "--forget-old", action="store_true", help="with --rotate: drop old keys (old subscriptions then fail)"
    )
    bk = sub.add_parser("backup", help="copy the database to var/backups/ (SQLite) or run pg_dump (PostgreSQL)")
    bk.add_argument("--directory", default=None)
    args = parser.parse_args(argv)
    configure_clock(get_settings())

    match args.command:
        case "serve":
            _serve(args)
        case "worker":
            _worker()
        case "migrate":
            _migrate()
        case "seed-demo":
            _seed_demo()
        case "create-user":
            _create_user(args)
        case "openapi":
            _openapi(args)
        case "vapid":
            _vapid(args)
        case "backup":
            _backup(args)


if __name__ == "__main__":
    main()
