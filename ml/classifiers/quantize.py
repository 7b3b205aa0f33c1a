"""The precision Parley's transformer classifiers run at: fp32 (default) or int8, one setting apart.

``PARLEY_MODEL_PRECISION=int8|fp32`` (read here, where the classifiers are built, so ``ml/`` stays free
of Django). int8 is *dynamic* quantisation of every ``nn.Linear``: weights stored as int8 with one
scale per output channel (``per_channel_dynamic_qconfig``), activations quantised on the fly, one
scale per sequence over its real tokens (:func:`sequences`, so a comment's score does not hang on its
batch), to the full 8 bits where the CPU multiplies int8 with VNNI instructions (torch's default keeps
7 bits everywhere, to avoid an overflow only the older AVX2 kernels have; on MiniLM that doubled the
error).
The worker's time is almost all in those Linear layers (the attention and feed-forward projections),
so this is where the speed is; embeddings, LayerNorm and the softmax stay fp32. The weights on disk
are unchanged (fp16 safetensors): quantisation happens once, at load, in a fraction of a second.

Any classifier uses it the same way::

    from ml.classifiers.quantize import model_precision, model_quantize
    model = model_quantize(model=model, precision=model_precision())

Smoothing (SmoothQuant, Xiao et al. 2023): a transformer's activations have a few channels tens of
times larger than the rest (after GELU above all), and one activation scale for every channel spends
the 8 bits on them. Each Linear's input channel c is divided by ``s_c = max|x_c|^a / max|W_c|^(1-a)``
and its weight column multiplied by it (the product is unchanged in exact arithmetic), which moves
the outliers into the per-channel weight scales. ``max|x_c|`` is measured once per model on training
dev rows (``python -m ml.training.int8_smoothing``) and shipped beside the weights in
``int8_smoothing.safetensors``; ``a`` = ``SMOOTHING_ALPHA`` (0.85) had the smallest mean and largest
logit change against fp32 on the toxicity model's dev rows among 0.3-1.0. On those rows the mean
logit change fell from 0.132 to 0.082 and the largest from 2.05 to 0.50.

Whether int8 is the default was decided from ``manage.py evaluate_models`` (every AUC and F1 within
0.005 of fp32, the policy's holds unchanged); see docs/MODELS.md.
"""
from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

import torch
import torch.ao.nn.quantized.dynamic as nnqd
from torch import nn

PRECISIONS = ("int8", "fp32")
DEFAULT_PRECISION = "fp32"
PRECISION_ENV = "PARLEY_MODEL_PRECISION"


def model_precision(model: str | None = None) -> str:
    """The configured precision of ``model`` (``"toxicity"``, ``"stance"``): ``$PARLEY_<MODEL>_PRECISION``
    where set, else ``$PARLEY_MODEL_PRECISION`` (both models), else the default; ``int8`` or ``fp32``.
    The per-model setting lets a site run one model at int8 and the other at fp32 (the toxicity
    model's int8 meets the evaluation rule the stance model's misses: docs/MODELS.md). An unknown
    value raises ValueError naming the setting, so a typo never silently changes quality."""
    env = PRECISION_ENV
    if model is not None and os.environ.get(f"PARLEY_{model.upper()}_PRECISION", "").strip():
        env = f"PARLEY_{model.upper()}_PRECISION"
    value = os.environ.get(env, "").strip().lower() or DEFAULT_PRECISION
    if value not in PRECISIONS:
        raise ValueError(f"{env}={value!r}: expected one of {', '.join(PRECISIONS)}")
    return value


@lru_cache(maxsize=1)
def cpu_has_vnni() -> bool:
    """Does this CPU have AVX-512 VNNI (int8 dot products accumulated in int32, no int16 overflow)?"""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            return any(line.startswith("flags") and " avx512_vnni" in line for line in fh)
    except OSError:
        return False


# The real length of each sequence in the batch being run (None: quantise the batch as one tensor).
_SEQUENCE_LENGTHS: ContextVar[tuple[int, ...] | None] = ContextVar("parley_int8_sequence_lengths", default=None)


@contextmanager
def sequences(lengths: Sequence[int]) -> Iterator[None]:
    """Run a padded batch (right-padded, ``lengths[b]`` real tokens in row ``b``) so that every int8
    Linear quantises each sequence's activations on their own, over its real tokens only: a comment's
    int8 scores then do not depend on which comments share its batch or how far they pad it (with one
    scale per batch they did: the identity templates' held terms went 8 or 9 by batching alone). No
    effect on an fp32 model."""
    token = _SEQUENCE_LENGTHS.set(tuple(int(n) for n in lengths))
    try:
        yield
    finally:
        _SEQUENCE_LENGTHS.reset(token)


class PerSequenceDynamicLinear(nnqd.Linear):
    """torch's dynamic int8 Linear (int8 per-channel weights), its activation scale taken per sequence
    inside :func:`sequences` and per call outside it. ``reduce_range``: torch's default keeps 7 bits of
    the activations, to avoid an overflow only the older AVX2 kernels have."""

    reduce_range = True

    def _linear(self, x):
        return torch.ops.quantized.linear_dynamic(x, self._packed_params._packed_params,
                                                  reduce_range=self.reduce_range).to(x.dtype)

    def forward(self, x):
        lengths = _SEQUENCE_LENGTHS.get()
        if lengths is None or x.dim() not in (2, 3) or x.shape[0] != len(lengths):
            return self._linear(x)
        if x.dim() == 2:  # one vector a sequence (a pooled head): each on its own
            return torch.cat([self._linear(x[b:b + 1]) for b in range(x.shape[0])])
        out = x.new_zeros(x.shape[0], x.shape[1], self.out_features)
        for b, n in enumerate(lengths):  # padding rows stay zero: nothing reads them
            out[b, :n] = self._linear(x[b, :n])
        return out


