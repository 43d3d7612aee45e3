// snapmath arithmetic: exact answers for two integers and one of + − × ÷.
// Pure (no DOM, no tf) so it also runs under node for the tests: tests/site/test_arithmetic.py.
(function (root) {
  "use strict";

  const MINUS = "\u2212"; // a real minus sign, not a hyphen
  const SYMBOLS = { add: "+", sub: MINUS, mul: "\u00d7", div: "\u00f7" };
  const ROUNDED_DECIMALS = 6;
  // Division by zero is a question without an answer, said in words a person can follow.
  const NO_ANSWER = "No answer: no number times 0 gives ";
  const NO_SINGLE_ANSWER = "No single answer: every number times 0 gives 0";

  function greatestCommonDivisor(a, b) {
    a = Math.abs(a);
    b = Math.abs(b);
    while (b !== 0) {
      [a, b] = [b, a % b];
    }
    return a;
  }

  // Integers are written with a real minus sign so "−6" reads as negative six.
  function formatInteger(value) {
    return value < 0 ? MINUS + String(-value) : String(value);
  }

  // Digits of |numerator| / denominator with `decimals` places, rounded half up,
  // computed with integers only so 2/3 gives "0.6667" and not a float artefact.
  function formatDecimal(numerator, denominator, decimals, round) {
    const negative = numerator < 0;
    const scale = Math.pow(10, decimals);
    const scaled = Math.abs(numerator) * scale;
    let units = Math.floor(scaled / denominator);
    if (round && (scaled % denominator) * 2 >= denominator) {
      units += 1;
    }
    const whole = Math.floor(units / scale);
    const fraction = String(units % scale).padStart(decimals, "0");
    const text = decimals > 0 ? whole + "." + fraction : String(whole);
    return (negative && units !== 0 ? MINUS : "") + text;
  }

  // A reduced fraction terminates in decimal when its denominator is 2^i * 5^j;
  // then it needs max(i, j) decimal places. Returns null when it repeats.
  function terminatingDecimalPlaces(denominator) {
    let twos = 0;
    let fives = 0;
    while (denominator % 2 === 0) {
      denominator /= 2;
      twos += 1;
    }
    while (denominator % 5 === 0) {
      denominator /= 5;
      fives += 1;
    }
    return denominator === 1 ? Math.max(twos, fives) : null;
  }

  function answer(exact, approx) {
    const text = approx === null ? exact : exact + " \u2248 " + approx;
    return { text: text, exact: exact, approx: approx, error: null };
  }

  function divide(a, b) {
    if (b === 0) {
      const why = a === 0 ? NO_SINGLE_ANSWER : NO_ANSWER + formatInteger(a);
      return { text: why, exact: null, approx: null, error: why };
    }
    const divisor = greatestCommonDivisor(a, b) || 1;
    const sign = b < 0 ? -1 : 1; // keep the denominator positive
    const numerator = (sign * a) / divisor;
    const denominator = (sign * b) / divisor;
    if (denominator === 1) {
      return answer(formatInteger(numerator), null);
    }
    const places = terminatingDecimalPlaces(denominator);
    if (places !== null) {
      return answer(formatDecimal(numerator, denominator, places, false), null);
    }
    const fraction = formatInteger(numerator) + "/" + denominator;
    return answer(fraction, formatDecimal(numerator, denominator, ROUNDED_DECIMALS, true));
  }

  // compute(7, "div", 3) -> {text: "7/3 ≈ 2.333333", exact: "7/3", approx: "2.333333", error: null}.
  // `op` is one of "add", "sub", "mul", "div"; a and b are safe integers.
  function compute(a, op, b) {
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) {
      throw new TypeError("snapmathArithmetic.compute needs two integers, got " + a + " and " + b);
    }
    switch (op) {
      case "add":
        return answer(formatInteger(a + b), null);
      case "sub":
        return answer(formatInteger(a - b), null);
      case "mul":
        return answer(formatInteger(a * b), null);
      case "div":
        return divide(a, b);
      default:
        throw new TypeError("snapmathArithmetic.compute: unknown operator " + op);
    }
  }

  // "7 ÷ 3" for showing the question beside the answer.
  function expression(a, op, b) {
    return formatInteger(a) + " " + SYMBOLS[op] + " " + formatInteger(b);
  }

  root.snapmathArithmetic = { compute: compute, expression: expression };
})(globalThis);
