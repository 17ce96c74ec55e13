"""The two errors crowdsafe raises: bad input, and a failure during a step.

Both pickle by name, so they travel between dask worker processes unchanged.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

__all__ = ["InputError", "InputProblem", "SimulationError"]


class InputProblem(NamedTuple):
    """One problem found in the input.

    ``file`` is the scenario file (empty when unknown), ``line`` and ``column`` are 1-based
    (0 = unknown), ``field`` is a dotted path such as ``"groups[2].count"`` and ``message`` says
    what is wrong and how to fix it.
    """

    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line > 0:
            where += f":{self.line}"
            if self.column > 0:
                where += f":{self.column}"
        field = f"{self.field}: " if self.field else ""
        return f"{where}: {field}{self.message}"


class InputError(ValueError):
    """Invalid input (scenario, geometry, parameters, arguments).

    ``str(error)`` lists every problem compiler-style, one per line. Attributes:

    * ``problems`` -- every :class:`InputProblem` found;
    * ``file``, ``line``, ``field`` -- those of the first problem (``line`` 1-based, 0 = unknown).
    """

    def __init__(self, message: str, problems: Sequence[InputProblem] = ()) -> None:
        super().__init__(message)
        self.problems: list[InputProblem] = list(problems)
        first = self.problems[0] if self.problems else InputProblem("", 0, 0, "", message)
        self.file: str = first.file
        self.line: int = first.line
        self.column: int = first.column
        self.field: str = first.field

    @classmethod
    def single(cls, field: str, message: str, *, file: str = "", line: int = 0, column: int = 0) -> "InputError":
        """An error with one problem (used by the Python-side checks)."""
        problem = InputProblem(file, line, column, field, message)
        return cls(str(problem), [problem])


class SimulationError(RuntimeError):
    """A step failed (non-finite state, an agent through a wall); the message names agent, step
    and time."""