class FullRangeDynamicLinear(PerSequenceDynamicLinear):
    """Activations quantised to 8 bits instead of 7 (VNNI CPUs only, where the overflow cannot happen)."""

    reduce_range = False


SMOOTHING_FILE = "int8_smoothing.safetensors"
SMOOTHING_ALPHA = 0.85


class SmoothedLinear(nn.Module):
    """``linear(x)`` computed as ``linear'(x / s)`` with ``linear'``'s weight columns multiplied by ``s``:
    the same result in fp32, and an input without outlier channels for the int8 ``linear'``."""

    def __init__(self, linear: nn.Linear, scale: torch.Tensor):
        super().__init__()
        self.register_buffer("inv_scale", (1.0 / scale).to(linear.weight.dtype))
        self.linear = linear
        with torch.no_grad():
            linear.weight.mul_(scale.to(linear.weight.dtype)[None, :])

    def forward(self, x):
        return self.linear(x * self.inv_scale)


def smoothing_scales(*, model: nn.Module, input_maxima: Mapping[str, torch.Tensor],
                     alpha: float = SMOOTHING_ALPHA) -> dict[str, torch.Tensor]:
    """Per Linear named in ``input_maxima``: ``max|x_c|^alpha / max|W_c|^(1-alpha)`` per input channel."""
    layers = dict(model.named_modules())
    scales = {}
    for name, amax in input_maxima.items():
        layer = layers.get(name)
        if not isinstance(layer, nn.Linear) or amax.shape != (layer.in_features,):
            raise ValueError(f"smoothing statistics name {name!r}, which is not a Linear of this model's shape")
        wmax = layer.weight.detach().abs().amax(0).clamp(min=1e-5)
        scales[name] = (amax.float().clamp(min=1e-5) ** alpha / wmax ** (1 - alpha)).clamp(min=1e-3)
    return scales


def linear_input_maxima(*, model: nn.Module, run: Callable[[], object]) -> dict[str, torch.Tensor]:
    """The largest |input| per channel each Linear (the output head excepted: too small to matter) saw
    while ``run()`` pushed calibration text through ``model``."""
    maxima: dict[str, torch.Tensor] = {}
    hooks = []
    for name, layer in model.named_modules():
        if isinstance(layer, nn.Linear) and "." in name:  # encoder layers; a top-level head stays as is

            def record(_mod, inputs, _out, name=name):
                seen = inputs[0].detach().abs().reshape(-1, inputs[0].shape[-1]).amax(0).float()
                maxima[name] = torch.maximum(maxima[name], seen) if name in maxima else seen

            hooks.append(layer.register_forward_hook(record))
    try:
        with torch.inference_mode():
            run()
    finally:
        for hook in hooks:
            hook.remove()
    return maxima


def smoothing_read(weights_dir: Path) -> dict[str, torch.Tensor] | None:
    """The shipped per-channel input maxima for ``weights_dir``'s model, or None (plain int8)."""
    path = Path(weights_dir) / SMOOTHING_FILE
    if not path.exists():
        return None
    from safetensors.torch import load_file

    return {k: v.float() for k, v in load_file(str(path)).items()}


def smoothing_write(weights_dir: Path, maxima: Mapping[str, torch.Tensor]) -> Path:
    from safetensors.torch import save_file

    path = Path(weights_dir) / SMOOTHING_FILE
    # No metadata: safetensors writes its keys in hash order, and the same statistics must give the same bytes.
    save_file({k: v.to(torch.float16).contiguous() for k, v in sorted(maxima.items())}, str(path))
    return path


def _smoothed_copy(model: nn.Module, input_maxima: Mapping[str, torch.Tensor]) -> nn.Module:
    smoothed = copy.deepcopy(model)
    for name, scale in smoothing_scales(model=smoothed, input_maxima=input_maxima).items():
        parent_name, _, attr = name.rpartition(".")
        parent = smoothed.get_submodule(parent_name)
        setattr(parent, attr, SmoothedLinear(getattr(parent, attr), scale))
    return smoothed


def precision_suffix(precision: str, *, smoothed: bool, sep: str) -> str:
    """What a model's version adds for its precision: nothing for fp32, ``int8`` or (smoothed) ``int8s``,
    so an Analysis row says exactly which arithmetic scored it."""
    return "" if precision == "fp32" else f"{sep}int8" + ("s" if smoothed else "")


def model_quantize(*, model: nn.Module, precision: str,
                   input_maxima: Mapping[str, torch.Tensor] | None = None) -> nn.Module:
    """``model`` ready for inference at ``precision``: itself for fp32, a dynamically quantised copy
    (int8 per-channel weights of every ``nn.Linear``) for int8, smoothed first where ``input_maxima``
    (:func:`smoothing_read`) is given. The model must be in eval mode; it is not changed."""
    if precision == "fp32":
        return model
    if precision != "int8":
        raise ValueError(f"precision {precision!r}: expected one of {', '.join(PRECISIONS)}")
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    if "x86" in torch.backends.quantized.supported_engines:
        torch.backends.quantized.engine = "x86"  # fbgemm kernels, with AVX-512 VNNI where the CPU has them
    mapping = {nn.Linear: FullRangeDynamicLinear if cpu_has_vnni() else PerSequenceDynamicLinear}
    source = _smoothed_copy(model.eval(), input_maxima) if input_maxima else model.eval()
    return quantize_dynamic(source, {nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8,
                            mapping=mapping, inplace=source is not model)
