// Exact pixel helpers shared by the preprocessing stages (locate.js, preprocess.js).
//
// Twin: training/pixels.py. Each helper gives the same numbers in both twins: order statistics pick
// an element (no interpolation), rounding is Math.round's halves-up, and the windowed max/min only
// compares. A map is {data: Float32Array (row-major), height, width}.
(function () {
  "use strict";

  function roundHalfUp(value) {
    return Math.floor(value + 0.5);
  }

  function makeMap(height, width, data = new Float32Array(height * width)) {
    return { data, height, width };
  }

  // The value at `index` of `values` once sorted; reorders `values` (Hoare's selection, as numpy's partition).
  function selectInPlace(values, index) {
    let left = 0;
    let right = values.length - 1;
    while (left < right) {
      const first = values[left];
      const middle = values[(left + right) >> 1];
      const last = values[right];
      // Median of three, so already sorted runs (paper rows, flat borders) stay linear.
      const pivot = Math.max(Math.min(first, middle), Math.min(Math.max(first, middle), last));
      let low = left;
      let high = right;
      while (low <= high) {
        while (values[low] < pivot) low++;
        while (values[high] > pivot) high--;
        if (low <= high) {
          const swap = values[low];
          values[low] = values[high];
          values[high] = swap;
          low++;
          high--;
        }
      }
      // Now values[left..high] <= pivot <= values[low..right], and everything between equals pivot.
      if (index <= high) right = high;
      else if (index >= low) left = low;
      else return values[index];
    }
    return values[index];
  }

  // Whether this platform keeps a 32-bit word's low byte first, as every one the page runs on does.
  const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

  // Decoded RGBA bytes (a Uint8ClampedArray) as one 32-bit word per pixel, red in the low byte, so a loop
  // over the pixels loads each once; null where they cannot be read so (another array, an unaligned view).
  function pixelWords(bytes) {
    if (!LITTLE_ENDIAN || !(bytes instanceof Uint8ClampedArray) || bytes.byteOffset % 4 || bytes.length % 4)
      return null;
    return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  }

  // The sorted value at index floor(percentile/100 * (n-1)): exact, no interpolation.
  function orderStatistic(values, percentile) {
    const copy = new Float32Array(values);
    return selectInPlace(copy, Math.floor((percentile / 100) * (copy.length - 1)));
  }

  // Values of the outer ring (width = fraction of the long side, at least 1) of a [H,W,channels]
  // row-major array, one Float32Array per channel (in any order: only order statistics use them).
  // `values` may be any array of numbers (the decoded bytes, or a float map).
  function borderRing(values, height, width, channels, fraction) {
    const ring = Math.max(1, roundHalfUp(fraction * Math.max(height, width)));
    const whole = 2 * ring >= height || 2 * ring >= width;
    const count = whole ? height * width : height * width - (height - 2 * ring) * (width - 2 * ring);
    const perChannel = Array.from({ length: channels }, () => new Float32Array(count));
    let taken = 0;
    for (let row = 0; row < height; row++) {
      const fullRow = whole || row < ring || row >= height - ring;
      for (let column = 0; column < width; column++) {
        if (!fullRow && column === ring) column = width - ring; // skip the inside of the ring
        for (let channel = 0; channel < channels; channel++) {
          perChannel[channel][taken] = values[(row * width + column) * channels + channel];
        }
        taken++;
      }
    }
    return perChannel;
  }

  // Max (or min) over the window of radius r around each entry of a line, inside the line only.
  function windowedExtreme1d(values, radius, takeMax) {
    if (takeMax) return windowedMax1d(values, radius);
    // min(x) = -max(-x), exactly: negation only flips the sign bit.
    return windowedMax1d(
      values.map((value) => -value),
      radius,
    ).map((value) => -value);
  }

  // Up to this radius a plain scan of each window is quicker than the blocks below (same maxima).
  const SMALL_RADIUS = 3;

  function smallWindowMax1d(values, radius) {
    const length = values.length;
    const result = new Float32Array(length);
    for (let index = 0; index < length; index++) {
      let extreme = values[index];
      const last = Math.min(length - 1, index + radius);
      for (let other = Math.max(0, index - radius); other <= last; other++) {
        if (values[other] > extreme) extreme = values[other];
      }
      result[index] = extreme;
    }
    return result;
  }

  // Van Herk / Gil-Werman running max: maxima within blocks of the window's length, forwards and
  // backwards, over the line padded with -inf so every window spans at most two blocks; three
  // comparisons per entry whatever the radius (dilating a thin-stroked photo takes radii of ~25).
  function windowedMax1d(values, radius) {
    if (radius <= SMALL_RADIUS) return smallWindowMax1d(values, radius);
    const size = 2 * radius + 1;
    const length = values.length + 2 * radius;
    const padded = new Float32Array(length).fill(-Infinity);
    padded.set(values, radius);
    const fromBlockStart = new Float32Array(length);
    const toBlockEnd = new Float32Array(length);
    for (let index = 0; index < length; index++) {
      const previous = index % size === 0 ? -Infinity : fromBlockStart[index - 1];
      fromBlockStart[index] = padded[index] > previous ? padded[index] : previous;
    }
    for (let index = length - 1; index >= 0; index--) {
      const next = index % size === size - 1 || index === length - 1 ? -Infinity : toBlockEnd[index + 1];
      toBlockEnd[index] = padded[index] > next ? padded[index] : next;
    }
    const result = new Float32Array(values.length);
    for (let index = 0; index < values.length; index++) {
      // Output `index` is the window padded[index .. index + 2r]: the end of one block, the start of the next.
      const head = toBlockEnd[index];
      const tail = fromBlockStart[index + size - 1];
      result[index] = head > tail ? head : tail;
    }
    return result;
  }

  // Max (or min) over the (2r+1)x(2r+1) window around each pixel of a map, inside it only:
  // separably, down the columns and then along the rows, as in the Python twin.
  function windowedExtreme(image, radius, takeMax) {
    if (radius <= SMALL_RADIUS) return smallWindowExtreme(image, radius, takeMax);
    const { height, width } = image;
    const result = makeMap(height, width, image.data.slice());
    const column = new Float32Array(height);
    for (let x = 0; x < width; x++) {
      for (let y = 0; y < height; y++) column[y] = result.data[y * width + x];
      const extreme = windowedExtreme1d(column, radius, takeMax);
      for (let y = 0; y < height; y++) result.data[y * width + x] = extreme[y];
    }
    for (let y = 0; y < height; y++) {
      result.data.set(windowedExtreme1d(result.data.subarray(y * width, (y + 1) * width), radius, takeMax), y * width);
    }
    return result;
  }

  // windowedExtreme for a small radius, each window scanned where the map lies, in smallWindowMax1d's order
  // (a min compares as the max of the negated values does), with no line copied out: down the columns, then
  // along the rows.
  function smallWindowExtreme(image, radius, takeMax) {
    const { height, width } = image;
    const down = makeMap(height, width);
    extremeAlongLines(image.data, down.data, width, height, 1, width, radius, takeMax);
    const result = makeMap(height, width);
    extremeAlongLines(down.data, result.data, height, width, width, 1, radius, takeMax);
    return result;
  }

  // For each of `lines` lines of `length` values (line i starts at i * lineStep, its values `step` apart),
  // the extreme of the window of `radius` values either side, inside the line, written at the same index.
  function extremeAlongLines(from, to, lines, length, lineStep, step, radius, takeMax) {
    for (let line = 0; line < lines; line++) {
      const start = line * lineStep;
      for (let at = 0; at < length; at++) {
        let extreme = from[start + at * step];
        const last = Math.min(length - 1, at + radius);
        for (let other = Math.max(0, at - radius); other <= last; other++) {
          const value = from[start + other * step];
          if (takeMax ? value > extreme : value < extreme) extreme = value;
        }
        to[start + at * step] = extreme;
      }
    }
  }

  // The map inside a margin of `margin` zeros on every side.
  function pad(image, margin) {
    const result = makeMap(image.height + 2 * margin, image.width + 2 * margin);
    for (let y = 0; y < image.height; y++) {
      result.data.set(
        image.data.subarray(y * image.width, (y + 1) * image.width),
        (y + margin) * result.width + margin,
      );
    }
    return result;
  }

  // The rows top..top+height-1 and columns left..left+width-1 of a map (`channels` values a pixel, 1 when
  // unset), as a new map of the same kind.
  function crop(image, top, left, height, width) {
    const channels = image.channels || 1;
    const data = new Float32Array(height * width * channels);
    for (let y = 0; y < height; y++) {
      const start = ((top + y) * image.width + left) * channels;
      data.set(image.data.subarray(start, start + width * channels), y * width * channels);
    }
    return image.channels ? { data, height, width, channels } : makeMap(height, width, data);
  }

  window.snapmathPixels = {
    roundHalfUp,
    makeMap,
    selectInPlace,
    orderStatistic,
    pixelWords,
    borderRing,
    windowedExtreme1d,
    windowedExtreme,
    pad,
    crop,
  };
})();
