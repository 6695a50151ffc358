"""Exceptions raised by flatproof.

Every error a user can cause by their input is an :class:`InputError`: its message is a single line
that names the file, the field and the reason, and the command-line front end turns it into exit
status 2.
"""

from __future__ import annotations


class FlatproofError(Exception):
    """Base class of all flatproof errors."""


class InputError(FlatproofError, ValueError):
    """Bad input: names where (file and field) and why, on one line."""

    def __init__(self, reason: str, *, field: str | None = None, file: str | None = None) -> None:
        self.reason = " ".join(str(reason).split())
        self.field = field
        self.file = file
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.field:
            where.append(f"field '{self.field}'")
        return (": ".join(where) + ": " if where else "") + self.reason

    def located(self, *, file: str | None = None, prefix: str | None = None) -> InputError:
        """The same error with a file name and/or a field prefix added."""
        field = self.field
        if prefix:
            field = f"{prefix}.{field}" if field else prefix
        return InputError(self.reason, field=field, file=file or self.file)


class KinkError(FlatproofError):
    """A derivative was asked for at a point where a pre-activation sits on a kink.

    flatproof never differentiates through a kink silently (flatproof math, conventions): the caller must
    either move off the kink or ask explicitly for the ReLU'(0) = 0 convention.
    """

    def __init__(self, count: int, what: str) -> None:
        self.count = count
        super().__init__(
            f"{count} (data point, neuron) pre-activation(s) lie within the kink tolerance of 0: "
            f"the {what} is not defined there (pass at_kink='convention' to use ReLU'(0) = 0)"
        )
