"""The one family of errors a user can cause.

Pages catch `AELabError` at their boundary and show its message; anything else is a bug and is
allowed to surface. Each message is written for a student, and says what to do next.
"""


class AELabError(Exception):
    """Base class for problems caused by input, settings or files, not by a bug."""


class ConfigError(AELabError, ValueError):
    """A hyperparameter or setting has a value that cannot be used."""


class DatasetError(AELabError):
    """A dataset cannot be found or its file is unreadable."""


class RunFolderError(AELabError):
    """A folder is not a valid saved run, or loading it would be unsafe."""


class TrainingError(AELabError):
    """Training cannot start with the given data and settings."""


class TableError(AELabError):
    """A table of the user's own data cannot be read or used as chosen."""
