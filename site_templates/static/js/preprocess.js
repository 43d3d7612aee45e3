// Turn decoded RGBA pixels into the 28x28 model input: the JS twin of the preprocessing spec.
//
// Twin: training/preprocess.py (numpy). Both read training/preprocess_spec.json (the page gets it
// as config.preprocess) and run the same steps, with the same names, in the same order;
// tests/browser/test_preprocess_twins.py proves they agree to 1e-4 per pixel.
//
// The pixel maps are Float32Arrays worked on by plain loops, not tf ops: on the CPU backend every
// tf op allocates a new map and walks it again, ~5x the time of a loop (a 512x384 map: three tf ops
// 10 ms, one loop 2 ms, in headless Chromium), and the tf version took ~250 ms per photo. Elementwise
// results are rounded to float32 (Math.fround) where numpy's float32 arrays round, so the maps match
// the twin's bit for bit (see colourDistance for the one shortcut); only sums and matrix products
// differ in rounding. Order statistics are exact selections (quickselect, like numpy's partition),
// not sorts: the same element, in linear time.
//
// A map is {data: Float32Array (row-major), height, width}; the RGB picture adds `channels`, the
// values per pixel (4 when it is the decoded RGBA itself, whose alpha is then ignored).
//
// Steps: compositeAlpha -> backgroundColour -> colourDistance -> boundSize -> normaliseInk
//   -> removeRuledLines -> findDigitBox -> adjustStrokeWidth -> resizeToBox -> stretchContrast
//   -> pasteCentred
(function () {
  'use strict';

  const NO_CONTRAST = 'The picture is blank or nearly uniform: no digit found.';
  const NO_INK = 'There is too little ink in the picture: no digit found.';
  const ONLY_SPECKS = 'The picture holds only scattered specks: no digit found.';
  const LUMINANCE_WEIGHTS = Float32Array.from([0.299, 0.587, 0.114]); // float32, as numpy's
  const MIN_DIVISOR = Math.fround(0.001); // keeps renormalisation finite where a line is at full strength
  const f32 = Math.fround;

  // ---- Shared helpers, computed as in the Python twin -------------------------------------

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

  // The sorted value at index floor(percentile/100 * (n-1)): exact, no interpolation.
  function orderStatistic(values, percentile) {
    const copy = new Float32Array(values);
    return selectInPlace(copy, Math.floor((percentile / 100) * (copy.length - 1)));
  }

  // [sizeOut, sizeIn]: row o averages the input cells that output cell o covers.
  function areaMatrix(sizeIn, sizeOut) {
    const step = sizeIn / sizeOut;
    const weights = new Float32Array(sizeOut * sizeIn);
    for (let outIndex = 0; outIndex < sizeOut; outIndex++) {
      const start = outIndex * step;
      const end = (outIndex + 1) * step;
      const last = Math.min(sizeIn, Math.ceil(end));
      for (let inIndex = Math.floor(start); inIndex < last; inIndex++) {
        const overlap = Math.min(end, inIndex + 1) - Math.max(start, inIndex);
        if (overlap > 0) weights[outIndex * sizeIn + inIndex] = overlap / step;
      }
    }
    return weights;
  }

  // image [H,W] resized to [height,width] by area averaging: rows @ image @ columns^T, as in numpy.
  // The matrices are banded, so only their non-zero weights are applied.
  function areaResize(image, height, width) {
    const rows = areaMatrix(image.height, height);
    const columns = areaMatrix(image.width, width);
    const tall = makeMap(height, image.width); // rows @ image
    const sums = new Float64Array(image.width);
    for (let outRow = 0; outRow < height; outRow++) {
      sums.fill(0);
      for (let inRow = 0; inRow < image.height; inRow++) {
        const weight = rows[outRow * image.height + inRow];
        if (weight === 0) continue;
        const offset = inRow * image.width;
        for (let column = 0; column < image.width; column++) sums[column] += weight * image.data[offset + column];
      }
      tall.data.set(sums, outRow * image.width);
    }
    const result = makeMap(height, width); // (rows @ image) @ columns^T
    for (let outColumn = 0; outColumn < width; outColumn++) {
      for (let inColumn = 0; inColumn < image.width; inColumn++) {
        const weight = columns[outColumn * image.width + inColumn];
        if (weight === 0) continue;
        for (let row = 0; row < height; row++) {
          result.data[row * width + outColumn] += weight * tall.data[row * image.width + inColumn];
        }
      }
    }
    return result;
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
    return windowedMax1d(values.map((value) => -value), radius).map((value) => -value);
  }

  // Van Herk / Gil-Werman running max: maxima within blocks of the window's length, forwards and
  // backwards, over the line padded with -inf so every window spans at most two blocks; three
  // comparisons per entry whatever the radius (dilating a thin-stroked photo takes radii of ~25).
  function windowedMax1d(values, radius) {
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

  // The map inside a margin of `margin` zeros on every side.
  function pad(image, margin) {
    const result = makeMap(image.height + 2 * margin, image.width + 2 * margin);
    for (let y = 0; y < image.height; y++) {
      result.data.set(image.data.subarray(y * image.width, (y + 1) * image.width), (y + margin) * result.width + margin);
    }
    return result;
  }

  // The rows top..top+height-1 and columns left..left+width-1 of a map, as a new map.
  function crop(image, top, left, height, width) {
    const result = makeMap(height, width);
    for (let y = 0; y < height; y++) {
      const start = (top + y) * image.width + left;
      result.data.set(image.data.subarray(start, start + width), y * width);
    }
    return result;
  }

  // ---- The spec steps, in order -----------------------------------------------------------

  // float32 RGB [H,W,3] in 0..255: the picture over white, or over black when its visible content is light.
  // An opaque picture is returned as it is (its RGBA bytes are the same numbers), saving a copy.
  function compositeAlpha(rgba, spec) {
    const { data, width, height } = rgba;
    const pixels = width * height;
    let opaque = true;
    for (let pixel = 0; pixel < pixels && opaque; pixel++) opaque = data[4 * pixel + 3] === 255;
    if (opaque) return { data, height, width, channels: 4 };
    // A white digit on a transparent background would vanish over white: pick the matte that contrasts.
    const alphas = new Float32Array(pixels);
    let alphaTotal = 0;
    let weightedLuminance = 0;
    for (let pixel = 0; pixel < pixels; pixel++) {
      const alpha = f32(data[4 * pixel + 3] / 255);
      const luminance = f32(
        f32(f32(data[4 * pixel] * LUMINANCE_WEIGHTS[0]) + f32(data[4 * pixel + 1] * LUMINANCE_WEIGHTS[1])) +
          f32(data[4 * pixel + 2] * LUMINANCE_WEIGHTS[2]),
      );
      alphas[pixel] = alpha;
      alphaTotal += alpha;
      weightedLuminance += f32(luminance * alpha);
    }
    const meanLuminance = alphaTotal > 0 ? weightedLuminance / alphaTotal : 0;
    const matte = meanLuminance > spec.composite.light_content_luminance ? 0 : 255;
    const rgb = new Float32Array(pixels * 3);
    for (let pixel = 0; pixel < pixels; pixel++) {
      for (let channel = 0; channel < 3; channel++) {
        rgb[3 * pixel + channel] = f32(matte + f32(f32(data[4 * pixel + channel] - matte) * alphas[pixel]));
      }
    }
    return { data: rgb, height, width, channels: 3 };
  }

  // [3]: the per-channel (lower) median of the border ring, taken as the paper colour.
  function backgroundColour(rgb, spec) {
    const ring = borderRing(rgb.data, rgb.height, rgb.width, rgb.channels, spec.background.border_fraction);
    return ring.slice(0, 3).map((channel) => orderStatistic(channel, 50));
  }

  // [H,W]: Euclidean RGB distance of each pixel from the background colour.
  // In doubles, rounded to float32 once (Math.fround per operation costs 3x the whole loop): for an
  // opaque picture every intermediate is an integer below 2^24, exact in float32 too, so the map
  // equals numpy's bit for bit; after compositing it may differ in the last bit.
  function colourDistance(rgb, background) {
    const [red, green, blue] = background;
    const { data, channels, height, width } = rgb;
    const distance = new Float32Array(height * width);
    for (let pixel = 0, at = 0; pixel < distance.length; pixel++, at += channels) {
      const dr = data[at] - red;
      const dg = data[at + 1] - green;
      const db = data[at + 2] - blue;
      distance[pixel] = Math.sqrt(dr * dr + dg * dg + db * db);
    }
    return makeMap(height, width, distance);
  }

  // The distance map area-averaged so its long side is at most max_working_side (unchanged if smaller).
  // The page's decode already bounds pictures to this size, so there this step is a no-op.
  function boundSize(distance, spec) {
    const maxSide = spec.bound.max_working_side;
    const factor = Math.floor(Math.max(distance.height, distance.width) / maxSide);
    if (factor >= 2) {
      // Whole blocks first (cheap, linear time); the matrix products then only bridge the last < 2x.
      const blocks = makeMap(Math.floor(distance.height / factor), Math.floor(distance.width / factor));
      const sums = new Float64Array(blocks.width);
      for (let y = 0; y < blocks.height; y++) {
        sums.fill(0);
        for (let row = y * factor; row < (y + 1) * factor; row++) {
          for (let x = 0; x < blocks.width * factor; x++) sums[Math.floor(x / factor)] += distance.data[row * distance.width + x];
        }
        for (let x = 0; x < blocks.width; x++) blocks.data[y * blocks.width + x] = f32(f32(sums[x]) / (factor * factor));
      }
      distance = blocks;
    }
    const { height, width } = distance;
    if (Math.max(height, width) <= maxSide) return distance;
    const scale = maxSide / Math.max(height, width);
    return areaResize(distance, Math.max(1, roundHalfUp(height * scale)), Math.max(1, roundHalfUp(width * scale)));
  }

  // {ink [h,w] in 0..1, contrast}: distance above the paper-noise floor, saturating at typical ink.
  function normaliseInk(distance, spec) {
    const settings = spec.ink;
    const values = distance.data;
    const contrast = orderStatistic(values, settings.peak_percentile);
    if (!(contrast > 0)) return { ink: makeMap(distance.height, distance.width), contrast: 0 };
    // The paper's own variation (texture, JPEG noise, gradient) is measured on the border ring.
    const ring = borderRing(values, distance.height, distance.width, 1, spec.background.border_fraction)[0];
    const noise = orderStatistic(ring, settings.border_noise_percentile);
    const floor =
      Math.min(Math.max((settings.noise_margin * noise) / contrast, settings.min_floor), settings.max_floor) * contrast;
    // Saturate at a middle value of the ink itself, so shaded, 3D and multicolour digits come out solid.
    let count = 0;
    for (let index = 0; index < values.length; index++) if (values[index] > floor) count++;
    const candidates = new Float32Array(count);
    count = 0;
    for (let index = 0; index < values.length; index++) if (values[index] > floor) candidates[count++] = values[index];
    const saturation = candidates.length
      ? Math.max(selectInPlace(candidates, Math.floor((settings.saturation_percentile / 100) * (candidates.length - 1))), floor + 1)
      : contrast;
    // A soft floor keeps the map continuous, so the twins cannot flip a hard threshold differently.
    const offset = f32(floor);
    const range = f32(saturation - floor);
    const ink = makeMap(distance.height, distance.width);
    for (let index = 0; index < values.length; index++) {
      const scaled = f32(f32(values[index] - offset) / range);
      ink.data[index] = scaled < 0 ? 0 : scaled > 1 ? 1 : scaled;
    }
    return { ink, contrast };
  }

  // [lines]: per row (or column) of the ink map, the strength of a thin line spanning it, else 0.
  function lineStrength(ink, alongRows, spec) {
    const settings = spec.ruled_lines;
    const { height, width } = ink;
    const lines = alongRows ? height : width;
    const length = alongRows ? width : height;
    const line = new Float32Array(length);
    const index = Math.floor((settings.row_percentile / 100) * (length - 1));
    const profile = new Float32Array(lines);
    for (let which = 0; which < lines; which++) {
      if (alongRows) line.set(ink.data.subarray(which * width, (which + 1) * width));
      else for (let y = 0; y < height; y++) line[y] = ink.data[y * width + which];
      profile[which] = selectInPlace(line, index);
    }
    const radius = Math.max(1, roundHalfUp(settings.max_line_thickness_fraction * Math.max(height, width)));
    // White top-hat of the profile: what an opening (min then max over the window) removes is thin.
    const opened = windowedExtreme1d(windowedExtreme1d(profile, radius, false), radius, true);
    // The margin also clears the paper grain riding on the line; a line at full strength is cleared outright.
    const margin = f32(settings.strength_margin);
    return profile.map((value, which) => Math.min(f32(margin * f32(value - opened[which])), 1));
  }

  // The ink map without the lines of the given strengths (per row, or per column).
  function clearLines(ink, strength, alongRows) {
    const result = makeMap(ink.height, ink.width, ink.data.slice());
    strength.forEach((lineStrength, which) => {
      // A line of strength 0 is left as it is: (ink - 0) / 1 changes nothing.
      if (lineStrength === 0) return;
      // Renormalise instead of subtracting so a stroke crossing a line keeps its full strength.
      const divisor = Math.max(f32(1 - lineStrength), MIN_DIVISOR);
      const count = alongRows ? ink.width : ink.height;
      for (let along = 0; along < count; along++) {
        const index = alongRows ? which * ink.width + along : along * ink.width + which;
        const cleared = f32(f32(ink.data[index] - lineStrength) / divisor);
        result.data[index] = cleared < 0 ? 0 : cleared > 1 ? 1 : cleared;
      }
    });
    return result;
  }

  // The ink map without thin lines that run across the whole picture (ruled or squared paper).
  function removeRuledLines(ink, spec) {
    const withoutRows = clearLines(ink, lineStrength(ink, true, spec), true);
    return clearLines(withoutRows, lineStrength(withoutRows, false, spec), false);
  }

  // {first, last, coverage} of the ink along one axis: the mass-trimmed core grown over adjacent inked lines.
  function inkSpan(profile, spec) {
    const settings = spec.digit_box;
    const cumulative = new Float64Array(profile.length);
    let running = 0;
    for (let index = 0; index < profile.length; index++) {
      running += profile[index];
      cumulative[index] = running;
    }
    const total = cumulative[profile.length - 1];
    const trim = settings.trim_mass_fraction * total;
    let first = cumulative.findIndex((value) => value > trim);
    let last = cumulative.findIndex((value) => value >= total - trim);
    if (first < 0) first = 0;
    if (last < 0) last = 0;
    const inked = Array.from(profile, (value) => value > settings.empty_line_mass);
    while (first > 0 && inked[first - 1]) first -= 1;
    while (last < profile.length - 1 && inked[last + 1]) last += 1;
    let inkedCount = 0;
    for (let index = first; index <= last; index++) inkedCount += inked[index] ? 1 : 0;
    return { first, last, coverage: inkedCount / (last - first + 1) };
  }

  // {box: {top, bottom, left, right} inclusive, reason: null} around the digit, or {box: null, reason}.
  function findDigitBox(ink, spec) {
    const settings = spec.digit_box;
    const { height, width } = ink;
    const rowMass = new Float32Array(height);
    const columnMass = new Float64Array(width);
    let total = 0;
    for (let y = 0; y < height; y++) {
      let rowSum = 0;
      for (let x = 0; x < width; x++) {
        const value = ink.data[y * width + x];
        rowSum += value;
        columnMass[x] += value;
      }
      rowMass[y] = rowSum;
      total += rowSum;
    }
    if (total < settings.min_ink_mass_fraction * height * width) return { box: null, reason: NO_INK };
    const rows = inkSpan(rowMass, spec);
    const columns = inkSpan(new Float32Array(columnMass), spec);
    // A digit's strokes are connected, so nearly every row and column of its box holds ink; specks leave gaps.
    if (Math.min(rows.coverage, columns.coverage) < settings.min_line_coverage) return { box: null, reason: ONLY_SPECKS };
    return { box: { top: rows.first, bottom: rows.last, left: columns.first, right: columns.last }, reason: null };
  }

  // Mean stroke width in pixels, estimated as 2 * ink area / ink perimeter.
  function strokeWidth(image) {
    const padded = pad(image, 1);
    const { height, width, data } = padded;
    let area = 0;
    let perimeter = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const value = data[y * width + x];
        area += value;
        if (y > 0) perimeter += Math.abs(f32(value - data[(y - 1) * width + x]));
        if (x > 0) perimeter += Math.abs(f32(value - data[y * width + x - 1]));
      }
    }
    return perimeter > 0 ? (2 * area) / perimeter : 0;
  }

  // The digit's crop, with strokes thickened (or thinned) towards MNIST's width once scaled to the box.
  function adjustStrokeWidth(ink, box, spec) {
    const settings = spec.strokes;
    const height = box.bottom - box.top + 1;
    const width = box.right - box.left + 1;
    const digit = crop(ink, box.top, box.left, height, width);
    const scale = spec.canvas.box_side / Math.max(height, width);
    const widthInBox = strokeWidth(digit) * scale;
    if (widthInBox < settings.min_width) {
      // Thin pen strokes in a big photo would shrink to faint hairlines: dilate them before resizing.
      const radius = roundHalfUp((settings.target_width - widthInBox) / 2 / scale);
      if (radius >= 1) return windowedExtreme(pad(digit, radius), radius, true);
    } else if (widthInBox > settings.max_width) {
      // Bold clip-art strokes fill MNIST's box as blobs: erode them, then drop the emptied margin.
      const radius = roundHalfUp((widthInBox - settings.max_width) / 2 / scale);
      if (radius >= 1 && Math.min(height, width) > 2 * radius + 1) {
        const eroded = windowedExtreme(digit, radius, false);
        return crop(eroded, radius, radius, height - 2 * radius, width - 2 * radius);
      }
    }
    return digit;
  }

  // The crop area-resized so its long side is box_side (20), aspect ratio kept.
  function resizeToBox(digit, spec) {
    const boxSide = spec.canvas.box_side;
    const { height, width } = digit;
    const longSide = Math.max(height, width);
    return areaResize(
      digit,
      Math.max(1, roundHalfUp((boxSide * height) / longSide)),
      Math.max(1, roundHalfUp((boxSide * width) / longSide)),
    );
  }

  // The digit divided by its maximum (so the max is 1), or null when it holds no ink.
  function stretchContrast(digit) {
    const peak = digit.data.reduce((best, value) => (value > best ? value : best), -Infinity);
    if (!(peak > 0)) return null;
    return makeMap(digit.height, digit.width, digit.data.map((value) => f32(value / peak)));
  }

  // The whole-pixel shift nearest to shift, halves up, after snapping to 1/1000 px: a symmetric
  // digit's centre of mass sits exactly on a half pixel, and float32 vs float64 sums land a hair
  // either side of it; the snap makes both twins round the same way.
  function roundShift(shift) {
    return roundHalfUp(roundHalfUp(shift * 1000) / 1000);
  }

  // Float32Array(28*28): the digit pasted so its centre of mass sits on the canvas centre (whole-pixel shift).
  function pasteCentred(digit, spec) {
    const canvasSide = spec.canvas.canvas_side;
    const [centreRow, centreColumn] = spec.canvas.centre;
    const { height, width, data } = digit;
    let total = 0;
    let rowMoment = 0;
    let columnMoment = 0;
    for (let row = 0; row < height; row++) {
      for (let column = 0; column < width; column++) {
        const value = data[row * width + column];
        total += value;
        rowMoment += value * row;
        columnMoment += value * column;
      }
    }
    const top = Math.min(Math.max(roundShift(centreRow - rowMoment / total), 0), canvasSide - height);
    const left = Math.min(Math.max(roundShift(centreColumn - columnMoment / total), 0), canvasSide - width);
    const canvas = new Float32Array(canvasSide * canvasSide);
    for (let row = 0; row < height; row++) canvas.set(data.subarray(row * width, (row + 1) * width), (top + row) * canvasSide + left);
    return canvas;
  }

  // {input: Float32Array(784) row-major | null, reason: string | null} for decoded RGBA pixels.
  // `tf` is accepted so callers need not change; the work makes no tensors (see the top of this file).
  function preprocess(tf, rgba, spec) {
    if (!rgba || !rgba.width || !rgba.height || rgba.data.length !== rgba.width * rgba.height * 4) {
      throw new Error('The picture could not be read: it has no pixels.');
    }
    const rgb = compositeAlpha(rgba, spec); // [H,W,3] 0..255
    const background = backgroundColour(rgb, spec); // [3]
    const distance = boundSize(colourDistance(rgb, background), spec); // [h,w], long side <= 256
    const { ink, contrast } = normaliseInk(distance, spec); // [h,w] 0..1
    if (contrast < spec.ink.min_contrast) return { input: null, reason: NO_CONTRAST };
    const cleaned = removeRuledLines(ink, spec);
    const { box, reason } = findDigitBox(cleaned, spec);
    if (!box) return { input: null, reason };
    const digitCrop = adjustStrokeWidth(cleaned, box, spec); // [bh,bw]
    const digit = stretchContrast(resizeToBox(digitCrop, spec)); // [<=20,<=20], max 1
    if (!digit) return { input: null, reason: NO_INK };
    return { input: pasteCentred(digit, spec), reason: null }; // [28,28]
  }

  window.snapmathPreprocess = { preprocess };
})();
