"""What the generator and ``grade`` commands share: option callbacks, one-line messages, and
the --out folder's checks, lock and clean-up."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import click

from .outdir import BadOutput, OutputError, check_target, locked, remove_leftovers
from .pdf import RenderError
from .render import TemplateError


def comma_list(choices: Sequence[str]):
    """A click callback reading a comma list of ``choices`` (``--format pdf,json``)."""

    def callback(ctx, param, value: str) -> tuple[str, ...]:
        chosen = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
        unknown = [f for f in chosen if f not in choices]
        if unknown or not chosen:
            raise click.BadParameter(f"unknown format {unknown[0]!r}; choose from {', '.join(choices)}"
                                     if unknown else f"name at least one of {', '.join(choices)}")
        return chosen

    return callback


def say(line: str) -> None:
    """One line on stderr; a closed or full stderr loses it but does not fail the run."""
    try:
        click.echo(line, err=True)
    except OSError:
        pass


def check_out(out: Path, force: bool, inputs: Sequence[Path]) -> Path:
    """The real folder ``--out`` names, or a one-line error saying why it cannot be written."""
    try:
        return check_target(out, force, list(inputs))
    except BadOutput as e:
        raise click.BadParameter(str(e), param_hint="--out") from None
    except OutputError as e:
        raise click.ClickException(str(e)) from None


@contextmanager
def writing(out: Path, force: bool, inputs: Sequence[Path], tell: Callable[[str], None]) -> Iterator[Path]:
    """The real ``--out`` folder, held by this run alone, with what stopped runs left beside it
    removed (``tell`` says so); what goes wrong while writing becomes one line."""
    target = check_out(out, force, inputs)
    try:
        with locked(target):
            removed = remove_leftovers(target)
            if removed:
                tell(f"gen-worksheets: removed {len(removed)} unfinished folder(s) that a stopped run left "
                     f"beside {out}: {', '.join(p.name for p in removed)}")
            check_out(out, force, inputs)  # another run may have written it before we held the lock
            yield target
    except (OutputError, TemplateError, RenderError) as e:
        raise click.ClickException(str(e)) from None
    except OSError as e:
        raise click.ClickException(f"cannot write {out}: {e.strerror or e}") from None


def warn_refused(urls: Sequence[str], tell: Callable[[str], None]) -> None:
    for url in urls:
        tell(f"gen-worksheets: warning: refused to fetch {url}: documents may only use files "
             "inside the template folders")
