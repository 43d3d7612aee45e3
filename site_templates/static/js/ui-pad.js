// snapmath drawing pad: strokes of pointer positions on a canvas, redrawn from scratch on undo.
// A mouse or pen draws at once; a finger draws only once the pad is armed (a tap on "Tap to
// draw"), so a finger that starts a scroll over the pad scrolls the page instead of drawing.
(function (root) {
  "use strict";

  const PAD_BACKGROUND = "#ffffff"; // paper in both themes: the model reads dark ink on light
  const PAD_INK = "#1b1f24";
  const PAD_LINE_WIDTH = 20; // in canvas pixels of a 280 px pad: about MNIST's stroke width

  // callbacks: onStroke("drawing" | "stroke-ended")
  function create(canvas, callbacks) {
    const context = canvas.getContext("2d");
    const strokes = [];
    let activePointer = null;
    let armed = false;

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
      if (event.pointerType === "touch" && !armed) {
        return; // the browser scrolls (touch-action allows it until the pad is armed)
      }
      event.preventDefault();
      activePointer = event.pointerId;
      canvas.setPointerCapture(event.pointerId);
      strokes.push([canvasPoint(event)]);
      redraw();
      callbacks.onStroke("drawing");
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
      callbacks.onStroke("stroke-ended");
    }
    canvas.addEventListener("pointerup", endStroke);
    canvas.addEventListener("pointercancel", endStroke);

    redraw();
    return {
      canvas: canvas,
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
      setArmed: function (value) {
        armed = value;
      },
    };
  }

  root.snapmathPad = { create: create };
})(window);
