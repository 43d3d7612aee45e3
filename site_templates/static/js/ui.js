// snapmath ui: everything that touches the DOM. It turns what a person does (draw, choose,
// drop, paste, type, click) into callbacks, and shows what it is given. It receives only plain
// numbers, arrays and strings, never tensors.
(function (root) {
  "use strict";

  const DIGIT_KEYS = /^[0-9]$/;
  const OPERATOR_KEYS = { "+": "add", "-": "sub", "\u2212": "sub", "*": "mul", x: "mul", "\u00d7": "mul", "/": "div", "\u00f7": "div" };
  const ALTERNATIVES_SHOWN = 3;
  const MODEL_SIDE = 28;
  const PAD_BACKGROUND = "#ffffff";
  const PAD_INK = "#1b1f24";
  const PAD_LINE_WIDTH = 20; // in canvas pixels of a 280 px pad: about MNIST's stroke width
  const DRAWING_SETTLE_MS = 350; // wait for the next stroke of a 4 or a 7 before reading

  function byId(id) {
    return document.getElementById(id);
  }

  function percent(fraction) {
    const value = Math.round(fraction * 100);
    return value < 1 && fraction > 0 ? "<1%" : value + "%";
  }

  function isTextField(element) {
    return element instanceof HTMLElement && element.matches("input:not([type=file]), textarea, select, [contenteditable]");
  }

  // ---- Drawing pad: strokes of pointer positions, redrawn from scratch on undo. ----------

  function createPad(canvas, onStrokesChanged) {
    const context = canvas.getContext("2d");
    const strokes = [];
    let activePointer = null;

    function canvasPoint(event) {
      const box = canvas.getBoundingClientRect();
      return {
        x: ((event.clientX - box.left) * canvas.width) / box.width,
        y: ((event.clientY - box.top) * canvas.height) / box.height,
      };
    }

    function drawStroke(points) {
      context.beginPath();
      context.moveTo(points[0].x, points[0].y);
      // A single point still draws a round dot (a lineTo to itself with round caps).
      points.forEach(function (point) {
        context.lineTo(point.x, point.y);
      });
      context.stroke();
    }

    function redraw() {
      context.fillStyle = PAD_BACKGROUND;
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.strokeStyle = PAD_INK;
      context.lineWidth = PAD_LINE_WIDTH;
      context.lineCap = "round";
      context.lineJoin = "round";
      strokes.forEach(drawStroke);
    }

    canvas.addEventListener("pointerdown", function (event) {
      if (activePointer !== null || (event.pointerType === "mouse" && event.button !== 0)) {
        return;
      }
      event.preventDefault();
      activePointer = event.pointerId;
      canvas.setPointerCapture(event.pointerId);
      strokes.push([canvasPoint(event)]);
      redraw();
      onStrokesChanged("drawing");
    });

    canvas.addEventListener("pointermove", function (event) {
      if (event.pointerId !== activePointer) {
        return;
      }
      const stroke = strokes[strokes.length - 1];
      const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
      (events.length ? events : [event]).forEach(function (each) {
        stroke.push(canvasPoint(each));
      });
      drawStroke(stroke.slice(-events.length - 1));
    });

    function endStroke(event) {
      if (event.pointerId !== activePointer) {
        return;
      }
      activePointer = null;
      onStrokesChanged("stroke-ended");
    }
    canvas.addEventListener("pointerup", endStroke);
    canvas.addEventListener("pointercancel", endStroke);

    redraw();
    return {
      hasStrokes: function () {
        return strokes.length > 0;
      },
      undo: function () {
        strokes.pop();
        redraw();
      },
      clear: function () {
        strokes.length = 0;
        redraw();
      },
    };
  }

  // ---- One operand: inputs in, reading shown. -----------------------------------------

  function createOperand(id, callbacks) {
    const prefix = "operand-" + id;
    const section = byId(prefix);
    const parts = {
      canvas: byId(prefix + "-canvas"),
      hint: byId(prefix + "-hint"),
      undo: byId(prefix + "-undo"),
      clear: byId(prefix + "-clear"),
      file: byId(prefix + "-file"),
      camera: byId(prefix + "-camera"),
      message: byId(prefix + "-message"),
      thumbnail: byId(prefix + "-thumbnail"),
      thumbnailEmpty: byId(prefix + "-thumbnail-empty"),
      modelInput: byId(prefix + "-model-input"),
      digit: byId(prefix + "-digit"),
      confidence: byId(prefix + "-confidence"),
      flag: byId(prefix + "-flag"),
      alternatives: byId(prefix + "-alternatives"),
      alternativesLabel: byId(prefix + "-alternatives-label"),
      alternativesList: section.querySelector(".alternatives-list"),
    };
    let thumbnailUrl = null;
    let settleTimer = null;
    let hasInput = false;

    function setState(state) {
      section.dataset.state = state;
    }

    function setHasInput(value) {
      hasInput = value;
      parts.clear.disabled = !value;
      parts.undo.disabled = !pad.hasStrokes();
      parts.hint.hidden = pad.hasStrokes();
    }

    function showThumbnail(url) {
      if (thumbnailUrl && thumbnailUrl.startsWith("blob:")) {
        URL.revokeObjectURL(thumbnailUrl);
      }
      thumbnailUrl = url;
      parts.thumbnail.hidden = url === null;
      parts.thumbnailEmpty.hidden = url !== null;
      if (url === null) {
        parts.thumbnail.removeAttribute("src");
      } else {
        parts.thumbnail.src = url;
      }
    }

    function showModelInput(pixels) {
      const context = parts.modelInput.getContext("2d");
      const image = context.createImageData(MODEL_SIDE, MODEL_SIDE);
      for (let i = 0; i < MODEL_SIDE * MODEL_SIDE; i += 1) {
        const level = pixels ? Math.round(Math.min(1, Math.max(0, pixels[i])) * 255) : 0;
        image.data[4 * i] = level;
        image.data[4 * i + 1] = level;
        image.data[4 * i + 2] = level;
        image.data[4 * i + 3] = 255;
      }
      context.putImageData(image, 0, 0);
    }

    function showMessage(text) {
      parts.message.textContent = text || "";
      parts.message.hidden = !text;
    }

    function alternativeButton(candidate, probability) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button alternative";
      button.dataset.digit = String(candidate);
      const digitText = document.createElement("span");
      digitText.className = "alternative-digit";
      digitText.textContent = String(candidate);
      button.append(digitText);
      if (probability !== null) {
        button.setAttribute("aria-label", "Use " + candidate + " (" + percent(probability) + " likely)");
        const probabilityText = document.createElement("span");
        probabilityText.className = "alternative-probability";
        probabilityText.textContent = percent(probability);
        button.append(probabilityText);
      } else {
        button.setAttribute("aria-label", "Use " + candidate);
      }
      return button;
    }

    // The model's next best guesses; with no digit found, every digit (touch screens have no keys).
    function showAlternatives(digit, probabilities, noDigitFound) {
      parts.alternativesList.replaceChildren();
      if (noDigitFound) {
        parts.alternativesLabel.textContent = "Is there a digit? Pick it, or type it:";
        for (let candidate = 0; candidate <= 9; candidate += 1) {
          parts.alternativesList.append(alternativeButton(candidate, null));
        }
        parts.alternatives.hidden = false;
        return;
      }
      if (!probabilities) {
        parts.alternatives.hidden = true;
        return;
      }
      parts.alternativesLabel.textContent = "Not right? Pick the digit, or type it:";
      probabilities
        .map(function (probability, candidate) {
          return { candidate: candidate, probability: probability };
        })
        .filter(function (entry) {
          return entry.candidate !== digit;
        })
        .sort(function (left, right) {
          return right.probability - left.probability;
        })
        .slice(0, ALTERNATIVES_SHOWN)
        .forEach(function (entry) {
          parts.alternativesList.append(alternativeButton(entry.candidate, entry.probability));
        });
      parts.alternatives.hidden = false;
    }

    function clearReading() {
      parts.digit.textContent = "";
      parts.confidence.textContent = "";
      parts.flag.hidden = true;
      showAlternatives(null, null);
      showModelInput(null);
    }

    function submit(source, thumbnail) {
      window.clearTimeout(settleTimer);
      showMessage(null);
      showThumbnail(thumbnail);
      setHasInput(true);
      callbacks.onInput(id, source);
    }

    // A new picture replaces whatever was drawn.
    function submitFile(file) {
      if (!file) {
        return;
      }
      pad.clear();
      submit(file, URL.createObjectURL(file));
    }

    function submitDrawing() {
      submit(parts.canvas, parts.canvas.toDataURL("image/png"));
    }

    function reset() {
      window.clearTimeout(settleTimer);
      pad.clear();
      showThumbnail(null);
      showMessage(null);
      clearReading();
      setHasInput(false);
      setState("empty");
      callbacks.onCleared(id);
    }

    // data-state says "busy" from the end of a stroke until its reading is shown, so anyone
    // waiting for the reading (a person, a test) never sees the previous one as current.
    const pad = createPad(parts.canvas, function (change) {
      window.clearTimeout(settleTimer);
      setHasInput(true);
      setState(change === "stroke-ended" ? "busy" : "drawing");
      if (change === "stroke-ended") {
        settleTimer = window.setTimeout(submitDrawing, DRAWING_SETTLE_MS);
      }
    });

    parts.undo.addEventListener("click", function () {
      pad.undo();
      if (pad.hasStrokes()) {
        submitDrawing();
      } else {
        reset();
      }
    });
    parts.clear.addEventListener("click", reset);

    [parts.file, parts.camera].forEach(function (input) {
      input.addEventListener("change", function () {
        submitFile(input.files[0]);
        input.value = ""; // so choosing the same file again still counts as a change
      });
    });

    section.addEventListener("dragover", function (event) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      section.classList.add("is-drop-target");
    });
    section.addEventListener("dragleave", function (event) {
      if (!section.contains(event.relatedTarget)) {
        section.classList.remove("is-drop-target");
      }
    });
    section.addEventListener("drop", function (event) {
      event.preventDefault();
      section.classList.remove("is-drop-target");
      const file = event.dataTransfer.files[0];
      if (file) {
        submitFile(file);
      } else {
        showMessage("Only image files can be dropped here; save the picture first, then drop the file.");
      }
    });

    section.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || isTextField(event.target)) {
        return;
      }
      if (DIGIT_KEYS.test(event.key)) {
        event.preventDefault();
        event.stopPropagation();
        showMessage(null);
        setHasInput(true);
        callbacks.onCorrect(id, Number(event.key));
      }
    });

    parts.alternativesList.addEventListener("click", function (event) {
      const button = event.target.closest("button[data-digit]");
      if (button) {
        callbacks.onCorrect(id, Number(button.dataset.digit));
        section.focus();
      }
    });

    // A file the browser cannot show (corrupt, or not an image) leaves the "no picture" box.
    parts.thumbnail.addEventListener("error", function () {
      showThumbnail(null);
    });

    clearReading();

    return {
      section: section,
      submitFile: submitFile,
      showMessage: showMessage,
      hasInput: function () {
        return hasInput;
      },
      showBusy: function (text) {
        setState("busy");
        clearReading();
        parts.confidence.textContent = text;
      },
      // reading: {digit, confidence, probabilities, input, reason, low, corrected}
      showReading: function (reading) {
        showMessage(null);
        parts.digit.textContent = reading.digit === null ? "" : String(reading.digit);
        if (reading.digit === null) {
          setState("no-digit");
          parts.confidence.textContent = reading.reason || "No digit found";
        } else if (reading.corrected) {
          setState("corrected");
          parts.confidence.textContent = "Set by you";
        } else {
          setState(reading.low ? "low" : "read");
          parts.confidence.textContent = percent(reading.confidence) + " sure";
        }
        parts.flag.hidden = !(reading.low && !reading.corrected && reading.digit !== null);
        showAlternatives(reading.digit, reading.probabilities, reading.digit === null);
        showModelInput(reading.input);
      },
      showError: function (text) {
        setState("error");
        showThumbnail(null);
        clearReading();
        showMessage(text);
      },
    };
  }

  // ---- The page: status, operands, operators, answer. ----------------------------------

  // callbacks: onInput(id, source), onCorrect(id, digit), onCleared(id), onOperator(op), onEquals()
  function create(callbacks) {
    const operands = { a: createOperand("a", callbacks), b: createOperand("b", callbacks) };
    const operatorButtons = Array.from(document.querySelectorAll(".operator"));
    const equals = byId("equals");
    const answer = {
      section: document.querySelector(".answer"),
      expression: byId("expression"),
      result: byId("result"),
      flag: byId("answer-flag"),
      flagText: byId("answer-flag-text"),
    };
    const status = {
      box: byId("status-box"),
      text: byId("status"),
      progress: byId("status-progress"),
    };

    operatorButtons.forEach(function (button, index) {
      button.addEventListener("click", function () {
        callbacks.onOperator(button.dataset.op);
      });
      // Arrow keys move along the group, as in a toolbar.
      button.addEventListener("keydown", function (event) {
        const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
        if (step) {
          event.preventDefault();
          operatorButtons[(index + step + operatorButtons.length) % operatorButtons.length].focus();
        }
      });
    });
    equals.addEventListener("click", function () {
      callbacks.onEquals();
    });

    // Keyboard calculator: + − × ÷ pick the operator, = or Enter calculates, anywhere but in a field.
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || isTextField(event.target)) {
        return;
      }
      const op = OPERATOR_KEYS[event.key];
      const onButton = event.target instanceof HTMLElement && event.target.matches("button, a, input, label");
      if (op) {
        event.preventDefault();
        callbacks.onOperator(op);
      } else if (event.key === "=" || (event.key === "Enter" && !onButton)) {
        event.preventDefault();
        callbacks.onEquals();
      }
    });

    // Paste goes to the focused operand; with none focused, to the first one still empty.
    document.addEventListener("paste", function (event) {
      if (isTextField(event.target)) {
        return;
      }
      const focused =
        (event.target instanceof Element && event.target.closest(".operand")) ||
        (document.activeElement && document.activeElement.closest(".operand"));
      const operand = focused ? operands[focused.dataset.operand] : operands.a.hasInput() ? operands.b : operands.a;
      const files = Array.from((event.clipboardData && event.clipboardData.files) || []);
      const image = files.find(function (file) {
        return file.type.startsWith("image/");
      });
      event.preventDefault();
      if (image) {
        operand.submitFile(image);
      } else {
        operand.showMessage("The clipboard holds no image. Copy a picture (not its address), then paste again.");
      }
    });

    // A file dropped beside an operand must not replace the page.
    document.addEventListener("dragover", function (event) {
      event.preventDefault();
    });
    document.addEventListener("drop", function (event) {
      event.preventDefault();
    });

    return {
      operands: operands,

      // state: "loading" | "ready" | "error"; progress 0..1 while loading.
      setStatus: function (state, text, progress) {
        status.box.dataset.state = state;
        status.text.textContent = text;
        status.progress.hidden = state !== "loading";
        if (typeof progress === "number") {
          status.progress.value = Math.round(progress * 100);
        }
      },

      setOperator: function (op) {
        operatorButtons.forEach(function (button) {
          button.setAttribute("aria-pressed", String(button.dataset.op === op));
        });
      },

      // shown: {state: "answer" | "error" | "waiting", expression, text, flag}
      showAnswer: function (shown) {
        answer.section.dataset.state = shown.state;
        answer.expression.textContent = shown.expression ? shown.expression + " =" : "";
        answer.result.textContent = shown.text;
        answer.flag.hidden = !shown.flag;
        answer.flagText.textContent = shown.flag || "";
      },
    };
  }

  root.snapmathUi = { create: create };
})(window);
