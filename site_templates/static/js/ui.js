// snapmath ui: the page around the operands: the model status, the operators, = and the
// answer. It builds the two operand views (ui-operand.js) and binds the page-wide keys and
// paste (ui-inputs.js). It turns what a person does into callbacks and shows what it is
// given: plain numbers, arrays and strings, never tensors.
(function (root) {
  "use strict";

  function byId(id) {
    return document.getElementById(id);
  }

  // callbacks: onPicture(id, source, options), onDrawing(id, canvas), onPick(id, index, digit),
  // onCleared(id), onType(id, digit), onBackspace(id), onClear(id), onOperator(op), onEquals(),
  // keyTarget() -> "a" | "b"
  function create(callbacks) {
    const operands = {
      a: root.snapmathOperandView.create("a", callbacks),
      b: root.snapmathOperandView.create("b", callbacks),
    };
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
      details: byId("status-details"),
      detailsText: byId("status-details-text"),
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

    root.snapmathInputs.bind(operands, callbacks);

    return {
      operands: operands,

      // state: "loading" | "ready" | "error"; progress 0..1 while loading, null while unknown
      // (the runtime's download cannot be measured: the bar then moves without a value).
      setStatus: function (state, text, progress, detail) {
        status.box.dataset.state = state;
        status.text.textContent = text;
        status.progress.hidden = state !== "loading";
        if (typeof progress === "number") {
          status.progress.value = Math.round(progress * 100);
        } else {
          status.progress.removeAttribute("value");
        }
        status.details.hidden = !detail;
        status.detailsText.textContent = detail || "";
      },

      setOperator: function (op) {
        operatorButtons.forEach(function (button) {
          button.setAttribute("aria-pressed", String(button.dataset.op === op));
        });
      },

      // shown: {state: "answer" | "error" | "waiting" | "refused", expression, text, flag}
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
