"""The one error type for bad input, raised before any model call is made."""

from __future__ import annotations

from collections.abc import Iterable


class SpecError(Exception):
    """Invalid study or run specification.

    The message always names the field and the allowed values, so a CLI can
    print it as one line and exit with status 2. It deliberately does not
    subclass ValueError, so pydantic lets it through unwrapped.
    """

    def __init__(self, field: str, value: object, allowed: str | Iterable[object], why: str = ""):
        self.field = field
        self.value = value
        self.allowed = allowed if isinstance(allowed, str) else ", ".join(map(str, allowed))
        reason = f" ({why})" if why else ""
        super().__init__(
            f"{field}: invalid value {value!r}{reason}; allowed values: {self.allowed}"
        )
