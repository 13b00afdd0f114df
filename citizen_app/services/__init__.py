"""Domain rules. The only code that queries or writes the database.

Services take plain values, flush (never commit: the request commits once, on success) and raise a
``DomainError`` subclass that views turn into a form error or an error page.
"""


class DomainError(Exception):
    """A rule of the domain said no. ``message`` is a Swedish msgid, shown to the user after translation."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """One or more answers of a form broke a rule: ``errors`` maps a field name to a Swedish msgid.

    Each service names its own subclass (InvalidPlan, InvalidScope, ...) so callers can tell them apart.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(next(iter(errors.values())))
        self.errors = errors


class NotFound(DomainError):
    pass


class NotAllowed(DomainError):
    pass


def N_(text: str) -> str:  # noqa: N802 (gettext's own name for it)
    """Mark a Swedish message for translation without translating it here: the view translates on display."""
    return text
