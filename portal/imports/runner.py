"""Run an all-or-nothing import from the command line or from an upload form.

An importer returns an outcome with `errors` (ImportErrors) and a `summary` line, or raises
ImportFailed when the file cannot be read at all. Nothing is written unless every row is good
and it is not a dry run.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import click

from portal.extensions import db
from portal.imports.tabular import ImportErrors, ImportFailed


class Outcome(Protocol):
    errors: ImportErrors

    @property
    def summary(self) -> str: ...


@dataclass
class Result:
    """An outcome for importers that report only errors and a summary."""

    errors: ImportErrors
    summary: str


def cli_import(run: Callable[[], Outcome], *, dry_run: bool = False) -> None:
    """Run an import for a flask command: print the summary, or every error on stderr and exit 1."""
    try:
        outcome = run()
    except ImportFailed as exc:
        db.session.rollback()
        click.echo(f"导入失败：{exc.message}", err=True)
        sys.exit(1)
    if outcome.errors:
        db.session.rollback()
        click.echo(f"导入失败：共 {len(outcome.errors)} 处错误，未写入任何数据。", err=True)
        for line in outcome.errors.lines():
            click.echo(line, err=True)
        sys.exit(1)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(outcome.summary)


def upload_import(run: Callable[[], Outcome], *, dry_run: bool) -> tuple[Outcome | None, str | None, int]:
    """Run an import for an upload page; return (outcome, failure message, HTTP status)."""
    try:
        outcome = run()
    except ImportFailed as exc:
        db.session.rollback()
        return None, exc.message, 422
    if outcome.errors or dry_run:
        db.session.rollback()
        return outcome, None, 422 if outcome.errors else 200
    db.session.commit()
    return outcome, None, 200
