"""Command line: `python -m ae_core archs | train | evaluate | encode-table | check-lesson |
serve`.

Every setting of every architecture is a flag, generated from the settings' own metadata, so
the CLI can never drift from what the UI and saved runs accept. Progress goes to stderr; with
`--json` the last line on stdout is one JSON object with the run's figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from ae_core.config import DataConfig, Param, TrainConfig
from ae_core.errors import AELabError
from ae_core.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    _,
    from_environment,
    lazy,
    supported,
    use_language,
)


def main(argv: Sequence[str] | None = None) -> int:
    with use_language(_terminal_language(argv)):
        return _run(argv)


def _terminal_language(argv: Sequence[str] | None) -> str:
    """--lang en|zh if given, else the terminal's (LANG and friends); English where the
    terminal could not show Chinese characters."""
    args = list(sys.argv[1:] if argv is None else argv)
    asked = next((a.split("=", 1)[1] for a in args if a.startswith("--lang=")), None)
    if asked is None and "--lang" in args[:-1]:
        asked = args[args.index("--lang") + 1]
    language = supported(asked) or from_environment() or DEFAULT_LANGUAGE
    if language != DEFAULT_LANGUAGE:
        try:
            "自编码器".encode(sys.stderr.encoding or "ascii")
            "自编码器".encode(sys.stdout.encoding or "ascii")
        except (UnicodeEncodeError, LookupError):
            return DEFAULT_LANGUAGE
    return language


def _run(argv: Sequence[str] | None) -> int:
    parser = _parser()
    args, rest = parser.parse_known_args(argv)
    if args.command == "serve":
        args.streamlit_options = rest  # everything serve does not know goes to Streamlit
    elif rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        return args.handler(args)
    except AELabError as exc:
        print(_("error: {exc}").format(exc=exc), file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    from ae_core.architectures import all_architectures

    parser = argparse.ArgumentParser(
        prog="python -m ae_core", description=_("Autoencoder Lab: train and evaluate autoencoders.")
    )
    parser.add_argument(
        "--lang",
        choices=sorted(LANGUAGES),
        help=_("language of the messages (default: the terminal's, from LANG)"),
    )
    commands = parser.add_subparsers(dest="command", required=True)

    archs = commands.add_parser("archs", help=_("list the architectures"))
    archs.set_defaults(handler=_list_architectures)

    train = commands.add_parser("train", help=_("train a model and report its test figures"))
    train.add_argument(
        "--arch",
        required=True,
        choices=[a.name for a in all_architectures()],
        help=_("architecture"),
    )
    train.add_argument("--out", type=Path, help=_("save the run to this new folder"))
    train.add_argument("--json", action="store_true", help=_("end with one line of JSON figures"))
    for group_title, settings in _setting_groups():
        group = train.add_argument_group(group_title)
        for name, (p, kind) in settings.items():
            group.add_argument(
                "--" + name.replace("_", "-"),
                dest=name,
                default=argparse.SUPPRESS,
                metavar=_metavar(p, kind),
                help=_flag_help(p),
            )
    train.set_defaults(handler=_train)

    evaluate = commands.add_parser("evaluate", help=_("evaluate a saved run on the test set"))
    evaluate.add_argument("folder", type=Path, help=_("a run folder saved by `train --out`"))
    evaluate.add_argument(
        "--json", action="store_true", help=_("end with one line of JSON figures")
    )
    evaluate.set_defaults(handler=_evaluate)
    _add_encode_table(commands)

    devices = commands.add_parser("devices", help=_("what TensorFlow will train on (GPU or CPU)"))
    devices.set_defaults(handler=_devices)

    check = commands.add_parser("check-lesson", help=_("check a lesson file without starting"))
    check.add_argument("lesson", type=Path, help=_("a lesson file (TOML)"))
    check.set_defaults(handler=_check_lesson)
    serve = commands.add_parser(
        "serve",
        help=_("check the lesson file, then start the lab (streamlit run app.py)"),
        description=_(
            "Starts the lab's server; with --lesson (or AE_LESSON_FILE) the lesson "
            "file is checked first and a malformed one stops the start with its line "
            "and problem. Other options go to Streamlit, e.g. --server.port 8600."
        ),
    )
    serve.add_argument("--lesson", type=Path, help=_("a lesson file (TOML)"))
    serve.set_defaults(handler=_serve)
    return parser


def _add_encode_table(commands) -> None:
    from ae_core.table_training import TABLE_ARCHITECTURES, TableModelConfig
    from ae_core.tables import MISSING_POLICIES, SCALINGS, TableSetup

    model, setup = TableModelConfig(), TableSetup()
    encode = commands.add_parser(
        "encode-table",
        help=_("train an autoencoder on a CSV table and write each row's code"),
        description=_(
            "Train an autoencoder on the numeric columns of a CSV/TSV table (UTF-8 "
            "or GBK) and write one code per row, ID column first."
        ),
    )
    encode.add_argument("table", type=Path, help=_("a CSV or TSV file with a header line"))
    encode.add_argument("--out", type=Path, required=True, help=_("the codes CSV to write"))
    encode.add_argument("--encoder-out", type=Path, help=_("also write the encoder as a .zip"))
    encode.add_argument(
        "--id-column", default=None, help=_("the column naming each row (default: guessed)")
    )
    encode.add_argument(
        "--features", default=None, help=_("comma-separated feature columns (default: numeric)")
    )
    encode.add_argument("--arch", choices=list(TABLE_ARCHITECTURES), default=model.architecture)
    encode.add_argument("--latent-dim", type=int, default=model.latent_dim, help=_("code size"))
    encode.add_argument("--epochs", type=int, default=model.epochs)
    encode.add_argument("--batch-size", type=int, default=model.batch_size)
    encode.add_argument("--learning-rate", type=float, default=model.learning_rate)
    encode.add_argument(
        "--beta", type=float, default=model.beta, help=_("KL weight of the variational model")
    )
    encode.add_argument("--scaling", choices=list(SCALINGS), default=setup.scaling)
    encode.add_argument("--missing", choices=list(MISSING_POLICIES), default=setup.missing)
    encode.add_argument(
        "--validation", type=float, default=setup.validation_fraction, help=_("validation share")
    )
    encode.add_argument("--seed", type=int, default=model.seed)
    encode.set_defaults(handler=_encode_table)


def _setting_groups() -> list[tuple[str, dict[str, tuple[Param, str]]]]:
    """Flags by group: each setting's metadata and value kind, model settings merged."""
    from ae_core.architectures import all_architectures

    def of(settings_class) -> dict[str, tuple[Param, str]]:
        return {
            n: (p, settings_class.value_kind(n)) for n, (_, p) in settings_class.params().items()
        }

    model: dict[str, tuple[Param, str]] = {}
    users: dict[str, list[str]] = {}
    for arch in all_architectures():
        for name, entry in of(arch.config_class).items():
            model.setdefault(name, entry)
            users.setdefault(name, []).append(arch.name)
    everyone = len(all_architectures())
    for name, (p, kind) in model.items():
        if len(users[name]) < everyone:
            note = f"{p.help} [{', '.join(users[name])}]"
            model[name] = (dataclasses.replace(p, help=note), kind)
    return [
        ("data", of(DataConfig)),
        ("training", of(TrainConfig)),
        ("model (the architectures each flag applies to are in brackets)", model),
    ]


