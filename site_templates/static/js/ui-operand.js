// snapmath operand view: one operand's area on the page. Its stage shows either the drawing
// pad or the person's picture (with the boxes that were read), switched explicitly; beside it
// the reading, the 0-9 picker with the model's probabilities as bars, and the tools.
// It hands what a person gives to its callbacks and shows what it is given (plain data only).
(function (root) {
  "use strict";

  const MODEL_SIDE = 28;
  const DRAWING_SETTLE_MS = 350; // wait for the next stroke of a 4 or a 7 before reading
  const NOT_A_DIGIT = "This doesn\u2019t look like a digit.";
  const NO_DIGIT = "No digit found.";

  function byId(id) {
    return document.getElementById(id);
  }

  function percent(fraction) {
    const value = Math.round(fraction * 100);
    if (value < 1 && fraction > 0) return "under 1%";
    if (value > 99 && fraction < 1) return "over 99%";
    return value + "%";
  }

  function blobFromDataUrl(url, name) {
    const comma = url.indexOf(",");
    const type = url.slice(5, url.indexOf(";"));
    const bytes = Uint8Array.from(atob(url.slice(comma + 1)), function (character) {
      return character.charCodeAt(0);
    });
    return new File([bytes], name, { type: type });
  }

  // callbacks: onPicture(id, source, options), onDrawing(id, canvas), onPick(id, index, digit), onCleared(id)
  function create(id, callbacks) {
    const prefix = "operand-" + id;
    const section = byId(prefix);
    const parts = {
      pad: byId(prefix + "-pad"),
      canvas: byId(prefix + "-canvas"),
      hint: byId(prefix + "-hint"),
      arm: byId(prefix + "-arm"),
      picture: byId(prefix + "-picture"),
      frame: byId(prefix + "-frame"),
      image: byId(prefix + "-image"),
      undo: byId(prefix + "-undo"),
      clear: byId(prefix + "-clear"),
      switchView: byId(prefix + "-switch"),
      select: byId(prefix + "-select"),
      selectApply: byId(prefix + "-select-apply"),
      selectCancel: byId(prefix + "-select-cancel"),
      selectionHelp: byId(prefix + "-selection-help"),
      file: byId(prefix + "-file"),
      camera: byId(prefix + "-camera"),
      message: byId(prefix + "-message"),
      digit: byId(prefix + "-digit"),
      confidence: byId(prefix + "-confidence"),
      flag: byId(prefix + "-flag"),
      flagText: byId(prefix + "-flag-text"),
      correctionLabel: byId(prefix + "-correction-label"),
      places: byId(prefix + "-places"),
      picker: byId(prefix + "-picker"),
      modelView: byId(prefix + "-model-view"),
      modelInput: byId(prefix + "-model-input"),
    };
    const pickButtons = Array.from(parts.picker.querySelectorAll("button[data-digit]"));
    let source = null; // the picture being read (File or Blob), null for a drawing or nothing
    let boxOptions = null; // the person's box on that picture, if they chose one
    let settleTimer = null;
    let place = 0; // which digit of a number the picker corrects
    let shown = null; // the last display given to show()

    const picture = root.snapmathPicture.create(
      {
        frame: parts.frame,
        image: parts.image,
        boxes: byId(prefix + "-boxes"),
        selection: byId(prefix + "-selection"),
        handle: byId(prefix + "-box-handle"),
        handleText: byId(prefix + "-box-text"),
      },
      {
        onBox: function (box) {
          stopSelecting();
          boxOptions = { box: box };
          readPicture();
        },
        onCancel: stopSelecting,
      },
    );

    const pad = root.snapmathPad.create(parts.canvas, {
      onStroke: function (change) {
        window.clearTimeout(settleTimer);
        section.dataset.state = change === "stroke-ended" ? "busy" : "drawing";
        refreshTools();
        if (change === "stroke-ended") {
          // data-state says "busy" from the end of a stroke until its reading is shown, so anyone
          // waiting for the reading (a person, a test) never sees the previous one as current.
          settleTimer = window.setTimeout(function () {
            showMessage(null);
            callbacks.onDrawing(id, parts.canvas);
          }, DRAWING_SETTLE_MS);
        }
      },
    });

    function refreshTools() {
      const view = section.dataset.view;
      const hasPicture = picture.hasPicture();
      const selecting = picture.isSelecting();
      parts.hint.hidden = pad.hasStrokes();
      parts.undo.disabled = !pad.hasStrokes();
      parts.undo.hidden = view !== "pad" || selecting;
      parts.clear.disabled = section.dataset.state === "empty" && !pad.hasStrokes() && !hasPicture;
      parts.switchView.hidden = !hasPicture || selecting;
      parts.switchView.textContent = view === "picture" ? "Draw instead" : "Back to picture";
      parts.select.hidden = view !== "picture" || selecting;
      parts.selectApply.hidden = !selecting;
      parts.selectCancel.hidden = !selecting;
      parts.selectionHelp.hidden = !selecting;
    }

    function setView(view) {
      section.dataset.view = view;
      parts.pad.hidden = view !== "pad";
      parts.picture.hidden = view !== "picture";
      refreshTools();
    }

    function setArmed(armed) {
      pad.setArmed(armed);
      parts.pad.classList.toggle("is-armed", armed);
      parts.arm.hidden = armed;
    }

    function showMessage(text, kind) {
      parts.message.textContent = text || "";
      parts.message.hidden = !text;
      parts.message.classList.toggle("is-refusal", kind === "file");
    }

    function showModelInput(pixels) {
      const hasInk =
        Array.isArray(pixels) || ArrayBuffer.isView(pixels)
          ? Array.prototype.some.call(pixels, function (value) {
              return value > 0;
            })
          : false;
      parts.modelView.hidden = !hasInk;
      if (!hasInk) {
        return;
      }
      const context = parts.modelInput.getContext("2d");
      const image = context.createImageData(MODEL_SIDE, MODEL_SIDE);
      for (let i = 0; i < MODEL_SIDE * MODEL_SIDE; i += 1) {
        const level = Math.round(Math.min(1, Math.max(0, pixels[i])) * 255);
        image.data[4 * i] = level;
        image.data[4 * i + 1] = level;
        image.data[4 * i + 2] = level;
        image.data[4 * i + 3] = 255;
      }
      context.putImageData(image, 0, 0);
    }

    // The picker doubles as the bar chart of the model's ten probabilities for one digit.
    function showPicker(current, probabilities) {
      pickButtons.forEach(function (button, digit) {
        const probability = probabilities ? probabilities[digit] || 0 : null;
        button.setAttribute("aria-pressed", String(digit === current));
        button.querySelector(".pick-fill").style.width =
          probability === null ? "0" : Math.round(probability * 100) + "%";
        button.querySelector(".pick-share").textContent =
          probability === null ? "" : ", " + percent(probability) + " likely";
      });
    }

    function showPlaces(digits) {
      parts.places.replaceChildren();
      parts.places.hidden = digits.length < 2;
      if (digits.length < 2) {
        return;
      }
      digits.forEach(function (each, index) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "place";
        button.dataset.place = String(index);
        button.dataset.testid = prefix + "-place-" + index;
        button.setAttribute("aria-pressed", String(index === place));
        button.textContent = String(each.digit);
        const hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = ", digit " + (index + 1) + " of " + digits.length;
        button.append(hidden);
        parts.places.append(button);
      });
    }

    function clearReading() {
      parts.digit.textContent = "";
      parts.confidence.textContent = "";
      parts.flag.hidden = true;
      parts.places.hidden = true;
      parts.correctionLabel.textContent = "Or pick the digit:";
      showPicker(null, null);
      showModelInput(null);
    }

    // Choosing a box ends: the keyboard focus, if it was on the box, goes back to "Box the digit".
    function stopSelecting() {
      const hadFocus = parts.frame.contains(document.activeElement);
      picture.stopSelecting();
      refreshTools();
      if (hadFocus && !parts.select.hidden) {
        parts.select.focus();
      }
    }

    function readPicture() {
      window.clearTimeout(settleTimer);
      showMessage(null);
      section.dataset.state = "busy";
      callbacks.onPicture(id, source, boxOptions || undefined);
    }

    // A new picture replaces whatever was drawn, and shows in place of the pad.
    function submitFile(file) {
      if (!file) {
        return;
      }
      pad.clear();
      stopSelecting();
      source = file;
      boxOptions = null;
      place = 0;
      picture.show(URL.createObjectURL(file));
      setView("picture");
      readPicture();
    }

    function reset() {
      window.clearTimeout(settleTimer);
      pad.clear();
      stopSelecting();
      picture.show(null);
      source = null;
      boxOptions = null;
      place = 0;
      shown = null;
      showMessage(null);
      clearReading();
      section.dataset.state = "empty";
      setView("pad");
    }

    parts.arm.addEventListener("click", function () {
      setArmed(true);
    });

    parts.undo.addEventListener("click", function () {
      pad.undo();
      if (pad.hasStrokes()) {
        section.dataset.state = "busy";
        callbacks.onDrawing(id, parts.canvas);
      } else if (picture.hasPicture()) {
        setView("picture"); // the accidental stroke is gone: back to the picture and its reading
        readPicture();
      } else {
        reset();
        callbacks.onCleared(id);
      }
      refreshTools();
    });

    parts.clear.addEventListener("click", function () {
      reset();
      callbacks.onCleared(id);
      section.focus(); // the Clear button is now disabled: keep the focus in this operand
    });

    parts.switchView.addEventListener("click", function () {
      if (section.dataset.view === "picture") {
        setView("pad");
      } else {
        pad.clear();
        setView("picture");
        readPicture();
      }
    });

    parts.select.addEventListener("click", function () {
      picture.startSelecting(shown && shown.box ? shown.box : null);
      refreshTools();
    });
    parts.selectApply.addEventListener("click", function () {
      const box = picture.selectionInPixels();
      stopSelecting();
      if (box) {
        boxOptions = { box: box };
        readPicture();
      }
    });
    parts.selectCancel.addEventListener("click", stopSelecting);

    [parts.file, parts.camera].forEach(function (input) {
      input.addEventListener("change", function () {
        submitFile(input.files[0]);
        input.value = ""; // so choosing the same file again still counts as a change
      });
    });

    section.querySelectorAll("button[data-example]").forEach(function (button) {
      button.addEventListener("click", function () {
        const image = button.querySelector("img");
        submitFile(blobFromDataUrl(image.getAttribute("src"), "example-" + button.dataset.example + ".png"));
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
        showMessage("Only image files can be dropped here; save the picture first, then drop the file.", "note");
      }
    });

    parts.picker.addEventListener("click", function (event) {
      const button = event.target.closest("button[data-digit]");
      if (button) {
        callbacks.onPick(id, place, Number(button.dataset.digit));
      }
    });
    parts.places.addEventListener("click", function (event) {
      const button = event.target.closest("button[data-place]");
      if (button && shown) {
        place = Number(button.dataset.place);
        show(shown);
        const again = parts.places.querySelector('[data-place="' + place + '"]');
        if (again) again.focus();
      }
    });

    // A file the browser cannot show (corrupt, or not an image): the reading says why.
    parts.image.addEventListener("error", function () {
      parts.image.removeAttribute("src");
    });

    // display: {status, digits: [{digit, confidence, probabilities, corrected}], reason,
    //           notADigit, box, boxes, input, lowText}
    function show(display) {
      shown = display;
      showMessage(null);
      section.dataset.state = display.status;
      const digits = display.digits || [];
      if (place >= digits.length) {
        place = 0;
      }
      parts.digit.textContent = digits
        .map(function (each) {
          return String(each.digit);
        })
        .join("");
      if (digits.length === 0) {
        parts.confidence.textContent = display.reason || (display.notADigit ? NOT_A_DIGIT : NO_DIGIT);
        parts.correctionLabel.textContent = display.notADigit
          ? "If it is a digit, pick it:"
          : "Is there a digit? Pick it:";
      } else if (display.status === "corrected") {
        parts.confidence.textContent = "Set by you";
        parts.correctionLabel.textContent =
          digits.length > 1 ? "Choose a digit, then pick:" : "Not right? Pick the digit:";
      } else {
        const lowest = Math.min.apply(
          null,
          digits.map(function (each) {
            return each.confidence;
          }),
        );
        parts.confidence.textContent =
          digits.length > 1
            ? digits.length + " digits, each " + (lowest > 0.99 ? "over 99%" : "at least " + percent(lowest)) + " sure"
            : percent(lowest) + " sure";
        parts.correctionLabel.textContent =
          digits.length > 1 ? "Not right? Choose a digit, then pick:" : "Not right? Pick the digit:";
      }
      parts.flag.hidden = display.status !== "low";
      parts.flagText.textContent =
        digits.length > 1 ? "Low confidence: check these digits" : "Low confidence: check this digit";
      showPlaces(digits);
      const current = digits[place] || null;
      // The bars stay the model's view of this digit, also after the person corrected it.
      showPicker(current ? current.digit : null, (current && current.probabilities) || display.probabilities || null);
      showModelInput(display.input || null);
      if (picture.hasPicture()) {
        picture.showBoxes(display.boxes || []);
      }
      refreshTools();
    }

    clearReading();
    setView("pad");
    setArmed(false);

    return {
      section: section,
      submitFile: submitFile,
      reset: reset,
      show: show,
      showMessage: showMessage,
      hasInput: function () {
        return section.dataset.state !== "empty" || pad.hasStrokes() || picture.hasPicture();
      },
      isSelecting: function () {
        return picture.isSelecting();
      },
      stopSelecting: stopSelecting,
      showBusy: function (text) {
        section.dataset.state = "busy";
        clearReading();
        parts.confidence.textContent = text;
        refreshTools();
      },
      // A picture that cannot be read leaves the stage (the pad returns) and says why.
      showError: function (text) {
        stopSelecting();
        picture.show(null);
        source = null;
        setView("pad");
        section.dataset.state = "error";
        clearReading();
        showMessage(text, "file");
        refreshTools();
      },
    };
  }

  root.snapmathOperandView = { create: create };
})(window);
