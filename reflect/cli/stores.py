"""The store itself: init, backup, and the demo couple's store."""

from __future__ import annotations

import click

from reflect.cli.common import (
    Month,
    db_option,
    echo,
)
from reflect.system.paths import resolve_store_path

# -- init --------------------------------------------------------------------------------------


@click.command()
@db_option
def init(db: str | None) -> None:
    """Create the store (if it does not exist yet) and say where it is."""
    from reflect.storage.store import Store

    with Store(resolve_store_path(db)) as store:
        echo(f"Store ready at {store.path} ({store.count()} check-ins).")


# -- backup / demo -----------------------------------------------------------------------------


@click.command()
@click.argument("dest", type=click.Path())
@click.option("--overwrite", is_flag=True, help="Replace DEST if it exists.")
@db_option
def backup(dest: str, overwrite: bool, db: str | None) -> None:
    """Write a consistent copy of the store to DEST (a file, or a folder to put it in).

    Safe while the store is in use (for example, while a notebook is saving).
    """
    from reflect.storage.store import Store

    with Store(resolve_store_path(db), create=False) as store:
        target = store.backup(dest, overwrite=overwrite)
    echo(f"Backed up {store.path} to {target}.")


@click.command()
@click.option("--seed", type=int, default=7, show_default=True, help="Same seed, same data.")
@click.option("--end", type=Month(), default=None, metavar="YYYY-MM",
              help="The demo's last month (default: last month).")
@click.option("--months", type=click.IntRange(12, 240), default=30, show_default=True)
@click.option("--db", "db", type=click.Path(dir_okay=False), default=None,
              help="Where to put the demo (default: data/demo.db, apart from your own store).")
def demo(seed: int, end: str | None, months: int, db: str | None) -> None:
    """Fill a store with a demo couple's history (Robin and Sam), to explore the kit.

    The demo goes into its own store, never into one that holds your check-ins.
    """
    from reflect.storage import demo as demo_mod
    from reflect.storage.store import Store
    from reflect.system.paths import demo_store_path

    with Store(db or demo_store_path()) as store:
        result = demo_mod.fill(store, seed=seed, end=end, months=months)
        months_held = store.months()
    echo(
        f"Demo store {store.path}: {result.added} check-ins added, {result.updated} updated, "
        f"{result.unchanged} already there ({months_held[0]} to {months_held[-1]})."
    )



COMMANDS = [init, backup, demo]
