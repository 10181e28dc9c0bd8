"""The servers: reflect app (the form, here or on the home network) and reflect lab."""

from __future__ import annotations

import click

from reflect.cli.common import (
    db_option,
)


@click.command()
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="The port to listen on (default: a free one).")
@click.option("--lan", is_flag=True,
              help="Serve it on your home network, for your phones (HTTPS; each signs in with their passphrase).")
@click.option("--address", default=None, metavar="IP",
              help="With --lan: which of this computer's addresses to serve on (default: its home-network one).")
@db_option
def app(port: int | None, lan: bool, address: str | None, db: str | None) -> None:
    """Serve the reflection form as a web page on this computer only, behind a token (or, with --lan, on
    your home network).

    For a partner who never uses Jupyter: open the address it prints in a browser on this computer,
    fill in the form and save. No code is shown, nothing is fetched from the internet, and no
    browser is opened for you. Ctrl-C stops it.

    With --lan, the same form is served to your home network, for each of you on your own phone:
    over HTTPS with a certificate the kit makes (its fingerprint is printed, to check the browser's
    warning against), at an address with a token, also shown as a QR code to scan. Everyone in the
    store must have a passphrase, and each partner signs in with theirs. Use it only on a network
    you trust, such as your own Wi-Fi at home.
    """
    from reflect.servers.app import serve

    if address is not None and not lan:
        raise click.UsageError("--address is for the home network: add --lan")
    serve(db, port=port, lan=lan, address=address, tell=click.echo)


@click.command()
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="The port to listen on (default: a free one).")
@db_option
def lab(port: int | None, db: str | None) -> None:
    """Open JupyterLab on the kit's notebooks, on this computer only, behind a token.

    It listens on 127.0.0.1, prints the address to open (token included), starts as root where it
    must (--allow-root), fetches nothing from the internet, and stops with this command. Ctrl-C
    stops it.
    """
    from reflect.servers.lab import serve

    serve(db, port=port, tell=click.echo)



COMMANDS = [app, lab]
