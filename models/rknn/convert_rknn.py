#!/usr/bin/env python3
"""Convert Lintel's ONNX models to RKNN for the RK3568 NPU, in FP16 and INT8 (w8a8).

Runs on the integrator's x86-64 Linux PC with RKNN-Toolkit2 (see requirements.txt), from a Lintel checkout
where `npm ci` has converted the ONNX models (models/onnx/) and `npx lintel calib export` has written the
calibration sets. Everything about a model (input size, mean, std, colour order) is read from the manifest.

    python3 models/rknn/convert_rknn.py --manifest models/manifest.json --calib out/calib \
        [--only blazeface-256,facemesh-468] [--precision fp16,int8] [--platform rk3568] [--added-dir <data>/models]

For each model it writes models/onnx/<id>.<platform>.<precision>.rknn and records the variant (file, sha256,
toolkit version, platform, precision, layers kept in FP16) in the manifest's `variants`, which the terminal
reads to choose the NPU model. Without --only it converts the models the terminal runs by default: detector,
fitter, extractor, liveness and the passive-liveness model. A model the administrator adds (EdgeFace,
MiniFASNet: no registry ships them) is converted from a terminal's folder of added models (`lintel models add
<file> --data <data>` on the PC first): --added-dir reads its ONNX there and writes its .rknn beside it, which
goes into the board's `<data>/models/` with the added model. The .rknn must be run by a librknnrt.so of the same toolkit version or newer:
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


def with_prelu_nodes(onnx_path, out_path):
    """Writes PReLU as the NPU runs it: each relu(x) + s * relu(m * x) with m all -1 and s a constant, which
    Lintel's converters (TFLite and TFJS) write for PReLU because onnxruntime's CPU runs it fastest, becomes one
    PRelu(x, -s) named as the Add it replaces, which the toolkit fuses into the convolution before it (one
    int8 output instead of five), and the Clips without bounds (identities) that keep residual Adds apart from
    their convolutions on onnxruntime's CPU are dropped. models/convert/onnx/prelu-nodes.ts does the same for the
    INT8 simulation, so the manifest's floatLayers name this graph's tensors. Returns the path to load: out_path
    when something was rewritten, else onnx_path."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(onnx_path)
    graph = model.graph
    graph_outputs = {o.name for o in graph.output}
    identities = {n.output[0]: n.input[0] for n in graph.node
                  if n.op_type == 'Clip' and all(i == '' for i in n.input[1:]) and n.output[0] not in graph_outputs}
    for node in graph.node:
        for k, name in enumerate(node.input):
            if name in identities:
                node.input[k] = identities[name]
    for k in reversed(range(len(graph.node))):
        if graph.node[k].output[0] in identities:
            del graph.node[k]
    constants = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    producers = {name: node for node in graph.node for name in node.output}
    reads = {}
    for name in [i for node in graph.node for i in node.input] + [o.name for o in graph.output]:
        reads[name] = reads.get(name, 0) + 1

    def only_feeding(name, op_type):
        node = producers.get(name)
        return node if node is not None and node.op_type == op_type and reads.get(name) == 1 else None

    def match(positive_name, scaled_name):
        positive, scaled = only_feeding(positive_name, 'Relu'), only_feeding(scaled_name, 'Mul')
        if positive is None or scaled is None or len(scaled.input) != 2:
            return None
        x = positive.input[0]
        scale = next((i for i in scaled.input if i in constants), None)
        negative = only_feeding(scaled.input[1] if scaled.input[0] == scale else scaled.input[0], 'Relu')
        negated = only_feeding(negative.input[0], 'Mul') if negative is not None else None
        if scale is None or negated is None or len(negated.input) != 2 or x not in negated.input:
            return None
        minus_one = negated.input[1] if negated.input[0] == x else negated.input[0]
        if minus_one not in constants or not (constants[minus_one] == -1).all() or constants[minus_one].shape != constants[scale].shape:
            return None
        # Nodes by their output (unique in ONNX): protobuf may hand out a new Python object on each access.
        return x, scale, {n.output[0] for n in (positive, negated, negative, scaled)}

    nodes, slopes, dropped = [], [], set()
    for node in graph.node:
        found = match(node.input[0], node.input[1]) or match(node.input[1], node.input[0]) if node.op_type == 'Add' and len(node.input) == 2 else None
        if found is None:
            nodes.append(node)
            continue
        x, scale, parts = found
        dropped |= parts
        slope = f'{node.output[0]}_slope'
        slopes.append(numpy_helper.from_array(-constants[scale], slope))
        nodes.append(onnx.helper.make_node('PRelu', [x, slope], list(node.output), name=node.name))
    if not slopes and not identities:
        return onnx_path
    kept = [n for n in nodes if n.output[0] not in dropped]
    used = {i for n in kept for i in n.input}
    initializers = [t for t in graph.initializer if t.name in used] + slopes
    model.graph.CopyFrom(onnx.helper.make_graph(kept, graph.name, graph.input, graph.output, initializers))
    onnx.checker.check_model(model)
    onnx.save(model, out_path)
    return out_path


