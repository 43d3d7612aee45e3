// snapmath page-wide inputs: the keyboard calculator (digits, + − × ÷, = or Enter, Backspace,
// Delete, Escape) and paste. Digit keys go to the operand that has the focus, else to the one
// the calculator says is next; paste goes to the focused operand, else the first empty one.
(function (root) {
  "use strict";

  const DIGIT_KEYS = /^[0-9]$/;
  const OPERATOR_KEYS = {
    "+": "add",
    "-": "sub",
    "\u2212": "sub",
    "*": "mul",
    x: "mul",
    "\u00d7": "mul",
    "/": "div",
    "\u00f7": "div",
  };

  function isTextField(element) {
    return (
      element instanceof HTMLElement && element.matches("input:not([type=file]), textarea, select, [contenteditable]")
    );
  }

  function focusedOperand(target) {
    const element = target instanceof Element ? target : document.activeElement;
    const operand = element && element.closest ? element.closest(".operand") : null;
    return operand ? operand.dataset.operand : null;
  }

  // operands: {a, b} operand views; callbacks: keyTarget(), onType(id, digit), onBackspace(id),
  // onClear(id), onOperator(op), onEquals()
  function bind(operands, callbacks) {
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || isTextField(event.target) || event.defaultPrevented) {
        return;
      }
      const id = focusedOperand(event.target) || callbacks.keyTarget();
      const onButton = event.target instanceof HTMLElement && event.target.matches("button, a, input, label, summary");
      const op = OPERATOR_KEYS[event.key];
      if (DIGIT_KEYS.test(event.key)) {
        event.preventDefault();
        callbacks.onType(id, Number(event.key));
      } else if (op) {
        event.preventDefault();
        callbacks.onOperator(op);
      } else if (event.key === "=" || (event.key === "Enter" && !onButton)) {
        event.preventDefault();
        callbacks.onEquals();
      } else if (event.key === "Backspace") {
        event.preventDefault();
        callbacks.onBackspace(id);
      } else if (event.key === "Delete") {
        event.preventDefault();
        callbacks.onClear(id);
      } else if (event.key === "Escape") {
        event.preventDefault();
        if (operands[id].isSelecting()) {
          operands[id].stopSelecting();
        } else {
          callbacks.onClear(id);
        }
      }
    });

    document.addEventListener("paste", function (event) {
      if (isTextField(event.target)) {
        return;
      }
      const id = focusedOperand(event.target) || (operands.a.hasInput() ? "b" : "a");
      const files = Array.from((event.clipboardData && event.clipboardData.files) || []);
      const image = files.find(function (file) {
        return file.type.startsWith("image/");
      });
      event.preventDefault();
      if (image) {
        operands[id].submitFile(image);
      } else {
        operands[id].showMessage(
          "The clipboard holds no picture. Copy a picture (not its address), then paste again.",
          "note",
        );
      }
    });

    // A file dropped beside an operand must not replace the page.
    document.addEventListener("dragover", function (event) {
      event.preventDefault();
    });
    document.addEventListener("drop", function (event) {
      event.preventDefault();
    });
  }

  root.snapmathInputs = { bind: bind };
})(window);
