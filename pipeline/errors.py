"""Errors a user can fix: they become one clear Japanese message and exit status 2."""


class UserError(Exception):
    """Bad input, options or configuration. The message is shown to the user as is (Japanese)."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"
