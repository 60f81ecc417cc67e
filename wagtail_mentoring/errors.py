"""The one error type services raise for a refused business action."""

from django.core.exceptions import ValidationError


class MentoringError(ValidationError):
    """A business rule refused the action; the message is shown to the user.

    A ``ValidationError`` so that forms can show it with ``form.add_error(None, e)``
    and the API can turn it into a 400 response, with nothing written.
    """