def _metavar(p: Param, kind: str) -> str:
    if p.choices:
        return "{" + ",".join(p.choices) + "}"
    return {"list": "N,N,...", "int": "N", "float": "X"}.get(kind, "VALUE")


def _flag_help(p: Param) -> str:
    bounds = ""
    if p.minimum is not None or p.maximum is not None:
        bounds = f" ({_g(p.minimum)} to {_g(p.maximum)})"
    return f"{_(p.help)}{bounds}".replace("%", "%%")


def _g(value: float | None) -> str:
    if value is None:
        return "..."
    return f"{int(value):,}" if float(value).is_integer() and abs(value) >= 1 else f"{value:g}"


def _list_architectures(args: argparse.Namespace) -> int:
    from ae_core.architectures import all_architectures

    width = max(len(a.name) for a in all_architectures())
    for arch in all_architectures():
        print(f"{arch.name:<{width}}  {_(arch.title)}: {_(arch.description)}")
    return 0


def _train(args: argparse.Namespace) -> int:
    from ae_core.data import load_dataset
    from ae_core.evaluation import evaluate
    from ae_core.run_config import RunConfig
    from ae_core.runs import save_run
    from ae_core.training import train

    reserved = {"arch", "out", "json", "command", "handler", "lang"}
    settings = {k: v for k, v in vars(args).items() if k not in reserved}
    config = RunConfig.create(args.arch, **settings)
    if args.out is not None and args.out.exists():
        raise AELabError(lazy("{out} already exists; give --out a new folder.", out=args.out))
    dataset = load_dataset(config.data.dataset)

    stop = threading.Event()
    with _first_interrupt_stops(stop):
        result = train(config, dataset, on_progress=TextProgress(sys.stderr), stop=stop)
    print(result.message, file=sys.stderr)
    evaluation = evaluate(result.autoencoder, config, dataset)
    folder = None
    if args.out is not None:
        folder = save_run(args.out, result, evaluation.to_dict())
        print(_("Saved the run to {folder}").format(folder=folder), file=sys.stderr)
    figures = _figures(
        config,
        train_size=len(dataset.x_train)
        if config.data.train_size is None
        else config.data.train_size,
        train_seconds=result.train_seconds,
        samples_per_second=result.samples_per_second,
        status=result.status,
        evaluation=evaluation.to_dict(),
        folder=folder,
    )
    _report(figures, args.json)
    return 1 if result.status == "diverged" else 0


