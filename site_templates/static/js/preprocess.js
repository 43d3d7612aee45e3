// Turn decoded RGBA pixels into the 28x28 model input: the tf-ops twin of the preprocessing spec.
//
// Twin: training/preprocess.py (numpy). Both read training/preprocess_spec.json (the page gets it
// as config.preprocess) and run the same steps, with the same names, in the same order;
// tests/browser/test_preprocess_twins.py proves they agree to 1e-4 per pixel. Pixel maps are tf ops
// in float32, elementwise identical to numpy; order statistics and the 1-D line profiles are plain
// JS on the downloaded values, computed exactly as the Python twin does.
//
// Steps: compositeAlpha -> backgroundColour -> colourDistance -> boundSize -> normaliseInk
//   -> removeRuledLines -> findDigitBox -> adjustStrokeWidth -> resizeToBox -> stretchContrast
//   -> pasteCentred
(function () {
  'use strict';

  const NO_CONTRAST = 'The picture is blank or nearly uniform: no digit found.';
  const NO_INK = 'There is too little ink in the picture: no digit found.';
  const ONLY_SPECKS = 'The picture holds only scattered specks: no digit found.';
  const LUMINANCE_WEIGHTS = [0.299, 0.587, 0.114];
  const MIN_DIVISOR = 0.001; // keeps renormalisation finite where a line is at full strength

  // ---- Shared helpers, computed as in the Python twin -------------------------------------

  function roundHalfUp(value) {
    return Math.floor(value + 0.5);
  }

  // The sorted value at index floor(percentile/100 * (n-1)): exact, no interpolation.
  function orderStatistic(values, percentile) {
    const sorted = Float32Array.from(values).sort();
    return sorted[Math.floor((percentile / 100) * (sorted.length - 1))];
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

  // One axis of an area resize: the banded area matrix applied as a few weighted gathers, since the
  // CPU backend's dense matMul of a whole photo takes seconds. Same weights, same sums as numpy's
  // matrix product, up to float rounding.
  function areaResizeAxis(tf, image, sizeOut, axis) {
    const sizeIn = image.shape[axis];
    const weights = areaMatrix(sizeIn, sizeOut);
    const taps = [];
    for (let outIndex = 0; outIndex < sizeOut; outIndex++) {
      let tap = 0;
      for (let inIndex = 0; inIndex < sizeIn; inIndex++) {
        const weight = weights[outIndex * sizeIn + inIndex];
        if (weight === 0) continue;
        if (!taps[tap]) taps[tap] = { indices: new Int32Array(sizeOut), weights: new Float32Array(sizeOut) };
        taps[tap].indices[outIndex] = inIndex;
        taps[tap].weights[outIndex] = weight;
        tap += 1;
      }
    }
    const weightShape = axis === 0 ? [sizeOut, 1] : [1, sizeOut];
    let result = null;
    for (const tap of taps) {
      const gathered = tf.gather(image, tf.tensor1d(tap.indices, 'int32'), axis);
      const weighted = tf.mul(gathered, tf.tensor2d(tap.weights, weightShape));
      result = result ? tf.add(result, weighted) : weighted;
    }
    return result;
  }

  // image [H,W] resized to [height,width] by area averaging: rows @ image @ columns^T, as in numpy.
  function areaResize(tf, image, height, width) {
    return areaResizeAxis(tf, areaResizeAxis(tf, image, height, 0), width, 1);
  }

  // Values of the outer ring (width = fraction of the long side, at least 1) of a [H,W,channels]
  // row-major array, one array per channel, in the Python twin's order.
  function borderRing(values, height, width, channels, fraction) {
    const ring = Math.max(1, roundHalfUp(fraction * Math.max(height, width)));
    const whole = 2 * ring >= height || 2 * ring >= width;
    const perChannel = [];
    for (let channel = 0; channel < channels; channel++) perChannel.push([]);
    const take = (row, column) => {
      for (let channel = 0; channel < channels; channel++) {
        perChannel[channel].push(values[(row * width + column) * channels + channel]);
      }
    };
    const block = (rowStart, rowEnd, columnStart, columnEnd) => {
      for (let row = rowStart; row < rowEnd; row++) {
        for (let column = columnStart; column < columnEnd; column++) take(row, column);
      }
    };
    if (whole) {
      block(0, height, 0, width);
    } else {
      block(0, ring, 0, width);
      block(height - ring, height, 0, width);
      block(ring, height - ring, 0, ring);
      block(ring, height - ring, width - ring, width);
    }
    return perChannel.map((list) => Float32Array.from(list));
  }

  // Max (or min) over the window of radius r around each entry of a 1-D array, inside it only.
  function windowedExtreme1d(values, radius, takeMax) {
    const result = new Float32Array(values.length);
    for (let index = 0; index < values.length; index++) {
      let extreme = values[index];
      const last = Math.min(values.length - 1, index + radius);
      for (let other = Math.max(0, index - radius); other <= last; other++) {
        extreme = takeMax ? Math.max(extreme, values[other]) : Math.min(extreme, values[other]);
      }
      result[index] = extreme;
    }
    return result;
  }

  // Max (or min) over the (2r+1)x(2r+1) window around each pixel of a [H,W] tensor, inside it only
  // ('same' pooling ignores the padding), separably as in the Python twin.
  function windowedExtreme(tf, image, radius, takeMax) {
    const size = 2 * radius + 1;
    const [height, width] = image.shape;
    let batch = tf.reshape(image, [1, height, width, 1]);
    if (!takeMax) batch = tf.neg(batch);
    batch = tf.maxPool(batch, [size, 1], [1, 1], 'same');
    batch = tf.maxPool(batch, [1, size], [1, 1], 'same');
    if (!takeMax) batch = tf.neg(batch);
    return tf.reshape(batch, [height, width]);
  }

  // ---- The spec steps, in order -----------------------------------------------------------

  // float32 RGB [H,W,3] in 0..255: the picture over white, or over black when its visible content is light.
  function compositeAlpha(tf, rgba, spec) {
    const { data, width, height } = rgba;
    // Split the channels in plain JS: strided tf slices of a big picture are slow on the CPU backend.
    const colours = new Float32Array(width * height * 3);
    const alphas = new Float32Array(width * height);
    let opaque = true;
    for (let pixel = 0; pixel < width * height; pixel++) {
      colours[3 * pixel] = data[4 * pixel];
      colours[3 * pixel + 1] = data[4 * pixel + 1];
      colours[3 * pixel + 2] = data[4 * pixel + 2];
      alphas[pixel] = data[4 * pixel + 3];
      if (data[4 * pixel + 3] !== 255) opaque = false;
    }
    const rgb = tf.tensor3d(colours, [height, width, 3]);
    if (opaque) return rgb;
    const alpha = tf.div(tf.tensor3d(alphas, [height, width, 1]), 255);
    // A white digit on a transparent background would vanish over white: pick the matte that contrasts.
    const luminance = tf.sum(tf.mul(rgb, tf.tensor1d(LUMINANCE_WEIGHTS)), 2, true);
    const alphaTotal = tf.sum(alpha).dataSync()[0];
    const meanLuminance = alphaTotal > 0 ? tf.sum(tf.mul(luminance, alpha)).dataSync()[0] / alphaTotal : 0;
    const matte = meanLuminance > spec.composite.light_content_luminance ? 0 : 255;
    return tf.add(matte, tf.mul(tf.sub(rgb, matte), alpha));
  }

  // [3]: the per-channel (lower) median of the border ring, taken as the paper colour.
  function backgroundColour(rgb, spec) {
    const [height, width] = rgb.shape;
    const ring = borderRing(rgb.dataSync(), height, width, 3, spec.background.border_fraction);
    return ring.map((channel) => orderStatistic(channel, 50));
  }

  // [H,W]: Euclidean RGB distance of each pixel from the background colour.
  function colourDistance(tf, rgb, background) {
    const difference = tf.sub(rgb, tf.tensor1d(background));
    return tf.sqrt(tf.sum(tf.mul(difference, difference), 2));
  }

  // The distance map area-averaged so its long side is at most max_working_side (unchanged if smaller).
  function boundSize(tf, distance, spec) {
    const maxSide = spec.bound.max_working_side;
    const factor = Math.floor(Math.max(...distance.shape) / maxSide);
    if (factor >= 2) {
      // Whole blocks first (cheap, linear time); the matrix products then only bridge the last < 2x.
      const [fullHeight, fullWidth] = distance.shape;
      const batch = tf.reshape(distance, [1, fullHeight, fullWidth, 1]);
      const pooled = tf.avgPool(batch, factor, factor, 'valid');
      distance = tf.reshape(pooled, [Math.floor(fullHeight / factor), Math.floor(fullWidth / factor)]);
    }
    const [height, width] = distance.shape;
    if (Math.max(height, width) <= maxSide) return distance;
    const scale = maxSide / Math.max(height, width);
    return areaResize(tf, distance, Math.max(1, roundHalfUp(height * scale)), Math.max(1, roundHalfUp(width * scale)));
  }

  // {ink [h,w] in 0..1, contrast}: distance above the paper-noise floor, saturating at typical ink.
  function normaliseInk(tf, distance, spec) {
    const settings = spec.ink;
    const values = distance.dataSync();
    const contrast = orderStatistic(values, settings.peak_percentile);
    if (!(contrast > 0)) return { ink: tf.zerosLike(distance), contrast: 0 };
    // The paper's own variation (texture, JPEG noise, gradient) is measured on the border ring.
    const [height, width] = distance.shape;
    const ring = borderRing(values, height, width, 1, spec.background.border_fraction)[0];
    const noise = orderStatistic(ring, settings.border_noise_percentile);
    const floor =
      Math.min(Math.max((settings.noise_margin * noise) / contrast, settings.min_floor), settings.max_floor) * contrast;
    // Saturate at a middle value of the ink itself, so shaded, 3D and multicolour digits come out solid.
    const candidates = values.filter((value) => value > floor);
    const saturation = candidates.length
      ? Math.max(orderStatistic(candidates, settings.saturation_percentile), floor + 1)
      : contrast;
    // A soft floor keeps the map continuous, so the twins cannot flip a hard threshold differently.
    const scaled = tf.div(tf.sub(distance, Math.fround(floor)), Math.fround(saturation - floor));
    return { ink: tf.clipByValue(scaled, 0, 1), contrast };
  }

  // [lines]: per line of a [lines, length] row-major array, the strength of a thin line spanning it.
  function lineStrength(values, lines, length, spec) {
    const settings = spec.ruled_lines;
    const profile = new Float32Array(lines);
    for (let line = 0; line < lines; line++) {
      profile[line] = orderStatistic(values.subarray(line * length, (line + 1) * length), settings.row_percentile);
    }
    const radius = Math.max(1, roundHalfUp(settings.max_line_thickness_fraction * Math.max(lines, length)));
    // White top-hat of the profile: what an opening (min then max over the window) removes is thin.
    const opened = windowedExtreme1d(windowedExtreme1d(profile, radius, false), radius, true);
    const strength = new Float32Array(lines);
    for (let line = 0; line < lines; line++) {
      // The margin also clears the paper grain riding on the line; a line at full strength is cleared outright.
      const margin = Math.fround(settings.strength_margin);
      strength[line] = Math.min(Math.fround(margin * Math.fround(profile[line] - opened[line])), 1);
    }
    return strength;
  }

  // The ink map without thin lines that run across the whole picture (ruled or squared paper).
  function removeRuledLines(tf, ink, spec) {
    const [height, width] = ink.shape;
    const rowStrength = tf.tensor2d(lineStrength(ink.dataSync(), height, width, spec), [height, 1]);
    // Renormalise instead of subtracting so a stroke crossing a line keeps its full strength.
    ink = tf.clipByValue(tf.div(tf.sub(ink, rowStrength), tf.maximum(tf.sub(1, rowStrength), MIN_DIVISOR)), 0, 1);
    const columns = tf.transpose(ink).dataSync();
    const columnStrength = tf.tensor2d(lineStrength(columns, width, height, spec), [1, width]);
    return tf.clipByValue(tf.div(tf.sub(ink, columnStrength), tf.maximum(tf.sub(1, columnStrength), MIN_DIVISOR)), 0, 1);
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
  function findDigitBox(tf, ink, spec) {
    const settings = spec.digit_box;
    const total = tf.sum(ink).dataSync()[0];
    if (total < settings.min_ink_mass_fraction * ink.size) return { box: null, reason: NO_INK };
    const rows = inkSpan(tf.sum(ink, 1).dataSync(), spec);
    const columns = inkSpan(tf.sum(ink, 0).dataSync(), spec);
    // A digit's strokes are connected, so nearly every row and column of its box holds ink; specks leave gaps.
    if (Math.min(rows.coverage, columns.coverage) < settings.min_line_coverage) return { box: null, reason: ONLY_SPECKS };
    return { box: { top: rows.first, bottom: rows.last, left: columns.first, right: columns.last }, reason: null };
  }

  // Mean stroke width in pixels, estimated as 2 * ink area / ink perimeter.
  function strokeWidth(tf, crop) {
    const padded = tf.pad(crop, [
      [1, 1],
      [1, 1],
    ]);
    const [height, width] = padded.shape;
    const area = tf.sum(padded).dataSync()[0];
    const vertical = tf.sub(tf.slice(padded, [1, 0], [height - 1, width]), tf.slice(padded, [0, 0], [height - 1, width]));
    const horizontal = tf.sub(tf.slice(padded, [0, 1], [height, width - 1]), tf.slice(padded, [0, 0], [height, width - 1]));
    const perimeter = tf.sum(tf.abs(vertical)).dataSync()[0] + tf.sum(tf.abs(horizontal)).dataSync()[0];
    return perimeter > 0 ? (2 * area) / perimeter : 0;
  }

  // The digit's crop, with strokes thickened (or thinned) towards MNIST's width once scaled to the box.
  function adjustStrokeWidth(tf, ink, box, spec) {
    const settings = spec.strokes;
    const height = box.bottom - box.top + 1;
    const width = box.right - box.left + 1;
    const crop = tf.slice(ink, [box.top, box.left], [height, width]);
    const scale = spec.canvas.box_side / Math.max(height, width);
    const widthInBox = strokeWidth(tf, crop) * scale;
    if (widthInBox < settings.min_width) {
      // Thin pen strokes in a big photo would shrink to faint hairlines: dilate them before resizing.
      const radius = roundHalfUp((settings.target_width - widthInBox) / 2 / scale);
      if (radius >= 1) {
        const padded = tf.pad(crop, [
          [radius, radius],
          [radius, radius],
        ]);
        return windowedExtreme(tf, padded, radius, true);
      }
    } else if (widthInBox > settings.max_width) {
      // Bold clip-art strokes fill MNIST's box as blobs: erode them, then drop the emptied margin.
      const radius = roundHalfUp((widthInBox - settings.max_width) / 2 / scale);
      if (radius >= 1 && Math.min(height, width) > 2 * radius + 1) {
        const eroded = windowedExtreme(tf, crop, radius, false);
        return tf.slice(eroded, [radius, radius], [height - 2 * radius, width - 2 * radius]);
      }
    }
    return crop;
  }

  // The crop area-resized so its long side is box_side (20), aspect ratio kept.
  function resizeToBox(tf, crop, spec) {
    const boxSide = spec.canvas.box_side;
    const [height, width] = crop.shape;
    const longSide = Math.max(height, width);
    return areaResize(
      tf,
      crop,
      Math.max(1, roundHalfUp((boxSide * height) / longSide)),
      Math.max(1, roundHalfUp((boxSide * width) / longSide)),
    );
  }

  // The digit divided by its maximum (so the max is 1), or null when it holds no ink.
  function stretchContrast(tf, digit) {
    const peak = tf.max(digit).dataSync()[0];
    return peak > 0 ? tf.div(digit, peak) : null;
  }

  // [28,28]: the digit pasted so its centre of mass sits on the canvas centre (whole-pixel shift).
  // The whole-pixel shift nearest to shift, halves up, after snapping to 1/1000 px: a symmetric
  // digit's centre of mass sits exactly on a half pixel, and float32 vs float64 sums land a hair
  // either side of it; the snap makes both twins round the same way.
  function roundShift(shift) {
    return roundHalfUp(roundHalfUp(shift * 1000) / 1000);
  }

  function pasteCentred(tf, digit, spec) {
    const canvasSide = spec.canvas.canvas_side;
    const [centreRow, centreColumn] = spec.canvas.centre;
    const [height, width] = digit.shape;
    const values = digit.dataSync();
    let total = 0;
    let rowMoment = 0;
    let columnMoment = 0;
    for (let row = 0; row < height; row++) {
      for (let column = 0; column < width; column++) {
        const value = values[row * width + column];
        total += value;
        rowMoment += value * row;
        columnMoment += value * column;
      }
    }
    const top = Math.min(Math.max(roundShift(centreRow - rowMoment / total), 0), canvasSide - height);
    const left = Math.min(Math.max(roundShift(centreColumn - columnMoment / total), 0), canvasSide - width);
    return tf.pad(digit, [
      [top, canvasSide - top - height],
      [left, canvasSide - left - width],
    ]);
  }

  // {input: Float32Array(784) row-major | null, reason: string | null} for decoded RGBA pixels.
  function preprocess(tf, rgba, spec) {
    if (!rgba || !rgba.width || !rgba.height || rgba.data.length !== rgba.width * rgba.height * 4) {
      throw new Error('The picture could not be read: it has no pixels.');
    }
    return tf.tidy(() => {
      const rgb = compositeAlpha(tf, rgba, spec); // [H,W,3] 0..255
      const background = backgroundColour(rgb, spec); // [3]
      const distance = boundSize(tf, colourDistance(tf, rgb, background), spec); // [h,w], long side <= 512
      const { ink, contrast } = normaliseInk(tf, distance, spec); // [h,w] 0..1
      if (contrast < spec.ink.min_contrast) return { input: null, reason: NO_CONTRAST };
      const cleaned = removeRuledLines(tf, ink, spec);
      const { box, reason } = findDigitBox(tf, cleaned, spec);
      if (!box) return { input: null, reason };
      const crop = adjustStrokeWidth(tf, cleaned, box, spec); // [bh,bw]
      const digit = stretchContrast(tf, resizeToBox(tf, crop, spec)); // [<=20,<=20], max 1
      if (!digit) return { input: null, reason: NO_INK };
      return { input: Float32Array.from(pasteCentred(tf, digit, spec).dataSync()), reason: null }; // [28,28]
    });
  }

  window.snapmathPreprocess = { preprocess };
})();
