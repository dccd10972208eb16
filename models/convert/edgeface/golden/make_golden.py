"""Development tool, never run by Lintel or its tests: computes the reference embeddings that
edgeface-to-onnx.test.ts compares the converted ONNX models with, and writes edgeface-golden.json.

    pip install torch timm numpy pillow
    python models/convert/edgeface/golden/make_golden.py ../shared/models/edgeface

The network is timm's EdgeNeXt (x_small / xx_small, 512-d head) wrapped as `model.*`, as EdgeFace trains it.
Two references per input:
  - "float": the checkpoint's int8 Linear weights dequantised to float32, activations in float32. This is
    exactly what the converter emits, so the test holds the ONNX output to it tightly.
  - "dynamicInt8": the checkpoint as PyTorch runs it (quantize_dynamic: activations rounded to 8 bits inside
    each Linear at run time). Only its cosine to "float" is recorded, to show what the float graph changes.
Inputs (NCHW, (pixel - 127.5) / 127.5): two seeded noise images from a 32-bit LCG (the test regenerates them),
a smooth gradient, and face-api's sample1.jpg aligned to the ArcFace 112 template by Lintel's pipeline
(sample1-face-arcface112.png beside this script).
"""
import json
import os
import sys

import numpy as np
import torch
from PIL import Image
from torch import nn


def _import_timm():
    """timm imports torchvision, whose C ops EdgeNeXt never uses. A torchvision wheel built for CUDA fails to
    register their fake kernels on a CPU-only torch; skip that registration so the pure-Python parts import."""
    try:
        import torchvision  # noqa: F401
    except RuntimeError:
        register_fake = torch.library.register_fake
        torch.library.register_fake = lambda *args, **kwargs: (lambda fn: fn)
        try:
            for name in [m for m in sys.modules if m == 'torchvision' or m.startswith('torchvision.')]:
                del sys.modules[name]
            import torchvision  # noqa: F401,F811
        finally:
            torch.library.register_fake = register_fake
    import timm as module
    return module


timm = _import_timm()

SIDE = 112
HERE = os.path.dirname(os.path.abspath(__file__))
VARIANTS = {'xs': ('edgenext_x_small', 'edgeface_xs_q.pt'), 'xxs': ('edgenext_xx_small', 'edgeface_xxs_q.pt')}


def lcg_pixels(seed):
    """3 x 112 x 112 pixels 0..255 in NCHW order: state = 1664525 * state + 1013904223 mod 2^32, pixel = state >> 24."""
    state = seed & 0xFFFFFFFF
    out = np.empty(3 * SIDE * SIDE, dtype=np.float32)
    for i in range(out.size):
        state = (1664525 * state + 1013904223) & 0xFFFFFFFF
        out[i] = state >> 24
    return out.reshape(3, SIDE, SIDE)


def gradient_pixels():
    """R rises left to right, G top to bottom, B along the diagonal (integer arithmetic, as in the test)."""
    y, x = np.mgrid[0:SIDE, 0:SIDE]
    r = (x * 255) // (SIDE - 1)
    g = (y * 255) // (SIDE - 1)
    b = ((x + y) * 255) // (2 * (SIDE - 1))
    return np.stack([r, g, b]).astype(np.float32)


def face_pixels():
    image = np.asarray(Image.open(os.path.join(HERE, 'sample1-face-arcface112.png')).convert('RGB'), dtype=np.float32)
    assert image.shape == (SIDE, SIDE, 3)
    return image.transpose(2, 0, 1)


class Wrapper(nn.Module):
    """EdgeFace's TimmFRWrapperV2: the timm model under `model`."""

    def __init__(self, timm_name):
        super().__init__()
        self.model = timm.create_model(timm_name, num_classes=512)

    def forward(self, x):
        return self.model(x)


def load(timm_name, path):
    state = torch.load(path, map_location='cpu', weights_only=True)
    quantised = torch.ao.quantization.quantize_dynamic(Wrapper(timm_name), {nn.Linear}, dtype=torch.qint8)
    quantised.load_state_dict(state)
    quantised.eval()
    floating = Wrapper(timm_name).eval()
    float_state = {}
    for name, module in quantised.named_modules():
        if isinstance(module, torch.ao.nn.quantized.dynamic.Linear):
            float_state[f'{name}.weight'] = module.weight().dequantize()
            float_state[f'{name}.bias'] = module.bias()
    for key, value in state.items():
        if isinstance(value, torch.Tensor) and not key.endswith(('.scale', '.zero_point')):
            float_state[key] = value
    floating.load_state_dict(float_state, strict=True)
    return floating, quantised


def main():
    models_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, '../../../../../shared/models/edgeface')
    torch.manual_seed(0)
    torch.set_num_threads(1)
    inputs = {'noise-seed-1': lcg_pixels(1), 'noise-seed-2': lcg_pixels(2), 'gradient': gradient_pixels(), 'face-sample1': face_pixels()}
    result = {
        'generator': 'models/convert/edgeface/golden/make_golden.py',
        'torch': torch.__version__,
        'timm': timm.__version__,
        'normalisation': '(pixel - 127.5) / 127.5, NCHW',
        'variants': {},
    }
    for variant, (timm_name, file_name) in VARIANTS.items():
        floating, quantised = load(timm_name, os.path.join(models_dir, file_name))
        outputs = {}
        for name, pixels in inputs.items():
            x = torch.from_numpy((pixels - 127.5) / 127.5).unsqueeze(0)
            with torch.no_grad():
                reference = floating(x)[0]
                dynamic = quantised(x)[0]
            cosine = torch.nn.functional.cosine_similarity(reference, dynamic, dim=0).item()
            outputs[name] = {
                'float': [float(f'{v:.7g}') for v in reference.tolist()],
                'dynamicInt8CosineToFloat': round(cosine, 6),
            }
            print(f'{variant} {name}: |float| {reference.norm():.4f}, cos(float, dynamic int8) {cosine:.6f}')
        result['variants'][variant] = {'timm': timm_name, 'file': file_name, 'outputs': outputs}
    with open(os.path.join(HERE, 'edgeface-golden.json'), 'w') as f:
        json.dump(result, f, separators=(',', ':'))
        f.write('\n')


if __name__ == '__main__':
    main()
