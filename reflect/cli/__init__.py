"""The ``reflect`` command line: thin over the library.

Each command parses its arguments, makes one library call, and prints the result. Every error the
kit raises on purpose is printed as one line on stderr with a non-zero exit; never a traceback.

The commands live in one module per subject, each registered here on the root group ``cli``:

- :mod:`.common`: what every subject shares: the options (--db, --month, --as, the passphrase
  options), signing in, printing, the notes said after a command, CSV output, and ``run``, the
  error handling behind ``main``;
- :mod:`.shapes`: the export, import and history every subject has, written once
  (``export_command``, ``import_command``, ``echo_versions``): a subject gives only what differs;
- :mod:`.checkins` (add, import, export, list, summary, history), :mod:`.stores` (init, backup,
  demo), :mod:`.reports` (report), :mod:`.apps` (app, lab), :mod:`.reminders` (remind);
- the practices, one group each: :mod:`.rituals`, :mod:`.practices`, :mod:`.agreements`,
  :mod:`.repairs`, :mod:`.consents`, :mod:`.events`, :mod:`.questions`, :mod:`.appreciations`;
  and :mod:`.people` (person).

To add a group of commands (say ``reflect question``): write ``reflect/cli/questions.py`` with a
``@click.group()`` named ``question`` and its commands (the options and helpers of
:mod:`.common`, the export / import / history of :mod:`.shapes`), then add one line below:
``cli.add_command(questions.question)`` (and the module to the import line). The README must
document the group and each of its commands (tests/test_packaging.py checks it).
"""

from __future__ import annotations

import click

from reflect import __version__
from reflect.cli import (
    agreements,
    appreciations,
    apps,
    checkins,
    consents,
    events,
    people,
    practices,
    questions,
    reminders,
    repairs,
    reports,
    rituals,
    stores,
)
from reflect.cli.common import run, setup_logging
from reflect.cli.reminders import REMINDER_WORDS
from reflect.cli.rituals import ritual

__all__ = ["REMINDER_WORDS", "cli", "main", "ritual"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reflect")
@click.option("-v", "--verbose", is_flag=True, help="Say more about what happens.")
def cli(verbose: bool) -> None:
    """Reflect: a private, month-by-month reflection on passion and the five dimensions of
    intimacy (emotional, physical, intellectual, experiential, spiritual).

    Everything stays on this machine, in one SQLite file per relationship.
    """
    setup_logging(verbose)


# -- the subjects, one registration each -------------------------------------------------------

for command in (*checkins.COMMANDS, *stores.COMMANDS, *apps.COMMANDS):
    cli.add_command(command)
cli.add_command(reports.report)
cli.add_command(reminders.remind)
cli.add_command(rituals.ritual)
cli.add_command(practices.practice)
cli.add_command(agreements.agreement)
cli.add_command(repairs.repair)
cli.add_command(consents.consent)
cli.add_command(events.event)
cli.add_command(people.person)
cli.add_command(questions.question)
cli.add_command(appreciations.appreciation)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; turn every error into one line on stderr and a non-zero exit."""
    run(cli, argv)
