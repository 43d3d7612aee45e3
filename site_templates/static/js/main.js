// snapmath main: recognition. Loads the model, reads pictures (decode.js, preprocess.js,
// model.js), defines window.snapmath, the page contract of DESIGN.md that tests and automation
// use, and hands recognition to the calculator (app.js), which is live before this script runs.
(function (root) {
  "use strict";

  const tf = root.tf;
  const config = JSON.parse(document.getElementById("snapmath-config").textContent);
  const app = root.snapmathApp;

  // ---- The model and the page contract. ------------------------------------------------

  let model = null;
  const ready = root.snapmathModel.load(tf, config, app.loading).then(function (loaded) {
    model = loaded;
    app.ready();
  });
  ready.catch(app.failed);

  function argmax(values) {
    return values.reduce(function (best, value, index) {
      return value > values[best] ? index : best;
    }, 0);
  }

  // The contract's reading plus `reason`, the sentence to show when no digit was found.
  async function read(source) {
    await ready;
    const rgba = await root.snapmathDecode.toRgba(source, config.limits);
    const prepared = root.snapmathPreprocess.preprocess(tf, rgba, config.preprocess);
    if (prepared.input === null) {
      return {
        digit: null,
        confidence: 0,
        probabilities: new Array(10).fill(0),
        input: new Array(784).fill(0),
        reason: prepared.reason,
      };
    }
    const probabilities = root.snapmathModel.classify(model, prepared.input);
    const digit = argmax(probabilities);
    return {
      digit: digit,
      confidence: probabilities[digit],
      probabilities: probabilities,
      input: Array.from(prepared.input),
      reason: null,
    };
  }

  root.snapmath = {
    ready: ready,
    version: config.version,
    recognize: function (source) {
      return read(source).then(function (reading) {
        return {
          digit: reading.digit,
          confidence: reading.confidence,
          probabilities: reading.probabilities,
          input: reading.input,
        };
      });
    },
    classify: function (pixels) {
      return ready.then(function () {
        return root.snapmathModel.classify(model, Array.from(pixels));
      });
    },
  };

  // ---- The calculator (app.js) reads pictures through the contract. -------------------

  app.connect(function (source, options) {
    return options ? root.snapmath.recognize(source, options) : root.snapmath.recognize(source);
  });
})(window);
