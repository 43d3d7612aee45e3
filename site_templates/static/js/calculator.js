// snapmath calculator: the rules of the calculator's state, as pure functions of plain data.
// What each operand holds (a reading, a refusal, typed or picked digits), which operand typed
// digits go to, and what the answer area says. No DOM, no tf: it also runs under node for the
// tests (tests/site/test_calculator_state.py). Every function returns a new state.
(function (root) {
  "use strict";

  const NAMES = { a: "first", b: "second" };
  const MAX_DIGITS = 6; // typed numbers stop growing here: the answer stays a safe integer
  const DEFAULT_NOT_DIGIT_THRESHOLD = 0.5;

  // state: {operands: {a, b}, operator: "add"|"sub"|"mul"|"div"|null, answerRequested: bool}
  // operand: null (empty)
  //        | {kind: "busy"}
  //        | {kind: "error", message}
  //        | {kind: "refused", reason, notDigit, probabilities}   (no digit, or not a digit)
  //        | {kind: "digits", digits: [{digit, confidence, probabilities, corrected}], typing}
  function initial() {
    return { operands: { a: null, b: null }, operator: null, answerRequested: false };
  }

  function withOperand(state, id, operand) {
    const operands = Object.assign({}, state.operands);
    operands[id] = operand;
    return Object.assign({}, state, { operands: operands });
  }

  function zeros(count) {
    return new Array(count).fill(0);
  }

  // The contract's reading (snapmath.recognize) as an operand. Readings from before the
  // contract gained `number` and `digits` count as one digit.
  function fromReading(reading, options) {
    const threshold =
      options && typeof options.notDigitThreshold === "number"
        ? options.notDigitThreshold
        : DEFAULT_NOT_DIGIT_THRESHOLD;
    const notDigit = typeof reading.notDigit === "number" ? reading.notDigit : 0;
    const number = reading.number === undefined ? reading.digit : reading.number;
    if (number === null || number === undefined) {
      return {
        kind: "refused",
        notDigit: notDigit,
        notADigit: notDigit >= threshold,
        reason: reading.reason || null,
        probabilities: reading.probabilities || zeros(10),
      };
    }
    const digits =
      Array.isArray(reading.digits) && reading.digits.length
        ? reading.digits
        : [{ digit: reading.digit, confidence: reading.confidence, probabilities: reading.probabilities }];
    return {
      kind: "digits",
      typing: false,
      digits: digits.map(function (each) {
        return {
          digit: each.digit,
          confidence: each.confidence,
          probabilities: each.probabilities || zeros(10),
          corrected: false,
        };
      }),
    };
  }

  function picked(digit) {
    return { digit: digit, confidence: 1, probabilities: null, corrected: true };
  }

  // The integer an operand stands for, or null when it has none.
  function value(operand) {
    if (!operand || operand.kind !== "digits" || operand.digits.length === 0) {
      return null;
    }
    return operand.digits.reduce(function (total, each) {
      return total * 10 + each.digit;
    }, 0);
  }

  function isLow(operand, lowConfidence) {
    return (
      operand !== null &&
      operand.kind === "digits" &&
      operand.digits.some(function (each) {
        return !each.corrected && each.confidence < lowConfidence;
      })
    );
  }

  // The operand's data-state on the page.
  function status(operand, lowConfidence) {
    if (operand === null) return "empty";
    if (operand.kind === "busy") return "busy";
    if (operand.kind === "error") return "error";
    if (operand.kind === "refused") return operand.notADigit ? "not-digit" : "no-digit";
    if (
      operand.digits.some(function (each) {
        return each.corrected;
      })
    ) {
      return "corrected";
    }
    return isLow(operand, lowConfidence) ? "low" : "read";
  }

  function reading(state, id, recognized, options) {
    return withOperand(state, id, fromReading(recognized, options));
  }

  function busy(state, id) {
    return withOperand(state, id, { kind: "busy" });
  }

  function failed(state, id, message) {
    return withOperand(state, id, { kind: "error", message: message });
  }

  function cleared(state, id) {
    return withOperand(state, id, null);
  }

  // A digit picked by hand for position `index` of the operand's number; on an operand
  // without digits (empty, refused, failed) it becomes the operand's one digit.
  function pick(state, id, index, digit) {
    const operand = state.operands[id];
    if (!operand || operand.kind !== "digits" || index < 0 || index >= operand.digits.length) {
      return withOperand(state, id, { kind: "digits", typing: false, digits: [picked(digit)] });
    }
    const digits = operand.digits.slice();
    digits[index] = Object.assign({}, digits[index], { digit: digit, confidence: 1, corrected: true });
    return withOperand(state, id, { kind: "digits", typing: false, digits: digits });
  }

  // A digit key: the first replaces what the operand held, the next ones extend the number.
  function type(state, id, digit) {
    const operand = state.operands[id];
    if (operand && operand.kind === "digits" && operand.typing) {
      if (operand.digits.length >= MAX_DIGITS) {
        return state;
      }
      const startsWithZero = operand.digits.length === 1 && operand.digits[0].digit === 0;
      const digits = startsWithZero ? [] : operand.digits.slice();
      return withOperand(state, id, { kind: "digits", typing: true, digits: digits.concat([picked(digit)]) });
    }
    return withOperand(state, id, { kind: "digits", typing: true, digits: [picked(digit)] });
  }

  // Backspace: drop the last digit; the last one gone leaves the operand empty.
  function backspace(state, id) {
    const operand = state.operands[id];
    if (!operand || operand.kind !== "digits" || operand.digits.length <= 1) {
      return cleared(state, id);
    }
    return withOperand(state, id, {
      kind: "digits",
      typing: true,
      digits: operand.digits.slice(0, -1),
    });
  }

  function chooseOperator(state, op) {
    return Object.assign({}, state, { operator: op });
  }

  function equals(state) {
    return Object.assign({}, state, { answerRequested: true });
  }

  // Where typed digits go when no operand has the focus: the first number until an
  // operator is picked, then the second, as on a pocket calculator.
  function keyTarget(state) {
    return state.operator === null ? "a" : "b";
  }

  // What the answer area says: {state, expression, text, flag}, or null before = was pressed.
  function answer(state, options) {
    if (!state.answerRequested) {
      return null;
    }
    const lowConfidence = options.lowConfidence;
    const arithmetic = options.arithmetic;
    for (const id of ["a", "b"]) {
      const operand = state.operands[id];
      if (operand === null) {
        return { state: "waiting", text: "Give the " + NAMES[id] + " number" };
      }
      if (operand.kind === "busy") {
        return { state: "waiting", text: "Reading the " + NAMES[id] + " picture\u2026" };
      }
      if (operand.kind === "error") {
        return { state: "waiting", text: "The " + NAMES[id] + " picture could not be read: give another" };
      }
      if (operand.kind === "refused") {
        const why = operand.notADigit ? "doesn\u2019t look like a digit" : "shows no digit";
        return {
          state: "refused",
          text: "The " + NAMES[id] + " picture " + why + ": pick the digit, or give another picture",
        };
      }
    }
    if (state.operator === null) {
      return { state: "waiting", text: "Pick + \u2212 \u00d7 or \u00f7" };
    }
    const a = value(state.operands.a);
    const b = value(state.operands.b);
    const result = arithmetic.compute(a, state.operator, b);
    const unsure = ["a", "b"].filter(function (id) {
      return isLow(state.operands[id], lowConfidence);
    });
    return {
      state: result.error ? "error" : "answer",
      expression: arithmetic.expression(a, state.operator, b),
      text: result.text,
      flag: unsure.length
        ? "Low confidence in the " +
          unsure
            .map(function (id) {
              return NAMES[id];
            })
            .join(" and ") +
          " number: check it, or pick the right digit."
        : null,
    };
  }

  root.snapmathCalculator = {
    NAMES: NAMES,
    MAX_DIGITS: MAX_DIGITS,
    initial: initial,
    fromReading: fromReading,
    value: value,
    status: status,
    reading: reading,
    busy: busy,
    failed: failed,
    cleared: cleared,
    pick: pick,
    type: type,
    backspace: backspace,
    chooseOperator: chooseOperator,
    equals: equals,
    keyTarget: keyTarget,
    answer: answer,
  };
})(globalThis);
