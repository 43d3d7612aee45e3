// snapmath model: load the TF.js graph model, warm it up, and turn 28x28 inputs into
// probabilities. Only plain numbers leave this file; every tensor is disposed here.
(function (root) {
  "use strict";

  const IMAGE_SIDE = 28;
  const IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE;

  // Chromium refuses fetch() of file:// URLs, so a page opened from disk loads the model
  // from a script the build generates (dist/model/embedded.js) instead of model.json.
  function openedFromDisk() {
    return root.location.protocol === "file:";
  }

  function loadScript(url) {
    return new Promise(function (resolve, reject) {
      const script = document.createElement("script");
      script.src = url;
      script.onload = function () {
        resolve();
      };
      script.onerror = function () {
        reject(new Error("could not read " + url));
      };
      document.head.appendChild(script);
    });
  }

  // A script read once per URL: the model's embedded.js is asked for early and awaited later.
  const scriptReads = {};

  function readScript(url) {
    if (!scriptReads[url]) {
      scriptReads[url] = loadScript(url);
      scriptReads[url].catch(function () {}); // awaited by load(); this only keeps an early failure from being "unhandled"
    }
    return scriptReads[url];
  }

  // From disk, reading embedded.js starts as soon as this script runs, which is before the TF.js runtime
  // (build/context.py's order): the file is read while the runtime is evaluated. load() reads it otherwise.
  if (openedFromDisk()) {
    try {
      readScript(JSON.parse(document.getElementById("snapmath-config").textContent).embeddedModelUrl);
    } catch (error) {
      // No readable page config here: load() gets the URL from main.js and reports what is wrong.
    }
  }

  // Cold start: each step leaves a User Timing mark ("snapmath:<step>"), so the benchmark can say
  // where the time to snapmath.ready goes.
  function mark(step) {
    if (root.performance && typeof root.performance.mark === "function") {
      root.performance.mark("snapmath:" + step);
    }
  }

  // Uint8Array.fromBase64 (Chromium 140+, Firefox 133+, Safari 18.2+) decodes natively, ~10x faster
  // than atob and a loop, which older browsers still get.
  function base64ToArrayBuffer(base64) {
    if (typeof Uint8Array.fromBase64 === "function") {
      return Uint8Array.fromBase64(base64).buffer;
    }
    const binary = root.atob(base64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  // window.snapmathEmbeddedModel = {modelJson, weightsBase64}: the same model.json, with all
  // weight shards concatenated in manifest order, which is the order weightSpecs lists them.
  async function loadEmbedded(tf, config, onProgress, scriptLoaded) {
    await scriptLoaded;
    mark("model-read");
    onProgress(0.5);
    const embedded = root.snapmathEmbeddedModel;
    if (!embedded || !embedded.modelJson || typeof embedded.weightsBase64 !== "string") {
      throw new Error(config.embeddedModelUrl + " does not define window.snapmathEmbeddedModel");
    }
    const modelJson = embedded.modelJson;
    const weightSpecs = modelJson.weightsManifest.flatMap(function (group) {
      return group.weights;
    });
    const weightData = base64ToArrayBuffer(embedded.weightsBase64);
    mark("weights-decoded");
    const artifacts = tf.io.getModelArtifactsForJSONSync(modelJson, weightSpecs, weightData);
    const model = await tf.loadGraphModel(tf.io.fromMemory(artifacts));
    onProgress(1);
    return model;
  }

  function loadByUrl(tf, config, onProgress) {
    return tf.loadGraphModel(config.modelUrl, { onProgress: onProgress });
  }

  // The model's input shape with the batch dimension set, e.g. [n, 28, 28, 1].
  function inputShape(model, batchSize) {
    const declared = model.inputs[0].shape;
    if (!declared) {
      return [batchSize, IMAGE_SIDE, IMAGE_SIDE, 1];
    }
    return declared.map(function (size, axis) {
      return axis === 0 ? batchSize : size;
    });
  }

  // The serving signature's outputs (training/exports.py): "output_0" [n,10] digit probabilities and,
  // from issue 10 on, "not_digit" [n,1]. A model with several outputs returns them in the order of
  // model.outputNodes (sorted by name), so each is looked up by its name.
  const PROBABILITIES_OUTPUT = "output_0";
  const NOT_DIGIT_OUTPUT = "not_digit";

  function namedOutput(model, prediction, name) {
    if (!Array.isArray(prediction)) {
      return name === PROBABILITIES_OUTPUT ? prediction : null;
    }
    const index = (model.outputNodes || []).indexOf(name);
    if (index >= 0) {
      return prediction[index];
    }
    return name === PROBABILITIES_OUTPUT ? prediction[0] : null;
  }

  function firstOutput(prediction) {
    return Array.isArray(prediction) ? prediction[0] : prediction;
  }

  // One model call for a batch of 784-pixel images: {probabilities: n*10 values, notDigit: n values or null}.
  function predictBatch(model, images) {
    const flat = new Float32Array(images.length * IMAGE_PIXELS);
    images.forEach(function (pixels, index) {
      if (pixels.length !== IMAGE_PIXELS) {
        throw new Error("an input has " + pixels.length + " pixels, the model needs " + IMAGE_PIXELS);
      }
      flat.set(pixels, index * IMAGE_PIXELS);
    });
    return root.tf.tidy(function () {
      const batch = root.tf.tensor(flat, inputShape(model, images.length), "float32");
      const prediction = model.predict(batch);
      const notDigit = namedOutput(model, prediction, NOT_DIGIT_OUTPUT);
      return {
        probabilities: namedOutput(model, prediction, PROBABILITIES_OUTPUT).dataSync(),
        notDigit: notDigit ? notDigit.dataSync() : null,
      };
    });
  }

  // One model call for a batch of 784-pixel images; returns n {probabilities: number[10], notDigit}.
  // notDigit is the model's probability that the input is not a digit (0 for a model without that output).
  function read(model, images) {
    if (images.length === 0) {
      return [];
    }
    const values = predictBatch(model, images);
    const classes = values.probabilities.length / images.length;
    return images.map(function (_, index) {
      return {
        probabilities: Array.from(values.probabilities.subarray(index * classes, (index + 1) * classes)),
        notDigit: values.notDigit ? values.notDigit[index] : 0,
      };
    });
  }

  // One 784-pixel image; returns its 10 digit probabilities.
  function classify(model, pixels) {
    return read(model, [pixels])[0].probabilities;
  }

  // The first predict() builds the kernels; doing it now keeps the first real reading quick.
  function warmUp(tf, model) {
    tf.tidy(function () {
      firstOutput(model.predict(tf.zeros(inputShape(model, 1)))).dataSync();
    });
  }

  // The warm-up (V8 compiling the kernels on their first run: about as long as loading the model)
  // waits for the task after ready: nothing a person does can come sooner, and the first reading
  // is then as quick as the rest. A model that cannot run was refused by the build's parity check.
  function warmUpSoon(tf, model) {
    root.setTimeout(function () {
      try {
        warmUp(tf, model);
      } catch (error) {
        // The same error reaches the first reading, which reports it to the person.
      }
      mark("warmed");
    }, 0);
  }

  // Resolves to a loaded model, warmed up in the next task; onProgress gets fractions 0..1 while loading.
  async function load(tf, config, onProgress) {
    const report = onProgress || function () {};
    const source = openedFromDisk() ? config.embeddedModelUrl : config.modelUrl;
    let model;
    try {
      report(0);
      mark("load-start");
      // From disk, embedded.js is being read since this script ran (or from now), while the backend sets itself up.
      const embeddedScript = openedFromDisk() ? readScript(config.embeddedModelUrl) : null;
      await tf.setBackend("cpu"); // the page ships only the CPU backend: no WASM, no WebGL
      root.snapmathConv2d.install(tf); // conv2d.js: the model's convolutions, faster
      model = embeddedScript
        ? await loadEmbedded(tf, config, report, embeddedScript)
        : await loadByUrl(tf, config, report);
      mark("model-built");
      warmUpSoon(tf, model);
    } catch (error) {
      throw new Error("The recognition model could not be loaded from " + source + " (" + error.message + ").", {
        cause: error,
      });
    }
    report(1);
    return model;
  }

  root.snapmathModel = { load: load, classify: classify, read: read };
})(window);
