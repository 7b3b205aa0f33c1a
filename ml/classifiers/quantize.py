"""The precision Parley's transformer classifiers run at: fp32 (default) or int8, one setting apart.

``PARLEY_MODEL_PRECISION=int8|fp32`` (read here, where the classifiers are built, so ``ml/`` stays free
of Django). int8 is *dynamic* quantisation of every ``nn.Linear``: weights stored as int8 with one
scale per output channel (``per_channel_dynamic_qconfig``), activations quantised per batch on the fly
to the full 8 bits where the CPU multiplies int8 with VNNI instructions (torch's default keeps 7 bits
everywhere, to avoid an overflow only the older AVX2 kernels have; on MiniLM that doubled the error).
The worker's time is almost all in those Linear layers (the attention and feed-forward projections),
so this is where the speed is; embeddings, LayerNorm and the softmax stay fp32. The weights on disk
are unchanged (fp16 safetensors): quantisation happens once, at load, in a fraction of a second.

Any classifier uses it the same way::

    from ml.classifiers.quantize import model_precision, model_quantize
    model = model_quantize(model=model, precision=model_precision())

Whether int8 is the default was decided from ``manage.py evaluate_models`` (every AUC and F1 within
0.005 of fp32, the policy's holds unchanged); see docs/MODELS.md.
"""
from __future__ import annotations

import os
from functools import lru_cache

import torch
import torch.ao.nn.quantized.dynamic as nnqd
from torch import nn

PRECISIONS = ("int8", "fp32")
DEFAULT_PRECISION = "fp32"
PRECISION_ENV = "PARLEY_MODEL_PRECISION"


def model_precision() -> str:
    """The configured precision: ``$PARLEY_MODEL_PRECISION`` (``int8`` or ``fp32``), else the default.
    An unknown value raises ValueError naming the setting, so a typo never silently changes quality."""
    value = os.environ.get(PRECISION_ENV, "").strip().lower() or DEFAULT_PRECISION
    if value not in PRECISIONS:
        raise ValueError(f"{PRECISION_ENV}={value!r}: expected one of {', '.join(PRECISIONS)}")
    return value


@lru_cache(maxsize=1)
def cpu_has_vnni() -> bool:
    """Does this CPU have AVX-512 VNNI (int8 dot products accumulated in int32, no int16 overflow)?"""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            return any(line.startswith("flags") and " avx512_vnni" in line for line in fh)
    except OSError:
        return False


class FullRangeDynamicLinear(nnqd.Linear):
    """torch's dynamic int8 Linear with activations quantised to 8 bits instead of 7 (VNNI CPUs only)."""

    def forward(self, x):
        return torch.ops.quantized.linear_dynamic(x, self._packed_params._packed_params,
                                                  reduce_range=False).to(x.dtype)


def model_quantize(*, model: nn.Module, precision: str) -> nn.Module:
    """``model`` ready for inference at ``precision``: itself for fp32, a dynamically quantised copy
    (int8 per-channel weights of every ``nn.Linear``) for int8. The model must be in eval mode."""
    if precision == "fp32":
        return model
    if precision != "int8":
        raise ValueError(f"precision {precision!r}: expected one of {', '.join(PRECISIONS)}")
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    if "x86" in torch.backends.quantized.supported_engines:
        torch.backends.quantized.engine = "x86"  # fbgemm kernels, with AVX-512 VNNI where the CPU has them
    mapping = {nn.Linear: FullRangeDynamicLinear} if cpu_has_vnni() else None
    return quantize_dynamic(model.eval(), {nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8,
                            mapping=mapping, inplace=False)
