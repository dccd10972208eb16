#!/usr/bin/env python3
"""Tests of convert_rknn.py's own logic (which models, which folders, what the manifest records) with a stand-in
for RKNN-Toolkit2, which only installs from Rockchip's wheels: the stand-in takes the toolkit's documented calls
(config, load_onnx, build, export_rknn, release) and writes a file where export_rknn is asked to."""
import contextlib
import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
import types
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import convert_rknn  # noqa: E402

CALLS = []


class StandInRknn:
    def __init__(self, verbose=False):
        self.loaded = None

    def config(self, **kwargs):
        CALLS.append(('config', kwargs))

    def load_onnx(self, model, inputs, input_size_list):
        CALLS.append(('load_onnx', model, inputs, input_size_list))
        self.loaded = model
        return 0

    def build(self, do_quantization, dataset=None):
        CALLS.append(('build', do_quantization, dataset))
        return 0

    def export_rknn(self, path):
        with open(path, 'wb') as f:
            f.write(b'RKNN' + self.loaded.encode())
        return 0

    def release(self):
        pass


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class ConvertTest(unittest.TestCase):
    def setUp(self):
        CALLS.clear()
        api = types.ModuleType('rknn.api')
        api.RKNN = StandInRknn
        sys.modules['rknn'] = types.ModuleType('rknn')
        sys.modules['rknn.api'] = api
        # The PRelu rewrite needs the onnx package; what it does is tested with the INT8 simulation's twin.
        self.rewrite = convert_rknn.with_prelu_nodes
        convert_rknn.with_prelu_nodes = lambda onnx_path, out_path: onnx_path
        self.root = tempfile.mkdtemp(prefix='lintel-convert-rknn-')
        os.makedirs(os.path.join(self.root, 'models', 'onnx'))
        self.added = os.path.join(self.root, 'data', 'models')
        os.makedirs(self.added)
        self.calib = os.path.join(self.root, 'calib')
        onnx = {'det': b'detector', 'fit': b'fitter', 'ext': b'extractor', 'pad': b'liveness'}
        for name, data in onnx.items():
            folder = self.added if name in ('ext', 'pad') else os.path.join(self.root, 'models', 'onnx')
            with open(os.path.join(folder, f'{name}.onnx'), 'wb') as f:
                f.write(data)
        for name in onnx:
            os.makedirs(os.path.join(self.calib, name))
            with open(os.path.join(self.calib, name, 'dataset.txt'), 'w') as f:
                f.write('a.npy\n')

        def model(name, kind='npm'):
            return {
                'role': 'detector', 'source': {'kind': kind} if kind == 'added' else {'package': 'x'},
                'onnx': {'file': f'{name}.onnx', 'sha256': sha256(onnx[name])},
                'input': {'name': 'input', 'widthPx': 8, 'heightPx': 8, 'colorOrder': 'RGB', 'mean': [0, 0, 0], 'std': [1, 1, 1]},
            }
        self.manifest_path = os.path.join(self.root, 'models', 'manifest.json')
        manifest = {
            'models': {'det': model('det'), 'fit': model('fit'), 'ext': model('ext', 'added'), 'pad': model('pad', 'added'), 'other': model('det')},
            'defaults': {'detector': 'det', 'fitter': 'fit', 'extractor': 'ext', 'preferredExtractors': ['ext'],
                         'livenessMode': 'passive+active', 'passiveLiveness': {'model': 'pad', 'minScore': 0.8}},
        }
        with open(self.manifest_path, 'w') as f:
            json.dump(manifest, f)

    def tearDown(self):
        convert_rknn.with_prelu_nodes = self.rewrite
        shutil.rmtree(self.root)

    def run_main(self, *args):
        with contextlib.redirect_stdout(io.StringIO()):
            convert_rknn.main(['--manifest', self.manifest_path, '--calib', self.calib, *args])
        with open(self.manifest_path) as f:
            return json.load(f)

    def test_converts_the_default_models_only_naming_ids_not_the_other_defaults(self):
        manifest = self.run_main('--added-dir', self.added, '--precision', 'fp16')
        loaded = [os.path.basename(call[1]) for call in CALLS if call[0] == 'load_onnx']
        self.assertEqual(loaded, ['det.onnx', 'fit.onnx', 'ext.onnx', 'pad.onnx'])
        self.assertNotIn('variants', manifest['models']['other'])

    def test_an_added_model_is_read_from_and_built_into_the_added_folder(self):
        manifest = self.run_main('--only', 'ext', '--added-dir', self.added, '--precision', 'fp16,int8')
        variants = manifest['models']['ext']['variants']
        self.assertEqual([v['precision'] for v in variants], ['fp16', 'int8'])
        for variant in variants:
            path = os.path.join(self.added, variant['file'])
            with open(path, 'rb') as f:
                self.assertEqual(variant['sha256'], sha256(f.read()))
            self.assertFalse(os.path.exists(os.path.join(self.root, 'models', 'onnx', variant['file'])))
        self.assertEqual(variants[1]['file'], 'ext.rk3568.int8.rknn')

    def test_an_added_model_without_the_folder_is_refused_by_name(self):
        with self.assertRaises(SystemExit) as raised:
            self.run_main('--only', 'ext')
        self.assertIn('ext is added by the administrator', str(raised.exception))
        self.assertIn('--added-dir', str(raised.exception))

    def test_a_missing_added_file_says_to_add_it(self):
        os.remove(os.path.join(self.added, 'pad.onnx'))
        with self.assertRaises(SystemExit) as raised:
            self.run_main('--only', 'pad', '--added-dir', self.added, '--precision', 'fp16')
        self.assertIn('lintel models add', str(raised.exception))

    def test_a_rebuild_replaces_the_same_precision_and_keeps_the_other(self):
        self.run_main('--only', 'det', '--precision', 'fp16,int8')
        manifest = self.run_main('--only', 'det', '--precision', 'int8')
        self.assertEqual(sorted(v['precision'] for v in manifest['models']['det']['variants']), ['fp16', 'int8'])

    def test_an_unknown_precision_is_refused(self):
        with self.assertRaises(SystemExit) as raised:
            self.run_main('--only', 'det', '--precision', 'int4')
        self.assertIn('fp16 and/or int8', str(raised.exception))


if __name__ == '__main__':
    unittest.main()
