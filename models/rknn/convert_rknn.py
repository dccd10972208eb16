#!/usr/bin/env python3
"""Convert Lintel's ONNX models to RKNN for the RK3568 NPU, in FP16 and INT8 (w8a8).

Runs on the integrator's x86-64 Linux PC with RKNN-Toolkit2 (see requirements.txt), from a Lintel checkout
where `npm ci` has converted the ONNX models (models/onnx/) and `npx lintel calib export` has written the
calibration sets. Everything about a model (input size, mean, std, colour order) is read from the manifest.

    python3 models/rknn/convert_rknn.py --manifest models/manifest.json --calib out/calib \
        [--only blazeface-256,facemesh-468] [--precision fp16,int8] [--platform rk3568]

For each model it writes models/onnx/<id>.<platform>.<precision>.rknn and records the variant (file, sha256,
toolkit version, platform, precision, layers kept in FP16) in the manifest's `variants`, which the terminal
reads to choose the NPU model. The .rknn must be run by a librknnrt.so of the same toolkit version or newer:
an older runtime refuses it with "Invalid RKNN model version" (RKNN_ERR_MODEL_INVALID).
"""
import argparse
import hashlib
import json
import os
import sys
import tempfile


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


def toolkit_version():
    try:
        from importlib.metadata import version
        return version('rknn-toolkit2')
    except Exception:  # the wheel's metadata name has varied between releases
        return 'unknown'


def convert(model_id, entry, onnx_dir, calib_dir, precision, platform):
    from rknn.api import RKNN

    onnx_path = os.path.join(onnx_dir, entry['onnx']['file'])
    if sha256_of(onnx_path) != entry['onnx']['sha256']:
        raise SystemExit(f'{onnx_path} does not match the manifest sha256: run `npm run models` first')
    inp = entry['input']
    # The NPU takes uint8 NHWC pixels in the manifest's colour order; mean and std are folded into the model.
    int8 = entry.get('quantization', {}).get('int8', {})
    # Layers kept in FP16 and the range algorithm come from `lintel eval lfw --quant int8` (models/quantize/).
    float_layers = int8.get('floatLayers', [])
    rknn = RKNN(verbose=False)
    rknn.config(
        mean_values=[inp['mean']],
        std_values=[inp['std']],
        quant_img_RGB2BGR=inp['colorOrder'] == 'BGR',
        quantized_dtype='w8a8',
        quantized_algorithm=int8.get('algorithm', 'normal'),
        quantized_method='channel',
        float_dtype='float16',
        optimization_level=3,
        target_platform=platform,
        custom_string=f"lintel:{model_id}:{precision}:{entry['onnx']['sha256'][:16]}",
    )
    if rknn.load_onnx(model=onnx_path, inputs=[inp['name']], input_size_list=[[1, 3, inp['heightPx'], inp['widthPx']]]) != 0:
        raise SystemExit(f'{model_id}: load_onnx failed')
    out_path = os.path.join(onnx_dir, f'{model_id}.{platform}.{precision}.rknn')
    if precision == 'fp16':
        ok = rknn.build(do_quantization=False) == 0
    else:
        dataset = os.path.join(calib_dir, model_id, 'dataset.txt')
        if not os.path.exists(dataset):
            raise SystemExit(f'{dataset} is missing: run `npx lintel calib export --out {calib_dir}` first')
        if float_layers:
            ok = build_hybrid(rknn, dataset, float_layers, model_id)
        else:
            ok = rknn.build(do_quantization=True, dataset=dataset) == 0
    if not ok or rknn.export_rknn(out_path) != 0:
        raise SystemExit(f'{model_id}: {precision} build failed')
    rknn.release()
    return {
        'engine': 'rknn',
        'precision': precision,
        'file': os.path.basename(out_path),
        'sha256': sha256_of(out_path),
        'toolkitVersion': toolkit_version(),
        'targetPlatform': platform,
        'floatLayers': float_layers if precision == 'int8' else [],
    }


def build_hybrid(rknn, dataset, float_layers, model_id):
    """Hybrid quantisation: the layers the manifest names stay in FP16, the rest INT8 (toolkit step 1 + 2)."""
    work = tempfile.mkdtemp(prefix=f'{model_id}-hybrid-')
    cwd = os.getcwd()
    os.chdir(work)
    try:
        if rknn.hybrid_quantization_step1(dataset=os.path.join(cwd, dataset), proposal=False) != 0:
            return False
        cfg_path = next(f for f in os.listdir('.') if f.endswith('.quantization.cfg'))
        with open(cfg_path) as f:
            cfg = f.read()
        # custom_quantize_layers maps tensor names to a dtype; the toolkit writes it empty in step 1.
        layers = ''.join(f'    {name}: float16\n' for name in float_layers)
        cfg = cfg.replace('custom_quantize_layers: {}', 'custom_quantize_layers:\n' + layers)
        with open(cfg_path, 'w') as f:
            f.write(cfg)
        stem = cfg_path[: -len('.quantization.cfg')]
        return rknn.hybrid_quantization_step2(model_input=f'{stem}.model', data_input=f'{stem}.data', model_quantization_cfg=cfg_path) == 0
    finally:
        os.chdir(cwd)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--manifest', default='models/manifest.json')
    parser.add_argument('--calib', default='out/calib', help='folder written by `lintel calib export`')
    parser.add_argument('--only', help='comma-separated model ids (default: the manifest defaults)')
    parser.add_argument('--precision', default='fp16,int8')
    parser.add_argument('--platform', default='rk3568')
    args = parser.parse_args()

    with open(args.manifest) as f:
        manifest = json.load(f)
    onnx_dir = os.path.join(os.path.dirname(os.path.abspath(args.manifest)), 'onnx')
    ids = args.only.split(',') if args.only else [v for v in manifest['defaults'].values() if v]
    for model_id in ids:
        entry = manifest['models'].get(model_id)
        if entry is None:
            raise SystemExit(f'no model {model_id} in {args.manifest}')
        precisions = args.precision.split(',')
        variants = [
            v for v in entry.get('variants', [])
            if not (v['engine'] == 'rknn' and v['targetPlatform'] == args.platform and v['precision'] in precisions)
        ]
        for precision in precisions:
            variant = convert(model_id, entry, onnx_dir, args.calib, precision, args.platform)
            print(f"{model_id:20s} {precision:5s} {variant['file']}  sha256 {variant['sha256'][:12]}", flush=True)
            variants.append(variant)
        entry['variants'] = variants

    tmp = args.manifest + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(manifest, f, indent=2, ensure_ascii=True)
        f.write('\n')
    os.replace(tmp, args.manifest)


if __name__ == '__main__':
    sys.exit(main())