def default_model_ids(manifest):
    """The models a terminal runs without settings: the roles' defaults and the passive-liveness model."""
    defaults = manifest['defaults']
    ids = [defaults.get(role) for role in ('detector', 'fitter', 'extractor', 'liveness')]
    ids.append(defaults.get('passiveLiveness', {}).get('model'))
    return list(dict.fromkeys(i for i in ids if isinstance(i, str)))


def is_added(entry):
    return entry['source'].get('kind') == 'added'


def model_dir(model_id, entry, onnx_dir, added_dir):
    """Where the model's ONNX is, and where its .rknn goes: the app's models/onnx, or the added models' folder."""
    if not is_added(entry):
        return onnx_dir
    if added_dir is None:
        raise SystemExit(f'{model_id} is added by the administrator, not shipped: add it with `lintel models add <file> '
                         f'--data <dir>` and pass --added-dir <dir>/models')
    return added_dir


def convert(model_id, entry, onnx_dir, calib_dir, precision, platform):
    from rknn.api import RKNN

    onnx_path = os.path.join(onnx_dir, entry['onnx']['file'])
    if not os.path.exists(onnx_path):
        hint = 'add it with `lintel models add`' if is_added(entry) else 'run `npm run models` first'
        raise SystemExit(f'{onnx_path} is missing: {hint}')
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
    load_path = with_prelu_nodes(onnx_path, os.path.join(onnx_dir, f'{model_id}.npu.onnx'))
    if rknn.load_onnx(model=load_path, inputs=[inp['name']], input_size_list=[[1, 3, inp['heightPx'], inp['widthPx']]]) != 0:
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--manifest', default='models/manifest.json')
    parser.add_argument('--calib', default='out/calib', help='folder written by `lintel calib export`')
    parser.add_argument('--only', help='comma-separated model ids (default: the manifest defaults)')
    parser.add_argument('--precision', default='fp16,int8')
    parser.add_argument('--platform', default='rk3568')
    parser.add_argument('--added-dir', help="a terminal's folder of added models (<data>/models), for models no registry ships")
    args = parser.parse_args(argv)

    with open(args.manifest) as f:
        manifest = json.load(f)
    onnx_dir = os.path.join(os.path.dirname(os.path.abspath(args.manifest)), 'onnx')
    ids = args.only.split(',') if args.only else default_model_ids(manifest)
    added_dir = os.path.abspath(args.added_dir) if args.added_dir else None
    for model_id in ids:
        entry = manifest['models'].get(model_id)
        if entry is None:
            raise SystemExit(f'no model {model_id} in {args.manifest}')
        directory = model_dir(model_id, entry, onnx_dir, added_dir)
        precisions = args.precision.split(',')
        if not precisions or any(p not in ('fp16', 'int8') for p in precisions):
            raise SystemExit(f'--precision takes fp16 and/or int8, comma-separated, not {args.precision!r}')
        variants = [
            v for v in entry.get('variants', [])
            if not (v['engine'] == 'rknn' and v['targetPlatform'] == args.platform and v['precision'] in precisions)
        ]
        for precision in precisions:
            variant = convert(model_id, entry, directory, args.calib, precision, args.platform)
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
