// snapmath main: wiring. Loads the model, connects the page (ui.js) to recognition
// (decode.js, preprocess.js, model.js) and to the arithmetic, and defines window.snapmath,
// the page contract of DESIGN.md that tests and automation use.
(function (root) {
  "use strict";

  const tf = root.tf;
  const config = JSON.parse(document.getElementById("snapmath-config").textContent);
  const NAMES = { a: "first", b: "second" };
  const ui = root.snapmathUi.create({
    onInput: readOperand,
    onCorrect: correctOperand,
    onCleared: clearOperand,
    onOperator: chooseOperator,
    onEquals: calculate,
  });

  // ---- The model and the page contract. ------------------------------------------------

  let model = null;
  const ready = root.snapmathModel
    .load(tf, config, function (fraction) {
      ui.setStatus("loading", "Loading the recognition model… " + Math.round(fraction * 100) + "%", fraction);
    })
    .then(function (loaded) {
      model = loaded;
      ui.setStatus("ready", "Ready. Give two digits, pick an operator, press =.");
    });
  ready.catch(function (error) {
    ui.setStatus("error", error.message + " Reload the page to try again; typed digits still work.");
  });

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

  // ---- The calculator: two operands, an operator, and the answer once = was pressed. ----

  const operands = { a: null, b: null }; // reading, {busy: true}, or null when empty/refused
  const latestRequest = { a: 0, b: 0 }; // a slow reading must not overwrite a newer input
  let operator = null;
  let answerRequested = false;

  async function readOperand(id, source) {
    const request = ++latestRequest[id];
    operands[id] = { busy: true };
    ui.operands[id].showBusy(model ? "Reading…" : "Waiting for the model…");
    refreshAnswer();
    try {
      const reading = await read(source);
      if (request !== latestRequest[id]) {
        return;
      }
      reading.low = reading.digit !== null && reading.confidence < config.lowConfidence;
      reading.corrected = false;
      operands[id] = reading;
      ui.operands[id].showReading(reading);
    } catch (error) {
      if (request !== latestRequest[id]) {
        return;
      }
      operands[id] = null;
      ui.operands[id].showError(
        model === null
          ? "Pictures cannot be read because the recognition model did not load. Type the digit instead."
          : error.message || "This picture could not be read."
      );
    }
    refreshAnswer();
  }

  // A digit picked from the alternatives or typed: the person's word beats the model's.
  function correctOperand(id, digit) {
    latestRequest[id] += 1;
    const previous = operands[id] && !operands[id].busy ? operands[id] : {};
    operands[id] = {
      digit: digit,
      confidence: 1,
      probabilities: previous.probabilities || null,
      input: previous.input || null,
      reason: null,
      low: false,
      corrected: true,
    };
    ui.operands[id].showReading(operands[id]);
    refreshAnswer();
  }

  function clearOperand(id) {
    latestRequest[id] += 1;
    operands[id] = null;
    refreshAnswer();
  }

  function chooseOperator(op) {
    operator = op;
    ui.setOperator(op);
    refreshAnswer();
  }

  function calculate() {
    answerRequested = true;
    refreshAnswer();
  }

  // What the answer area says for the current operands and operator.
  function currentAnswer() {
    for (const id of ["a", "b"]) {
      const operand = operands[id];
      if (operand === null) {
        return { state: "waiting", text: "Give the " + NAMES[id] + " digit" };
      }
      if (operand.busy) {
        return { state: "waiting", text: "Reading the " + NAMES[id] + " picture…" };
      }
      if (operand.digit === null) {
        return { state: "no-digit", text: "No digit found in the " + NAMES[id] + " picture" };
      }
    }
    if (operator === null) {
      return { state: "waiting", text: "Pick + \u2212 \u00d7 or \u00f7" };
    }
    const a = operands.a.digit;
    const b = operands.b.digit;
    const result = root.snapmathArithmetic.compute(a, operator, b);
    const unsure = ["a", "b"]
      .filter(function (id) {
        return operands[id].low;
      })
      .map(function (id) {
        return NAMES[id];
      });
    return {
      state: result.error ? "error" : "answer",
      expression: root.snapmathArithmetic.expression(a, operator, b),
      text: result.text,
      flag: unsure.length ? "Low confidence in the " + unsure.join(" and ") + " digit: check it, or pick the right one." : null,
    };
  }

  function refreshAnswer() {
    if (answerRequested) {
      ui.showAnswer(currentAnswer());
    }
  }
})(window);
