"""Where trained models live: a content-addressed folder on disk and a memory budget.

- `TrainedStore` keeps every finished run under `<runs folder>/.trained/<run id>`, written
  atomically (a staging folder renamed into place). Several app replicas may share the runs
  folder: it is then their common trained-once cache, and two replicas that finish the same
  run together both succeed, one copy standing.
- `ModelCache` holds the models in memory for the whole server, up to a budget in bytes;
  the least recently used is dropped first and read back from disk when it is needed again.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ae_core.architectures import Autoencoder
from ae_core.errors import RunFolderError
from ae_core.explorer import ModelResults
from ae_core.runs import list_runs, load_run, save_run
from ae_core.training import TrainingResult

log = logging.getLogger(__name__)

STORE_FOLDER = ".trained"


class TrainedStore:
    """Finished runs on disk, by run id; `root` is looked up on every call (it may change)."""

    def __init__(self, root: Callable[[], Path]):
        self._root = root

    @property
    def folder(self) -> Path:
        return Path(self._root()) / STORE_FOLDER

    def holds(self, run_id: str) -> bool:
        """Whether the store itself has this run (a quick check: user-saved runs not read)."""
        return (self.folder / run_id / "run.json").is_file()

    def find(self, run_id: str) -> Path | None:
        """The folder of a completed run with this id: the store's, or one a user saved."""
        if self.holds(run_id):
            return self.folder / run_id
        for summary in list_runs(Path(self._root())):
            if summary.run_id == run_id and summary.status == "completed":
                return summary.folder
        return None

    def put(self, key: str, result: TrainingResult) -> Path:
        """Write a finished run under `key`; if another writer got there first, keep theirs."""
        folder = self.folder / key
        if (folder / "run.json").is_file():
            return folder
        try:
            return save_run(folder, result, {})
        except RunFolderError:
            if (folder / "run.json").is_file():
                return folder  # the same run, finished by another process or replica
            raise


def model_bytes(autoencoder: Autoencoder) -> int:
    """Memory a model's weights take (float32), the unit of the server's budget."""
    return 4 * autoencoder.count_parameters()


@dataclass(frozen=True)
class CacheStats:
    models: int
    bytes: int
    budget: int
    evictions: int


class ModelCache:
    """Models in memory, by key, least recently used dropped first beyond `budget` bytes.

    The model asked for last is never dropped, even if it alone is over the budget. Models
    are shared read-only between sessions: nothing here changes a model's weights.
    """

    def __init__(self, budget: int):
        self.budget = budget
        self._models: OrderedDict[str, tuple[Autoencoder, int]] = OrderedDict()
        self._loaders: dict[str, Callable[[], Autoencoder]] = {}
        self._results: dict[str, ModelResults] = {}
        self._lock = threading.RLock()
        self._evictions = 0

    def put(self, key: str, autoencoder: Autoencoder, reload: Callable[[], Autoencoder]) -> None:
        """Keep a model; `reload` brings it back (e.g. from disk) after it was dropped."""
        with self._lock:
            self._loaders[key] = reload
            self._models[key] = (autoencoder, model_bytes(autoencoder))
            self._models.move_to_end(key)
            self._trim()

    def get(self, key: str) -> Autoencoder:
        """The model under `key`, loaded again if it was dropped to stay within budget."""
        with self._lock:
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key][0]
            reload = self._loaders.get(key)
        if reload is None:
            raise KeyError(key)
        autoencoder = reload()  # outside the lock: reading a run takes a moment
        with self._lock:
            if key not in self._models:
                self._models[key] = (autoencoder, model_bytes(autoencoder))
            self._models.move_to_end(key)
            self._trim()
            return self._models[key][0]

    def results(self, key: str) -> ModelResults:
        """The results pages compute from this model, shared by every session showing it;
        dropped with the model when the budget drops it."""
        with self._lock:
            return self._results.setdefault(key, ModelResults())

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return key in self._models

    def knows(self, key: str) -> bool:
        with self._lock:
            return key in self._loaders

    def stats(self) -> CacheStats:
        with self._lock:
            used = sum(size for _, size in self._models.values())
            return CacheStats(len(self._models), used, self.budget, self._evictions)

    def _trim(self) -> None:
        while len(self._models) > 1 and sum(s for _, s in self._models.values()) > self.budget:
            key, _size = self._models.popitem(last=False)
            self._results.pop(key, None)
            self._evictions += 1
            log.info("model %s dropped from memory to stay within the budget", key)


def load_autoencoder(folder: Path) -> Autoencoder:
    """The model of a saved run (validated and rebuilt, as every load)."""
    return load_run(folder).autoencoder
