"""Errors a user can cause and fix: each message names the file or key and what to do."""


class ChildspendError(Exception):
    """Base class: the message is written for the person running the pipeline."""


class ConfigError(ChildspendError):
    """config/config.yaml or config/sources.yaml is invalid."""


class SourceMissingError(ChildspendError):
    """A pinned official file is in no mirror and could not be downloaded."""


class ChecksumError(ChildspendError):
    """A file does not match its pinned sha256."""


class LayoutError(ChildspendError):
    """An official file's layout is not what its parser expects (e.g. a new release changed columns)."""


class ContractError(ChildspendError):
    """A table the pipeline built breaks its data contract (an input changed in a way no check caught)."""


class DiskFullError(ChildspendError):
    """The disk (or quota) ran out while the pipeline wrote a file."""
