"""Domain rules. The only code that queries or writes the database.

Services take plain values, flush (never commit: the request commits once, on success) and raise a
``DomainError`` subclass that views turn into a form error or an error page.
"""


class DomainError(Exception):
    """A rule of the domain said no. ``message`` is a Swedish msgid, shown to the user after translation."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    pass


class NotAllowed(DomainError):
    pass


def N_(text: str) -> str:  # noqa: N802 (gettext's own name for it)
    """Mark a Swedish message for translation without translating it here: the view translates on display."""
    return text
