"""Running the command in-process, as a user would: ``cli.main(argv)`` returns the exit code."""

from generator import cli


def run(*args) -> int:
    return cli.main([str(a) for a in args])


def run_ok(*args) -> None:
    code = run(*args)
    assert code == 0, f"exit {code}"
