"""training.cli: how every training command ends, one convention (as python -m build.site)."""

from __future__ import annotations

import importlib

import pytest

from training import cli


def test_fail_prints_one_error_line_on_stderr_and_nothing_on_stdout(capsys) -> None:
    assert cli.fail(ValueError("no such thing")) == cli.EXIT_ERROR == 1
    captured = capsys.readouterr()
    assert captured.err == "error: no such thing\n"
    assert captured.out == ""


def test_an_error_with_control_characters_or_a_newline_stays_one_harmless_line(capsys) -> None:
    cli.fail("bad \x1b[31mname\nsecond line")
    assert capsys.readouterr().err == "error: bad \\x1b[31mname\\nsecond line\n"


def test_the_exit_statuses_are_distinct() -> None:
    statuses = (cli.EXIT_OK, cli.EXIT_ERROR, cli.EXIT_USAGE, cli.EXIT_RESULT_FAILED)
    assert statuses == (0, 1, 2, 3)


@pytest.mark.parametrize(
    "command",
    # training.train imports TensorFlow: imported in its test (slow), not at collection.
    ["data", pytest.param("train", marks=pytest.mark.slow), "evaluate", "predict"],
)
def test_a_bad_command_line_is_argparses_usage_error(command, capsys) -> None:
    main = importlib.import_module(f"training.{command}").main
    with pytest.raises(SystemExit) as exit_info:
        main(["picture.png", "--no-such-option"])
    assert exit_info.value.code == cli.EXIT_USAGE
    captured = capsys.readouterr()
    assert "--no-such-option" in captured.err
    assert captured.out == ""