def _evaluate(args: argparse.Namespace) -> int:
    from ae_core.data import load_dataset
    from ae_core.evaluation import evaluate
    from ae_core.runs import load_run

    run = load_run(args.folder)
    dataset = load_dataset(run.config.data.dataset)
    evaluation = evaluate(run.autoencoder, run.config, dataset)
    train_size = run.config.data.train_size
    figures = _figures(
        run.config,
        train_size=len(dataset.x_train) if train_size is None else train_size,
        train_seconds=run.info.get("train_seconds"),
        samples_per_second=run.info.get("samples_per_second"),
        status=run.info.get("status"),
        evaluation=evaluation.to_dict(),
        folder=run.folder,
    )
    _report(figures, args.json)
    return 0


def _encode_table(args: argparse.Namespace) -> int:
    from ae_core.table_training import TableModelConfig, train_table
    from ae_core.tables import ROW_NUMBER_ID, TableSetup, codes_csv, prepare_table, read_table

    model = TableModelConfig(
        architecture=args.arch,
        latent_dim=args.latent_dim,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        beta=args.beta,
        seed=args.seed,
    )
    try:
        data = args.table.read_bytes()
    except OSError as exc:
        raise AELabError(
            lazy("Cannot read {table}: {reason}.", table=args.table, reason=exc.strerror or exc)
        ) from None
    table = read_table(data, args.table.name)
    id_column = table.suggested_id_column() if args.id_column is None else args.id_column
    features = tuple(f.strip() for f in args.features.split(",")) if args.features else ()
    setup = TableSetup(
        id_column=id_column,
        feature_columns=features,
        missing=args.missing,
        scaling=args.scaling,
        validation_fraction=args.validation,
        seed=args.seed,
    )
    prepared = prepare_table(table, setup)
    print(
        _(
            "{rows} rows ({encoding}); ID column: {id_column}; {n_features} feature "
            "columns; {n_train_rows} training and {n_validation_rows} validation rows"
        ).format(
            rows=table.rows,
            encoding=table.encoding,
            id_column=id_column or _("(row numbers)"),
            n_features=len(prepared.features),
            n_train_rows=len(prepared.train_rows),
            n_validation_rows=len(prepared.validation_rows),
        ),
        file=sys.stderr,
    )
    for note in prepared.notes:
        print(note, file=sys.stderr)

    def on_epoch(epoch: int, loss: float, val_loss: float) -> None:
        print(
            _("epoch {epoch}/{epochs}: loss {loss:.4f}, validation {val_loss:.4f}").format(
                epoch=epoch, epochs=model.epochs, loss=loss, val_loss=val_loss
            ),
            file=sys.stderr,
        )

    stop = threading.Event()
    with _first_interrupt_stops(stop):
        result, state, message = train_table(prepared, model, stop, on_epoch=on_epoch)
    print(message, file=sys.stderr)
    if result is None:
        return 1
    args.out.write_bytes(codes_csv(prepared.ids, result.codes, id_column or ROW_NUMBER_ID))
    print(
        _("Wrote {n_ids} codes of {latent_dim} numbers to {out}").format(
            n_ids=len(prepared.ids), latent_dim=model.latent_dim, out=args.out
        ),
        file=sys.stderr,
    )
    if args.encoder_out is not None:
        args.encoder_out.write_bytes(result.encoder_archive())
        print(
            _("Wrote the encoder to {encoder_out}").format(encoder_out=args.encoder_out),
            file=sys.stderr,
        )
    print(_("Most unusual rows (reconstruction error):"), file=sys.stderr)
    for row_id, error, _in_validation in result.most_unusual(5):
        print(f"  {row_id}: {error:.4f}", file=sys.stderr)
    return 1 if state == "diverged" else 0


def _devices(args: argparse.Namespace) -> int:
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    where = tf.constant([1.0]).device  # where TensorFlow places work by default
    print(
        _("TensorFlow {version}; {cores} CPU cores").format(
            version=tf.__version__, cores=os.cpu_count()
        )
    )
    if gpus:
        print(
            _("GPUs: {names}; training runs on {where}").format(
                names=", ".join(g.name for g in gpus), where=where
            )
        )
    else:
        print(
            _("No GPU visible to TensorFlow: training runs on the CPU ({where}).").format(
                where=where
            )
        )
    return 0


