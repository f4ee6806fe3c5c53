"""Following an import job from the command line: a progress bar, then what it did."""

from __future__ import annotations

import time

import click

from knowledge.imports import import_status


def follow_import(run_id: int, *, show_notice: bool = False) -> None:
    """Show an import's progress until it finishes, then its counts and each skipped row; fail
    the command when the import did not finish well. show_notice also prints what the import
    wants the user told (a file converted from cp1250, say)."""
    progress = import_status(run_id)
    with click.progressbar(length=100, label=f"import {run_id}") as bar:
        shown = 0
        while progress is not None and not progress.finished:
            time.sleep(0.3)
            progress = import_status(run_id)
            if progress is not None and progress.percent > shown:
                bar.update(progress.percent - shown)
                shown = progress.percent
        bar.update(100 - shown)
    if progress is None:
        raise click.ClickException("the import run disappeared")
    click.echo(
        f"{progress.status}: {progress.imported} new, {progress.updated} updated, "
        f"{progress.unchanged} unchanged, {progress.failed_rows} rows skipped"
    )
    if show_notice and progress.notice:
        click.echo(progress.notice)
    for error in progress.errors:
        click.echo(f"  row {error.row_number}: {error.reason}")
    if progress.status != "done":
        raise click.ClickException(progress.error or "the import failed")
