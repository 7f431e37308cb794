"""The command line, run as a user runs it: a separate Python process."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import PRODUCT_ARCHITECTURES, ROOT


def run_cli(*args, env=None, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "ae_core", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.data_free
def test_archs_lists_every_architecture_with_its_description():
    out = run_cli("archs")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == PRODUCT_ARCHITECTURES
    assert "greedy" in lines[-1].lower()


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli") / "deep-run"
    out = run_cli(
        "train",
        "--arch",
        "deep",
        "--latent-dim",
        "2",
        "--epochs",
        "2",
        "--train-size",
        "2000",
        "--seed",
        "3",
        "--hidden-widths",
        "64,32",
        "--out",
        str(folder),
        "--json",
    )
    assert out.returncode == 0, out.stderr
    return folder, out


def test_train_prints_progress_and_ends_with_one_line_of_json(trained_run):
    folder, out = trained_run
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    assert figures["architecture"] == "deep" and figures["latent_dim"] == 2
    assert figures["epochs"] == 2 and figures["train_size"] == 2000 and figures["seed"] == 3
    assert figures["train_seconds"] > 0 and figures["samples_per_second"] > 0
    assert 0 < figures["test_mse"] < figures["test_bce"]
    assert 0.05 < figures["pca_mse"] < 0.06  # PCA-2 fitted on the same 2,000 images
    assert figures["run_folder"] == str(folder)
    assert "Training epoch 2/2" in out.stderr and "test MSE" in out.stderr


def test_evaluate_reports_the_same_figures_for_the_saved_run(trained_run):
    folder, train_out = trained_run
    trained = json.loads(train_out.stdout.strip().splitlines()[-1])
    out = run_cli("evaluate", str(folder), "--json")
    assert out.returncode == 0, out.stderr
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    for key in ("architecture", "latent_dim", "epochs", "train_size", "train_seconds"):
        assert figures[key] == trained[key]
    for key in ("test_mse", "test_bce", "pca_mse"):
        assert figures[key] == pytest.approx(trained[key], rel=1e-5)


@pytest.mark.data_free
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--arch", "deep", "--latent-dim", "0"], "Code size (latent_dim) must be at least 1"),
        (["--arch", "deep", "--beta", "2"], "'beta' does not apply to the deep architecture"),
        (["--arch", "conv", "--conv-filters", "8,8,8"], "needs between 1 and 2 values"),
        (["--arch", "deep", "--exclude-classes", "7,11"], "(exclude_classes) must be at most 9"),
    ],
)
def test_bad_settings_exit_with_a_message_not_a_traceback(args, message):
    out = run_cli("train", *args)
    assert out.returncode == 2
    assert message in out.stderr and "Traceback" not in out.stderr


@pytest.mark.data_free
def test_an_unreadable_dataset_is_a_clear_error(tmp_path):
    (tmp_path / "mnist.npz").write_text("garbage")
    out = run_cli("train", "--arch", "dense", "--epochs", "1", env={"AE_DATA_DIR": str(tmp_path)})
    assert out.returncode == 2
    assert "is not a usable MNIST dataset" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.data_free
def test_evaluate_refuses_a_folder_that_is_not_a_run(tmp_path):
    out = run_cli("evaluate", str(tmp_path))
    assert out.returncode == 2
    assert "run.json is missing" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.data_free
def test_encode_table_writes_one_code_per_row_id_first(tmp_path):
    table = ROOT / "assets" / "tables" / "gene_terms.csv"
    codes, encoder = tmp_path / "codes.csv", tmp_path / "encoder.zip"
    out = run_cli(
        "encode-table",
        str(table),
        "--id-column",
        "gene",
        "--latent-dim",
        "3",
        "--epochs",
        "3",
        "--out",
        str(codes),
        "--encoder-out",
        str(encoder),
    )
    assert out.returncode == 0, out.stderr
    assert "240 rows (utf-8-sig); ID column: gene; 48 feature columns" in out.stderr
    assert "epoch 3/3: loss" in out.stderr and "Most unusual rows" in out.stderr
    lines = codes.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "gene,code_1,code_2,code_3" and len(lines) == 241
    assert lines[1].startswith("GENE0001,")
    assert encoder.stat().st_size > 1000


@pytest.mark.data_free
def test_encode_table_guesses_the_id_column_and_reads_gbk(tmp_path):
    rows = "".join(f"样本{i},{i % 4},{(i * 5) % 7},{i % 3}\n" for i in range(30))
    table = tmp_path / "样本.csv"
    table.write_bytes(("名称,甲,乙,丙\n" + rows).encode("gbk"))
    out = run_cli("encode-table", str(table), "--epochs", "2", "--out", str(tmp_path / "c.csv"))
    assert out.returncode == 0, out.stderr
    assert "(gbk); ID column: 名称" in out.stderr
    lines = (tmp_path / "c.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("名称,code_1") and lines[1].startswith("样本0,")


@pytest.mark.data_free
def test_encode_table_reports_a_bad_table_without_a_traceback(tmp_path):
    table = tmp_path / "words.csv"
    table.write_text("name,colour\nx,red\ny,blue\n")
    out = run_cli("encode-table", str(table), "--out", str(tmp_path / "c.csv"))
    assert out.returncode == 2
    assert "error: words.csv has no numeric column" in out.stderr
    assert "Traceback" not in out.stderr and not (tmp_path / "c.csv").exists()


@pytest.mark.data_free
def test_check_lesson_passes_the_example_and_names_the_line_of_a_mistake(tmp_path):
    out = run_cli("check-lesson", str(ROOT / "assets" / "lessons" / "first_lesson.toml"))
    assert out.returncode == 0, out.stderr
    assert "first_lesson.toml: 'Lesson 1" in out.stderr and "2 challenges" in out.stderr
    bad = tmp_path / "week3.toml"
    bad.write_text('title = "Week 3"\n\n[[presets]]\nuse = "deep-9d"\n')
    out = run_cli("check-lesson", str(bad))
    assert out.returncode == 2
    assert "error: week3.toml, line 4: no built-in preset 'deep-9d'" in out.stderr


@pytest.mark.data_free
def test_serve_refuses_to_start_with_a_malformed_lesson_file(tmp_path):
    from tests.browser_support import free_port

    bad = tmp_path / "week3.toml"
    bad.write_text('pages = ["home", "denoising", "gallery"]\n')
    port = free_port()
    out = run_cli("serve", "--lesson", str(bad), "--server.port", str(port), timeout=60)
    assert out.returncode == 2
    assert "error: week3.toml, line 1: unknown page 'gallery'" in out.stderr
    assert "streamlit" not in out.stdout.lower()  # no server was started


@pytest.mark.data_free
def test_serve_starts_the_lab_with_a_good_lesson_file(tmp_path):
    from tests.browser_support import free_port, wait_until_healthy

    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ae_core",
            "serve",
            "--lesson",
            str(ROOT / "assets" / "lessons" / "first_lesson.toml"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
        ],
        cwd=ROOT,
        env={**os.environ, "AE_RUNS_DIR": str(tmp_path / "runs"), "AE_WARM_UP": "0"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert wait_until_healthy(f"http://127.0.0.1:{port}", timeout=90)
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "first_lesson.toml: 'Lesson 1: squeezing digits into two numbers'" in output


@pytest.mark.data_free
def test_devices_says_what_tensorflow_trains_on():
    import tensorflow as tf

    out = run_cli("devices")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"TensorFlow {tf.__version__}; ")
    if tf.config.list_physical_devices("GPU"):
        assert "GPUs: /physical_device:GPU:0" in out.stdout and "GPU:0" in out.stdout
    else:
        assert "No GPU visible to TensorFlow: training runs on the CPU" in out.stdout
