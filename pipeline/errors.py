"""The errors a user can cause, phrased for the analyst who has to fix them.

Every layer raises these; the runner turns them into one message and exit code 2, never a traceback.
"""
from __future__ import annotations

from pathlib import Path


class InputDataError(Exception):
    """A problem with an input file, phrased for the analyst who has to fix it."""

    def __init__(self, file: str | Path, problem: str, fix: str = "", row: int | None = None,
                 column: str | None = None):
        self.file, self.problem, self.fix, self.row, self.column = str(file), problem, fix, row, column
        where = self.file
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        message = f"{where}: {problem}"
        if fix:
            message += f" How to fix: {fix}"
        super().__init__(message)


class ConfigError(InputDataError):
    """A configuration file or command-line argument that cannot be used."""
