"""Typed errors for the whole kit.

They live in the bottom layer, below the data flow (datamodules -> indexers -> lightlm), so
that every package can raise them without importing upward. The CLI turns any `LightLMError` into one clear
line on stderr and a non-zero exit, with no traceback: these are user errors, not bugs.
"""


class LightLMError(Exception):
    """Base class for errors caused by the user's input or configuration."""


class DataFormatError(LightLMError):
    """An input file is missing, empty or malformed; the message names the file and line."""


class ConfigError(LightLMError):
    """An option has an impossible value; the message names the option."""


class IndexMismatchError(LightLMError):
    """A checkpoint or index file does not belong to the data or index it is used with."""


def user_error(e: BaseException) -> LightLMError | None:
    """The `LightLMError` that `e` is or was raised from, if any."""
    seen = set()
    while e is not None and id(e) not in seen:
        if isinstance(e, LightLMError):
            return e
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return None

