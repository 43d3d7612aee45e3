// snapmath app: the calculator's wiring, live before the recognition runtime has loaded.
// It connects the page (ui.js) to the calculator's rules (calculator.js) and to recognition,
// which main.js plugs in with snapmathApp.connect(recognize) once its scripts have run. A picture
// given before then waits in a queue and is read when recognition arrives.
(function (root) {
  "use strict";

  const config = JSON.parse(document.getElementById("snapmath-config").textContent);
  const calc = root.snapmathCalculator;
  const options = {
    lowConfidence: config.lowConfidence,
    notDigitThreshold: typeof config.notDigitThreshold === "number" ? config.notDigitThreshold : 0.5,
  };
  const MODEL_FAILED =
    "Pictures can\u2019t be read because the recognition model did not load. Type or pick the digits instead.";

  let state = calc.initial();
  let recognize = null; // (source, options) -> Promise<reading>, from main.js
  let modelFailed = false;
  const latestRequest = { a: 0, b: 0 }; // a slow reading must not overwrite a newer input
  const decoding = { a: null, b: null }; // AbortController of each operand's reading: a newer picture stops it
  const waiting = { a: null, b: null }; // inputs given before recognition was connected

  const ui = root.snapmathUi.create({
    onPicture: read,
    onDrawing: read,
    onPick: function (id, index, digit) {
      latestRequest[id] += 1;
      waiting[id] = null;
      update(calc.pick(state, id, index, digit), id);
    },
    onType: function (id, digit) {
      latestRequest[id] += 1;
      waiting[id] = null;
      update(calc.type(state, id, digit), id);
    },
    onBackspace: function (id) {
      latestRequest[id] += 1;
      waiting[id] = null;
      update(calc.backspace(state, id), id);
    },
    onClear: function (id) {
      latestRequest[id] += 1;
      waiting[id] = null;
      update(calc.cleared(state, id), id);
    },
    onCleared: function (id) {
      latestRequest[id] += 1;
      waiting[id] = null;
      state = calc.cleared(state, id);
      refreshAnswer();
    },
    onOperator: function (op) {
      state = calc.chooseOperator(state, op);
      ui.setOperator(op);
      refreshAnswer();
    },
    onEquals: function () {
      state = calc.equals(state);
      refreshAnswer();
    },
    keyTarget: function () {
      return calc.keyTarget(state);
    },
  });
  ui.setStatus("loading", "Loading the recognition model\u2026 You can already give the numbers.", null);

  // The boxes to draw on the picture: one per digit of a number, else the one box read.
  function boxesOf(reading) {
    if (!reading) return [];
    const perDigit = (reading.digits || [])
      .map(function (each) {
        return each.box;
      })
      .filter(Boolean);
    if (perDigit.length > 1) return perDigit;
    return reading.box ? [reading.box] : perDigit;
  }

  // Shows operand `id` as the state holds it; `reading` adds what only the model knows.
  function showOperand(id, reading) {
    const operand = state.operands[id];
    const view = ui.operands[id];
    if (operand === null) {
      view.reset();
      return;
    }
    if (operand.kind === "busy" || operand.kind === "error") {
      return;
    }
    view.show({
      status: calc.status(operand, options.lowConfidence),
      digits: operand.kind === "digits" ? operand.digits : [],
      reason: operand.reason || null,
      notADigit: Boolean(operand.notADigit),
      probabilities: operand.probabilities || null,
      box: reading ? reading.box || null : null,
      boxes: boxesOf(reading),
      input: reading ? reading.input : undefined,
    });
  }

  function update(newState, id) {
    state = newState;
    showOperand(id, null);
    refreshAnswer();
  }

  function read(id, source, readOptions) {
    const request = ++latestRequest[id];
    state = calc.busy(state, id);
    ui.operands[id].showBusy(recognize ? "Reading\u2026" : "Waiting for the model to load\u2026");
    refreshAnswer();
    if (recognize === null) {
      waiting[id] = { request: request, source: source, options: readOptions };
      return;
    }
    run(id, request, source, readOptions);
  }

  async function run(id, request, source, readOptions) {
    if (decoding[id]) decoding[id].abort(); // its answer would be dropped: do not spend memory decoding it
    const controller = new AbortController();
    decoding[id] = controller;
    try {
      const reading = await recognize(source, Object.assign({}, readOptions, { signal: controller.signal }));
      if (request !== latestRequest[id]) {
        return;
      }
      state = calc.reading(state, id, reading, options);
      showOperand(id, reading);
    } catch (error) {
      if (request !== latestRequest[id]) {
        return;
      }
      state = calc.failed(state, id, error.message);
      ui.operands[id].showError(modelFailed ? MODEL_FAILED : error.message || "This picture could not be read.");
    }
    refreshAnswer();
  }

  function refreshAnswer() {
    const shown = calc.answer(state, { lowConfidence: options.lowConfidence, arithmetic: root.snapmathArithmetic });
    if (shown !== null) {
      ui.showAnswer(shown);
    }
  }

  function failed(error) {
    modelFailed = true;
    ui.setStatus(
      "error",
      "The recognition model could not load, so pictures can\u2019t be read. Typed and picked digits still work; reload the page to try again.",
      null,
      error && error.message ? error.message : String(error),
    );
  }

  // If the recognition scripts never arrive (blocked, or a broken copy of the site), say so.
  window.addEventListener("load", function () {
    if (!root.snapmath && !modelFailed) {
      failed(new Error("The page's recognition scripts did not run."));
    }
  });

  root.snapmathApp = {
    // recognize(source, options?) -> Promise<reading> (the page contract); reads what waited.
    connect: function (recognizeFunction) {
      recognize = recognizeFunction;
      ["a", "b"].forEach(function (id) {
        const queued = waiting[id];
        waiting[id] = null;
        if (queued && queued.request === latestRequest[id]) {
          ui.operands[id].showBusy("Reading\u2026");
          run(id, queued.request, queued.source, queued.options);
        }
      });
    },
    loading: function (fraction) {
      ui.setStatus("loading", "Loading the recognition model\u2026 " + Math.round(fraction * 100) + "%", fraction);
    },
    ready: function () {
      ui.setStatus("ready", "Ready. Give two numbers, pick an operator, press =.", null);
    },
    failed: failed,
  };
})(window);
