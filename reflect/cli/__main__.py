"""``python -m reflect.cli``: the same as the ``reflect`` command."""

from reflect.cli import main

main()
