"""One identity per explorable model, for dictionaries and widgets; names are for display.

A model trained on this server is known by its run's identity (a digest of its validated
configuration), a saved run by its folder's name. Both are cheap to compute without
TensorFlow, so the chooser can list saved runs before any model is loaded.
"""


def trained_model_id(run_id: str) -> str:
    """The id of a model trained on this server."""
    return f"run:{run_id}"


def uploaded_model_id(name: str) -> str:
    """The id of a run opened from an uploaded archive (it lives in one session only)."""
    return f"upload:{name}"


def saved_model_id(folder_name: str) -> str:
    """The id of a saved run: its folder's name, unique in the runs folder."""
    return f"saved:{folder_name}"
