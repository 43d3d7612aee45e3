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

  const NOT_A_DIGIT = "This doesn't look like a digit.";

  function argmax(values) {
    return values.reduce(function (best, value, index) {
      return value > values[best] ? index : best;
    }, 0);
  }

  // A box {x, y, width, height} multiplied by scale (decoded pixels <-> the picture's own), in whole pixels.
  function scaled(box, scale) {
    return {
      x: Math.round(box.x * scale),
      y: Math.round(box.y * scale),
      width: Math.round(box.width * scale),
      height: Math.round(box.height * scale),
    };
  }

  // The smallest box holding all the boxes.
  function union(boxes) {
    const left = Math.min.apply(
      null,
      boxes.map((box) => box.x),
    );
    const top = Math.min.apply(
      null,
      boxes.map((box) => box.y),
    );
    const right = Math.max.apply(
      null,
      boxes.map((box) => box.x + box.width),
    );
    const bottom = Math.max.apply(
      null,
      boxes.map((box) => box.y + box.height),
    );
    return { x: left, y: top, width: right - left, height: bottom - top };
  }

  // The page contract's reading (docs/architecture.md): the digits found, read by the model, and the
  // digit or number they make, or the reason there is none. options.box is in the picture's own pixels.
  async function read(source, options) {
    await ready;
    // options.signal: a newer picture for the same operand aborts this reading's decode (issue 15).
    const rgba = await root.snapmathDecode.toRgba(source, config.limits, { signal: options && options.signal });
    const scale = (rgba.sourceSide || Math.max(rgba.width, rgba.height)) / Math.max(rgba.width, rgba.height);
    const box = options && options.box ? scaled(options.box, 1 / scale) : null;
    const prepared = root.snapmathPreprocess.preprocess(rgba, config.preprocess, box);
    const outputs = root.snapmathModel.read(
      model,
      prepared.digits.map(function (digit) {
        return digit.input;
      }),
    );
    const digits = prepared.digits.map(function (digit, index) {
      const probabilities = outputs[index].probabilities;
      const best = argmax(probabilities);
      return {
        digit: best,
        confidence: probabilities[best],
        probabilities: probabilities,
        box: scaled(digit.box, scale),
        notDigit: outputs[index].notDigit,
      };
    });
    const refused = digits.some(function (digit) {
      return digit.notDigit >= config.notDigitThreshold;
    });
    const reason = prepared.reason || (refused ? NOT_A_DIGIT : null);
    const single = digits.length === 1 && reason === null ? digits[0] : null;
    return {
      digit: single ? single.digit : null,
      confidence: single ? single.confidence : 0,
      probabilities: single ? single.probabilities : new Array(10).fill(0),
      input: single ? Array.from(prepared.digits[0].input) : new Array(784).fill(0),
      box: digits.length ? union(digits.map((digit) => digit.box)) : null,
      number: digits.length && reason === null ? Number(digits.map((digit) => digit.digit).join("")) : null,
      digits: digits,
      notDigit: Math.max.apply(null, [0].concat(digits.map((digit) => digit.notDigit))),
      reason: reason,
    };
  }

  root.snapmath = {
    ready: ready,
    version: config.version,
    recognize: function (source, options) {
      return read(source, options);
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
