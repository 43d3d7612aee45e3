// Runs the converted model in the TF.js runtime the page ships, for build/parity.py.
// Usage: node build/parity.js EMBEDDED_JS SCRIPT... < {"pixels": [N*784 numbers]}  (the runtime, then the page's conv2d.js)
// Prints {"backend": "cpu", "probabilities": [[10 numbers] x N], "notDigit": [N numbers] or null}:
// the serving signature's "output_0" and "not_digit" outputs, looked up by name (predict() returns
// a model's outputs in the order of model.outputNodes).
// The scripts run as classic scripts in a browser-like global (a `window` with a `document`), so
// TF.js picks its browser platform and the model loads from the embedded copy exactly as a page
// opened from disk loads it: tf.loadGraphModel(tf.io.fromMemory(...)) on the CPU backend, with the
// page's convolution kernel (conv2d.js, when one of the scripts defines it) installed as model.js does.
"use strict";
const fs = require("fs");
const vm = require("vm");

const [embeddedPath, ...runtimePaths] = process.argv.slice(2);
const sandbox = { console, setTimeout, clearTimeout, TextEncoder, TextDecoder, performance, atob, document: {} };
sandbox.window = sandbox;
sandbox.self = sandbox;
const context = vm.createContext(sandbox);
for (const path of [...runtimePaths, embeddedPath]) {
  try {
    vm.runInContext(fs.readFileSync(path, "utf8"), context, { filename: path });
  } catch (error) {
    // One line: Node's default report would print the whole minified script.
    process.stderr.write(`${path}: ${(error && error.message) || error}\n`);
    process.exit(1);
  }
}
// Handed over as text and parsed inside the sandbox, so its arrays belong to the sandbox's realm.
sandbox.checkInputText = fs.readFileSync(0, "utf8");

const run = `(async () => {
  await tf.setBackend("cpu");
  if (window.snapmathConv2d) snapmathConv2d.install(tf);
  const embedded = window.snapmathEmbeddedModel;
  const modelJson = embedded.modelJson;
  const binary = atob(embedded.weightsBase64);
  const weights = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) weights[i] = binary.charCodeAt(i);
  const model = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
    weightData: weights.buffer,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
    signature: modelJson.signature,
  }));
  const pixels = JSON.parse(checkInputText).pixels;
  const input = tf.tensor(pixels, [pixels.length / 784, 28, 28, 1]);
  const output = model.predict(input);
  const outputs = Array.isArray(output) ? output : [output];
  const named = (name) => {
    const index = model.outputNodes.indexOf(name);
    return index >= 0 ? outputs[index] : null;
  };
  const probabilitiesTensor = named("output_0") || outputs[0];
  const notDigitTensor = outputs.length > 1 ? named("not_digit") : null;
  const probabilities = await probabilitiesTensor.array();
  const notDigit = notDigitTensor ? Array.from(await notDigitTensor.data()) : null;
  tf.dispose([input, ...outputs]);
  return { backend: tf.getBackend(), probabilities, notDigit };
})()`;

vm.runInContext(run, context).then(
  (result) => process.stdout.write(JSON.stringify(result)),
  (error) => {
    process.stderr.write(String((error && error.message) || error) + "\n");
    process.exit(1);
  },
);
