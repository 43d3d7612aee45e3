// snapmath picture view: a person's picture shown large, the boxes that were read drawn on it,
// and a box the person chooses (drag with a mouse or a finger, or arrow keys on its handle).
// Boxes come and go in the picture's own upright pixels; on screen they are fractions of it.
(function (root) {
  "use strict";

  const KEY_STEP = 0.02; // arrow keys move or resize the box by 2% of the picture
  const SHIFT_STEP = 0.08;
  const MIN_SIDE = 0.04; // a drag smaller than this is a tap, not a box
  const MOVES = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

  function clamp(value, low, high) {
    return Math.min(high, Math.max(low, value));
  }

  function placeAt(element, fraction) {
    element.style.left = fraction.x * 100 + "%";
    element.style.top = fraction.y * 100 + "%";
    element.style.width = fraction.width * 100 + "%";
    element.style.height = fraction.height * 100 + "%";
  }

  // parts: {frame, image, boxes, selection, handle, handleText}
  // callbacks: onBox({x, y, width, height}) in picture pixels; onCancel()
  function create(parts, callbacks) {
    let url = null;
    let selecting = false;
    let selection = null; // {x, y, width, height} as fractions of the picture
    let dragStart = null;
    let dragPointer = null;

    function size() {
      return { width: parts.image.naturalWidth || 1, height: parts.image.naturalHeight || 1 };
    }

    function toFraction(box) {
      const picture = size();
      return {
        x: box.x / picture.width,
        y: box.y / picture.height,
        width: box.width / picture.width,
        height: box.height / picture.height,
      };
    }

    function toPixels(fraction) {
      const picture = size();
      const x = Math.round(fraction.x * picture.width);
      const y = Math.round(fraction.y * picture.height);
      return {
        x: x,
        y: y,
        width: Math.max(1, Math.min(picture.width - x, Math.round(fraction.width * picture.width))),
        height: Math.max(1, Math.min(picture.height - y, Math.round(fraction.height * picture.height))),
      };
    }

    function describe(fraction) {
      const percent = function (value) {
        return Math.round(value * 100) + "%";
      };
      return (
        "Box around the digit: from " +
        percent(fraction.x) +
        " across and " +
        percent(fraction.y) +
        " down, " +
        percent(fraction.width) +
        " wide and " +
        percent(fraction.height) +
        " high. " +
        "Arrow keys move it, Shift with arrow keys resizes it, Enter reads it, Escape cancels."
      );
    }

    function showSelection() {
      parts.selection.hidden = !selecting || selection === null;
      if (selection !== null) {
        placeAt(parts.selection, selection);
        parts.handleText.textContent = describe(selection);
      }
    }

    function framePoint(event) {
      const rect = parts.frame.getBoundingClientRect();
      return {
        x: clamp((event.clientX - rect.left) / rect.width, 0, 1),
        y: clamp((event.clientY - rect.top) / rect.height, 0, 1),
      };
    }

    function spanning(a, b) {
      return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), width: Math.abs(a.x - b.x), height: Math.abs(a.y - b.y) };
    }

    parts.frame.addEventListener("pointerdown", function (event) {
      if (!selecting || dragPointer !== null || (event.pointerType === "mouse" && event.button !== 0)) {
        return;
      }
      event.preventDefault();
      dragPointer = event.pointerId;
      dragStart = framePoint(event);
      parts.frame.setPointerCapture(event.pointerId);
    });
    parts.frame.addEventListener("pointermove", function (event) {
      if (event.pointerId !== dragPointer) {
        return;
      }
      const box = spanning(dragStart, framePoint(event));
      if (box.width >= MIN_SIDE / 2 || box.height >= MIN_SIDE / 2) {
        selection = box;
        showSelection();
      }
    });
    function endDrag(event) {
      if (event.pointerId !== dragPointer) {
        return;
      }
      dragPointer = null;
      const box = spanning(dragStart, framePoint(event));
      if (event.type === "pointerup" && box.width >= MIN_SIDE && box.height >= MIN_SIDE) {
        selection = box;
        callbacks.onBox(toPixels(box));
      }
    }
    parts.frame.addEventListener("pointerup", endDrag);
    parts.frame.addEventListener("pointercancel", endDrag);

    parts.handle.addEventListener("keydown", function (event) {
      const move = MOVES[event.key];
      if (move && selection) {
        event.preventDefault();
        event.stopPropagation();
        const step = event.altKey ? KEY_STEP / 4 : KEY_STEP;
        const box = Object.assign({}, selection);
        if (event.shiftKey) {
          box.width = clamp(box.width + (move[0] * SHIFT_STEP) / 2, MIN_SIDE, 1 - box.x);
          box.height = clamp(box.height + (move[1] * SHIFT_STEP) / 2, MIN_SIDE, 1 - box.y);
        } else {
          box.x = clamp(box.x + move[0] * step, 0, 1 - box.width);
          box.y = clamp(box.y + move[1] * step, 0, 1 - box.height);
        }
        selection = box;
        showSelection();
      } else if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        event.stopPropagation();
        callbacks.onBox(toPixels(selection));
      } else if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        callbacks.onCancel();
      }
    });
    // The frame takes the picture's shape, so fractions of the frame are fractions of the picture.
    parts.image.addEventListener("load", function () {
      parts.frame.style.setProperty("--ratio", String(parts.image.naturalWidth / parts.image.naturalHeight));
    });

    parts.handle.addEventListener("click", function (event) {
      // A click on the handle is the end of a drag (handled above) or a keyboard Enter/Space.
      event.preventDefault();
    });

    return {
      show: function (newUrl) {
        if (url && url.startsWith("blob:")) {
          URL.revokeObjectURL(url);
        }
        url = newUrl;
        selection = null;
        if (newUrl === null) {
          parts.image.removeAttribute("src");
        } else {
          parts.image.src = newUrl;
        }
        parts.boxes.replaceChildren();
      },
      hasPicture: function () {
        return url !== null;
      },
      // boxes: [{x, y, width, height}] in picture pixels, drawn once the picture's size is known.
      showBoxes: function (boxes) {
        const draw = function () {
          parts.boxes.replaceChildren();
          boxes.forEach(function (box) {
            const mark = document.createElement("div");
            mark.className = "read-box";
            placeAt(mark, toFraction(box));
            parts.boxes.append(mark);
          });
        };
        if (parts.image.complete && parts.image.naturalWidth) {
          draw();
        } else {
          parts.image.addEventListener("load", draw, { once: true });
        }
      },
      // Starts choosing a box, from `box` (picture pixels) or the middle of the picture.
      startSelecting: function (box) {
        selecting = true;
        selection = box ? toFraction(box) : { x: 0.25, y: 0.2, width: 0.5, height: 0.6 };
        parts.frame.classList.add("is-selecting");
        showSelection();
        parts.handle.focus();
      },
      stopSelecting: function () {
        selecting = false;
        dragPointer = null;
        parts.frame.classList.remove("is-selecting");
        showSelection();
      },
      isSelecting: function () {
        return selecting;
      },
      selectionInPixels: function () {
        return selection ? toPixels(selection) : null;
      },
    };
  }

  root.snapmathPicture = { create: create };
})(window);
