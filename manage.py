"""政策咨询助手 command line: `python manage.py --help`.

This is an entry point: it reads the settings and passes plain values to the packages.
"""

from __future__ import annotations

import sys

import typer

import cli.chat_commands
import cli.knowledge_commands
import cli.queue_commands
import cli.search_commands
from cli.common import app
from knowledge.errors import KnowledgeError

# Importing the command modules registers their commands on `app`.
_COMMANDS = (cli.chat_commands, cli.knowledge_commands, cli.queue_commands, cli.search_commands)
__all__ = ["app", "main"]


def main() -> None:
    try:
        app()
    except KnowledgeError as exc:
        typer.echo(f"错误：{exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