def _check_lesson(args: argparse.Namespace) -> int:
    from ae_core.lesson_plan import load_lesson_plan

    plan = load_lesson_plan(args.lesson)
    print(_lesson_summary(plan), file=sys.stderr)
    return 0


def _lesson_summary(plan) -> str:
    return _(
        "{source}: '{title}'; pages: {pages}; {presets} presets; {fixed} fixed and {hidden} "
        "hidden settings; {challenges} challenges. It is fine."
    ).format(
        source=plan.source,
        title=plan.title or _("(no title)"),
        pages=", ".join(plan.pages),
        presets=len(plan.presets),
        fixed=len(plan.fixed),
        hidden=len(plan.hidden),
        challenges=len(plan.challenges),
    )


def _serve(args: argparse.Namespace) -> int:
    from ae_core.lesson_plan import LESSON_FILE_VARIABLE, load_lesson_plan

    env = dict(os.environ)
    lesson = args.lesson or (
        Path(env[LESSON_FILE_VARIABLE]) if env.get(LESSON_FILE_VARIABLE) else None
    )
    if lesson is not None:
        plan = load_lesson_plan(lesson)  # a LessonFileError ends here, before any server
        print(_lesson_summary(plan), file=sys.stderr)
        env[LESSON_FILE_VARIABLE] = str(lesson.resolve())
    app = Path(__file__).resolve().parent.parent / "app.py"
    command = [sys.executable, "-m", "streamlit", "run", str(app), *args.streamlit_options]
    sys.stdout.flush()
    os.execvpe(command[0], command, env)  # the server replaces this process
    return 0  # not reached


def _figures(config, *, train_size, train_seconds, samples_per_second, status, evaluation, folder):
    return {
        "architecture": config.architecture,
        "latent_dim": config.model.latent_dim,
        "epochs": config.train.epochs,
        "train_size": train_size,
        "dataset": config.data.dataset,
        "seed": config.train.seed,
        "status": status,
        "train_seconds": train_seconds,
        "samples_per_second": samples_per_second,
        **evaluation,
        "run_folder": str(folder) if folder is not None else None,
    }


def _report(figures: dict[str, Any], as_json: bool) -> None:
    print(
        _(
            "test MSE {test_mse:.5f} (PCA with {latent_dim} components: {pca_mse:.5f}), test "
            "BCE {test_bce:.5f}"
        ).format(**figures),
        file=sys.stderr,
    )
    if as_json:
        print(json.dumps(figures, allow_nan=False, default=str))


class _first_interrupt_stops:
    """Ctrl-C once: stop after the current batch and still report; twice: abort."""

    def __init__(self, stop: threading.Event):
        self.stop = stop
        self.previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        if self.stop.is_set():
            raise KeyboardInterrupt
        self.stop.set()
        print(_("\nStopping after this batch (Ctrl-C again to abort)..."), file=sys.stderr)

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


class TextProgress:
    """A progress bar on a terminal; one line per epoch when the output is a file or pipe."""

    WIDTH = 30

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.live = stream.isatty()

    def __call__(self, event) -> None:
        from ae_core.progress import BatchProgress

        if isinstance(event, BatchProgress):
            if self.live:
                filled = int(self.WIDTH * event.fraction)
                bar = "#" * filled + "." * (self.WIDTH - filled)
                line = _(
                    "{stage} epoch {epoch}/{epochs} loss {loss:.4f} {speed:,.0f} img/s ETA {eta}"
                ).format(
                    stage=event.stage,
                    epoch=event.epoch,
                    epochs=event.epochs,
                    loss=event.loss,
                    speed=event.samples_per_second,
                    eta=_clock(event.eta_seconds),
                )
                self.stream.write(f"\r[{bar}] {event.fraction:4.0%} {line}  ")
                self.stream.flush()
            return
        if self.live:
            self.stream.write("\n")
        val = event.validation.get("loss", float("nan"))
        line = _(
            "{stage} epoch {epoch}/{epochs}: loss {loss:.4f}, validation {val_loss:.4f} "
            "({done:.0%} done, {seconds:.0f} s)"
        ).format(
            stage=event.stage,
            epoch=event.epoch,
            epochs=event.epochs,
            loss=event.train["loss"],
            val_loss=val,
            done=event.fraction,
            seconds=event.seconds,
        )
        self.stream.write(line + "\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    if seconds != seconds:  # NaN: no estimate yet
        return "--:--"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"
