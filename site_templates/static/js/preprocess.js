// Turn decoded RGBA pixels into the 28x28 model input: the JS twin of the preprocessing spec.
//
// Twin: training/preprocess.py (numpy). Both read training/preprocess_spec.json (the page gets it
// as config.preprocess) and run the same steps, with the same names, in the same order;
// tests/browser/test_preprocess_twins.py proves they agree to 1e-4 per pixel.
//
// Every step runs as plain loops over Float32Arrays, no tf ops (each step's comment says how). On the CPU
// backend each tf op allocates a new map and walks it with a generic kernel, ~1 ms per op on a 250x188
// map against ~0.1 ms for a fused loop; measured A/B in headless Chromium, the full-map steps as tf ops
// made preprocess ~25 ms instead of ~2.5 ms. The last tf ops here (the ink map's sub/div/clip, the
// contrast stretch, tf.pad) went too: after a photo, running them left the model's conv2d kernel twice
// as slow for the rest of the page's life (README, "A long-lived page"). Statistics are exact: order
// statistics by quickselect (the same element as numpy's partition), line profiles, the digit box, the
// windowed max/min, stroke width, centre of mass. Elementwise results are float32 (Math.fround, as
// numpy's float32 arrays and as a tf op would store them), so the maps match the twin's bit for bit
// (see colourDistance for the one shortcut); only sums (and the area resize's, matrix products in the
// twin) differ in rounding.
//
// A map is {data: Float32Array (row-major), height, width}; the RGB picture adds `channels`, the
// values per pixel (4 when it is the decoded RGBA itself, whose alpha is then ignored; its crops then hold
// bytes too).
//
// Steps: compositeAlpha -> locate (locate.js) -> per digit found: markMask -> paperColour -> colourDistance
//   -> boundSize -> normaliseInk -> (times the mask) -> removeRuledLines -> findDigitBox
//   -> adjustStrokeWidth -> resizeToBox -> stretchContrast -> pasteCentred
(function () {
  "use strict";

  const NO_CONTRAST = "The picture is blank or nearly uniform: no digit found.";
  const NO_INK = "There is too little ink in the picture: no digit found.";
  const ONLY_SPECKS = "The picture holds only scattered specks: no digit found.";
  const LUMINANCE_WEIGHTS = Float32Array.from([0.299, 0.587, 0.114]); // float32, as numpy's
  const MIN_DIVISOR = Math.fround(0.001); // keeps renormalisation finite where a line is at full strength
  const f32 = Math.fround;

  // ---- Shared helpers, computed as in the Python twin (pixels.js) ----

  // The helpers training/pixels.py gives the Python twin too...
  const { roundHalfUp, orderStatistic, borderRing, windowedExtreme } = window.snapmathPixels;
  // ...the in-place and 1-d cores of two of them (where the twin calls order_statistic and windowed_extreme),
  // and what numpy arrays give the twin for free (a map, np.pad, slicing).
  const { selectInPlace, windowedExtreme1d, makeMap, pad, crop } = window.snapmathPixels;

  // Per output cell o, the first input cell it covers and the weights of those it covers: the non-zero
  // band of row o of the Python twin's [sizeOut, sizeIn] area matrix (float32 weights, as there).
  function areaBands(sizeIn, sizeOut) {
    const step = sizeIn / sizeOut;
    const bands = [];
    for (let outIndex = 0; outIndex < sizeOut; outIndex++) {
      const start = outIndex * step;
      const end = (outIndex + 1) * step;
      const first = Math.floor(start);
      const weights = new Float32Array(Math.max(0, Math.min(sizeIn, Math.ceil(end)) - first));
      for (let inIndex = first; inIndex < first + weights.length; inIndex++) {
        const overlap = Math.min(end, inIndex + 1) - Math.max(start, inIndex);
        if (overlap > 0) weights[inIndex - first] = overlap / step;
      }
      bands.push({ first, weights });
    }
    return bands;
  }

  // JS (the matrix products' non-zero bands only; tf.matMul over the dense matrices cost tens of ms): a map
  // resized to [height,width] by area averaging, rows @ map @ columns^T, rows first as in numpy. Sums run in
  // doubles and round to float32 once per product, as the twin's float64 products do.
  function areaResize(map, height, width) {
    const rows = areaBands(map.height, height);
    const columns = areaBands(map.width, width);
    const tall = new Float32Array(height * map.width); // rows @ map
    for (let y = 0; y < height; y++) {
      const { first, weights } = rows[y];
      for (let x = 0; x < map.width; x++) {
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += weights[k] * map.data[(first + k) * map.width + x];
        tall[y * map.width + x] = sum;
      }
    }
    const resized = makeMap(height, width); // (rows @ map) @ columns^T
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const { first, weights } = columns[x];
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += weights[k] * tall[y * map.width + first + k];
        resized.data[y * width + x] = sum;
      }
    }
    return resized;
  }

  // ---- The spec steps, in order -----------------------------------------------------------

  // JS (a full-map step: loops beat per-op tf maps, see the top): float32 RGB [H,W,3] in 0..255: the
  // picture over white, or over black when its visible content is light.
  // An opaque picture is returned as it is (its RGBA bytes are the same numbers), saving a copy.
  function compositeAlpha(rgba, spec) {
    const { data, width, height } = rgba;
    const pixels = width * height;
    let alphaBits = 255; // every alpha ANDed: 255 only when all are
    for (let at = 3; at < data.length; at += 4) alphaBits &= data[at];
    if (alphaBits === 255) return { data, height, width, channels: 4 };
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

  // JS (exact order statistics): [3], the per-channel (lower) median of the border ring, taken as the
  // paper colour.
  function backgroundColour(rgb, spec) {
    const ring = borderRing(rgb.data, rgb.height, rgb.width, rgb.channels, spec.background.border_fraction);
    return ring.slice(0, 3).map((channel) => orderStatistic(channel, 50));
  }

  // JS (a full-map step, see the top): [H,W], the Euclidean RGB distance of each pixel from the
  // background colour.
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

  // JS: a digit's map (its crop of the decoded picture) area-averaged so its long side is at most
  // max_working_side (unchanged if smaller). Whole blocks first (cheap, linear time), as block sums in
  // plain loops (tf.sum over a [h, f, w, f] reshape walks a generic transpose first: ~8 ms on a photo's
  // crop); the area resize then only bridges the last < 2x.
  function boundSize(distance, spec) {
    const maxSide = spec.bound.max_working_side;
    if (Math.max(distance.height, distance.width) <= maxSide) return distance;
    const factor = Math.floor(Math.max(distance.height, distance.width) / maxSide);
    let map = distance;
    if (factor >= 2) {
      const height = Math.floor(distance.height / factor);
      const width = Math.floor(distance.width / factor);
      const sums = new Float64Array(width);
      map = makeMap(height, width);
      for (let row = 0; row < height; row++) {
        sums.fill(0);
        for (let y = row * factor; y < (row + 1) * factor; y++) {
          let at = y * distance.width;
          for (let column = 0; column < width; column++) {
            for (let step = 0; step < factor; step++) sums[column] += distance.data[at++];
          }
        }
        for (let column = 0; column < width; column++)
          map.data[row * width + column] = f32(sums[column] / (factor * factor));
      }
    }
    if (Math.max(map.height, map.width) <= maxSide) return map;
    const scale = maxSide / Math.max(map.height, map.width);
    return areaResize(map, Math.max(1, roundHalfUp(map.height * scale)), Math.max(1, roundHalfUp(map.width * scale)));
  }

  // JS: {ink [h,w] in 0..1, contrast}, the distance above the paper-noise floor (exact order statistics),
  // saturating at typical ink; each value as float32 (d - floor) / (saturation - floor), clipped to [0, 1].
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
      ? Math.max(
          selectInPlace(candidates, Math.floor((settings.saturation_percentile / 100) * (candidates.length - 1))),
          floor + 1,
        )
      : contrast;
    // A soft floor keeps the map continuous, so the twins cannot flip a hard threshold differently.
    const low = f32(floor);
    const span = f32(saturation - floor);
    const ink = makeMap(distance.height, distance.width);
    for (let index = 0; index < values.length; index++) {
      const scaled = f32(f32(values[index] - low) / span);
      ink.data[index] = scaled < 0 ? 0 : scaled > 1 ? 1 : scaled;
    }
    return { ink, contrast };
  }

  // JS (a per-line order statistic and a 1-D top-hat): [lines], per row (or column) of the ink map, the
  // strength of a thin line spanning it, else 0.
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

  // JS (a full-map step, see the top; it touches only the lines of non-zero strength): the ink map
  // without the lines of the given strengths (per row, or per column).
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

  // JS (line strengths, then clearLines): the ink map without thin lines that run across the whole
  // picture (ruled or squared paper).
  function removeRuledLines(ink, spec) {
    const withoutRows = clearLines(ink, lineStrength(ink, true, spec), true);
    return clearLines(withoutRows, lineStrength(withoutRows, false, spec), false);
  }

  // JS (a scan of one profile): {first, last, coverage} of the ink along one axis: the mass-trimmed core
  // grown over adjacent inked lines.
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

  // JS (row and column sums in one pass, then a search): {box: {top, bottom, left, right} inclusive,
  // reason: null} around the digit, or {box: null, reason}.
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
    if (Math.min(rows.coverage, columns.coverage) < settings.min_line_coverage)
      return { box: null, reason: ONLY_SPECKS };
    return { box: { top: rows.first, bottom: rows.last, left: columns.first, right: columns.last }, reason: null };
  }

  // JS (two sums in one pass): the mean stroke width in pixels, estimated as 2 * ink area / ink perimeter.
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

  // JS (the stroke width and the O(1)-per-pixel windowed max/min; tf.maxPool walks the whole window):
  // the digit's crop, with strokes thickened (or thinned) towards MNIST's width once scaled to the box.
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

  // JS: the crop area-resized so its long side is box_side (20), aspect ratio kept.
  function resizeToBox(digit, spec) {
    const boxSide = spec.canvas.box_side;
    const longSide = Math.max(digit.height, digit.width);
    const height = Math.max(1, roundHalfUp((boxSide * digit.height) / longSide));
    const width = Math.max(1, roundHalfUp((boxSide * digit.width) / longSide));
    return areaResize(digit, height, width);
  }

  // JS: the digit divided by its maximum (so the max is 1), or null when it holds no ink.
  function stretchContrast(digit) {
    let peak = -Infinity;
    for (const value of digit.data) if (value > peak) peak = value;
    if (!(peak > 0)) return null;
    const stretched = makeMap(digit.height, digit.width);
    for (let index = 0; index < digit.data.length; index++) stretched.data[index] = f32(digit.data[index] / peak);
    return stretched;
  }

  // The whole-pixel shift nearest to shift, halves up, after snapping to 1/1000 px: a symmetric
  // digit's centre of mass sits exactly on a half pixel, and float32 vs float64 sums land a hair
  // either side of it; the snap makes both twins round the same way.
  function roundShift(shift) {
    return roundHalfUp(roundHalfUp(shift * 1000) / 1000);
  }

  // JS: Float32Array [28*28], the digit pasted so its centre of mass sits on the canvas centre (whole-pixel shift).
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
    for (let row = 0; row < height; row++) {
      canvas.set(data.subarray(row * width, (row + 1) * width), (top + row) * canvasSide + left);
    }
    return canvas;
  }

  // ---- Reading the digits the localisation found (locate.js) -------------------------------

  // {input: Float32Array(784) | null, reason}: one digit's ink map read into the 28x28 model input.
  function readDigit(ink, spec) {
    const cleaned = removeRuledLines(ink, spec);
    const { box, reason } = findDigitBox(cleaned, spec);
    if (!box) return { input: null, reason };
    const digitCrop = adjustStrokeWidth(cleaned, box, spec); // [bh,bw]
    const digit = stretchContrast(resizeToBox(digitCrop, spec)); // [<=20,<=20], max 1
    if (!digit) return { input: null, reason: NO_INK };
    return { input: pasteCentred(digit, spec), reason: null }; // [28,28]
  }

  // {top, bottom, left, right}, exclusive ends: a mark's box on the map in decoded pixels. The map drops
  // the last rows and columns that do not fill a block; a mark on the map's edge keeps them.
  function markRegion(mark, located, height, width) {
    const { factor, mapHeight, mapWidth } = located;
    return {
      top: mark.top * factor,
      bottom: mark.bottom === mapHeight - 1 ? height : (mark.bottom + 1) * factor,
      left: mark.left * factor,
      right: mark.right === mapWidth - 1 ? width : (mark.right + 1) * factor,
    };
  }

  // Int32Array: how many map pixels hold each label (0: no mark).
  function markAreas(labels) {
    let count = 0;
    for (let index = 0; index < labels.length; index++) count = Math.max(count, labels[index] + 1);
    const areas = new Int32Array(count);
    for (let index = 0; index < labels.length; index++) areas[labels[index]] += 1;
    return areas;
  }

  // {near, mask}: maps over a region of the decoded picture. near: 1 within the dilation of the mark's own
  // parts (the paper's colour is sampled away from it), which keeps the faint stroke edges the map missed.
  // mask: near without the other marks it reaches (a box drawn close around a small digit, taken off as a
  // frame or left as a mark of its own), though specks beside it may be its own crumbs (a chalk stroke's).
  // What lies farther away in the crop (neighbouring digits, lines, specks) is out of both. An underline
  // taken off stays in: the digit's own base may be it.
  function markMask(located, mark, region, spec) {
    const { labels, takenOff, mapHeight, mapWidth, factor } = located;
    const dilation = spec.locate.mask_dilation;
    const height = region.bottom - region.top;
    const width = region.right - region.left;
    const mapRow = (y) => Math.min(Math.floor((region.top + y) / factor), mapHeight - 1);
    const mapColumn = (x) => Math.min(Math.floor((region.left + x) / factor), mapWidth - 1);
    // Only the map cells under the region count, and those within the dilation of them (the same
    // numbers as dilating the whole map: a window is cut only where the map ends).
    const top = Math.max(0, mapRow(0) - dilation);
    const left = Math.max(0, mapColumn(0) - dilation);
    const bottom = Math.min(mapHeight - 1, mapRow(height - 1) + dilation);
    const right = Math.min(mapWidth - 1, mapColumn(width - 1) + dilation);
    const wanted = new Uint8Array(Math.max(...mark.labels) + 1); // 1 at the mark's own labels
    for (const label of mark.labels) wanted[label] = 1;
    // The mark's own cells under the window, and where the mask stops short of `near` (offsets in the
    // window): the frames taken off, and the other marks but specks. The marks' areas are counted only when
    // another mark is there, as seldom.
    const own = makeMap(bottom - top + 1, right - left + 1);
    const cut = [];
    const minArea = spec.locate.stray.speck_fraction * mark.area;
    let areas = null;
    for (let row = top; row <= bottom; row++) {
      for (let column = left; column <= right; column++) {
        const index = row * mapWidth + column;
        const label = labels[index];
        const offset = (row - top) * own.width + column - left;
        own.data[offset] = label < wanted.length ? wanted[label] : 0;
        if (takenOff && takenOff[index]) cut.push(offset);
        else if (label > 0 && !own.data[offset]) {
          areas = areas || markAreas(labels);
          if (areas[label] >= minArea) cut.push(offset);
        }
      }
    }
    const near = windowedExtreme(own, dilation, true);
    const kept = cut.length ? makeMap(near.height, near.width, near.data.slice()) : near;
    for (const offset of cut) kept.data[offset] = 0;
    // Spread over the region's pixels: each pixel column's column of the map found once, and a pixel row
    // on the same map row as the one above copied from it.
    const mapColumns = new Int32Array(width);
    for (let x = 0; x < width; x++) mapColumns[x] = mapColumn(x) - left;
    const spread = (map) => {
      const spreadOut = makeMap(height, width);
      for (let y = 0; y < height; y++) {
        if (y > 0 && mapRow(y) === mapRow(y - 1)) {
          spreadOut.data.copyWithin(y * width, (y - 1) * width, y * width);
          continue;
        }
        const rowStart = (mapRow(y) - top) * map.width;
        for (let x = 0; x < width; x++) spreadOut.data[y * width + x] = map.data[rowStart + mapColumns[x]];
      }
      return spreadOut;
    };
    const nearSpread = spread(near);
    return { near: nearSpread, mask: kept === near ? nearSpread : spread(kept) };
  }

  // The RGB pixels of a region of a picture ({data, height, width, channels}), as a 3-channel picture in the
  // same type of array (whole bytes stay bytes, for paperColour).
  function cropRgb(rgb, region) {
    const height = region.bottom - region.top;
    const width = region.right - region.left;
    const data = new rgb.data.constructor(height * width * 3);
    const { channels } = rgb;
    for (let y = 0; y < height; y++) {
      let from = ((region.top + y) * rgb.width + region.left) * channels;
      let to = y * width * 3;
      for (let x = 0; x < width; x++, from += channels, to += 3) {
        data[to] = rgb.data[from];
        data[to + 1] = rgb.data[from + 1];
        data[to + 2] = rgb.data[from + 2];
      }
    }
    return { data, height, width, channels: 3 };
  }

  // paperColour's medians where the crop holds whole bytes (an opaque picture's): each channel's values
  // counted into 256 bins, which gives the same value as selecting it, in one pass with no hard-to-predict
  // branches.
  function byteMedians(bytes, mask, width, height, step, count) {
    const bins = new Int32Array(3 * 256);
    for (let y = 0; y < height; y += step) {
      for (let x = 0; x < width; x += step) {
        const pixel = y * width + x;
        if (mask[pixel] !== 0) continue;
        bins[bytes[pixel * 3]]++;
        bins[256 + bytes[pixel * 3 + 1]]++;
        bins[512 + bytes[pixel * 3 + 2]]++;
      }
    }
    return [0, 256, 512].map((first) => {
      let below = Math.floor(0.5 * (count - 1)); // selectInPlace's index
      let value = 0;
      while (bins[first + value] <= below) below -= bins[first + value++];
      return value;
    });
  }

  // [3]: the per-channel (lower) median of the crop away from the mark (mask 0), the paper around it. Not
  // the crop's border ring: a box drawn round the digit, or the desk, can fill the crop's edges. Sampled
  // every `step` rows and columns, as boundSize's blocks: the working resolution is enough for a median.
  function paperColour(crop, mask, spec) {
    const { height, width, data } = mask;
    const step = Math.max(1, Math.floor(Math.max(height, width) / spec.bound.max_working_side));
    let sampled = 0;
    let count = 0;
    for (let y = 0; y < height; y += step) {
      for (let x = 0; x < width; x += step, sampled++) if (data[y * width + x] === 0) count++;
    }
    if (count < spec.locate.min_paper_fraction * sampled) return backgroundColour(crop, spec);
    if (crop.data instanceof Uint8ClampedArray) return byteMedians(crop.data, data, width, height, step, count);
    const channels = [new Float32Array(count), new Float32Array(count), new Float32Array(count)];
    let taken = 0;
    for (let y = 0; y < height; y += step) {
      for (let x = 0; x < width; x += step) {
        const pixel = y * width + x;
        if (data[pixel] !== 0) continue;
        for (let channel = 0; channel < 3; channel++) channels[channel][taken] = crop.data[pixel * 3 + channel];
        taken++;
      }
    }
    // Each channel is its own copy: selected in place.
    return channels.map((values) => selectInPlace(values, Math.floor(0.5 * (count - 1))));
  }

  // {input | null, reason, box: {x, y, width, height}}: one located digit read from the decoded pixels,
  // not the coarse map, so a small digit in a big photo is read at the resolution it needs; a margin of
  // paper around it gives the reading its background.
  function readMark(rgb, located, mark, spec) {
    const { top, bottom, left, right } = markRegion(mark, located, rgb.height, rgb.width);
    const margin = roundHalfUp(spec.locate.read_margin * Math.max(bottom - top, right - left));
    const region = {
      top: Math.max(0, top - margin),
      bottom: Math.min(rgb.height, bottom + margin),
      left: Math.max(0, left - margin),
      right: Math.min(rgb.width, right + margin),
    };
    const crop = cropRgb(rgb, region);
    const { near, mask } = markMask(located, mark, region, spec);
    const distance = boundSize(colourDistance(crop, paperColour(crop, near, spec)), spec); // [h,w]
    const { ink, contrast } = normaliseInk(distance, spec); // [h,w] 0..1
    const box = { x: left, y: top, width: right - left, height: bottom - top };
    if (contrast < spec.ink.min_contrast) return { input: null, reason: NO_CONTRAST, box };
    const workingMask = boundSize(mask, spec);
    const masked = makeMap(ink.height, ink.width);
    for (let index = 0; index < masked.data.length; index++)
      masked.data[index] = f32(ink.data[index] * workingMask.data[index]);
    return { ...readDigit(masked, spec), box };
  }

  // The part of decoded RGBA pixels inside a box {x, y, width, height} (a person's choice), clipped to them.
  function cropRgba(rgba, box) {
    const top = Math.max(0, box.y);
    const left = Math.max(0, box.x);
    const bottom = Math.min(rgba.height, Math.max(0, box.y + box.height));
    const right = Math.min(rgba.width, Math.max(0, box.x + box.width));
    if (bottom <= top || right <= left) throw new Error("The box holds no pixels of the picture.");
    const width = right - left;
    const data = new Uint8ClampedArray((bottom - top) * width * 4);
    for (let y = top; y < bottom; y++)
      data.set(rgba.data.subarray((y * rgba.width + left) * 4, (y * rgba.width + right) * 4), (y - top) * width * 4);
    return { data, width, height: bottom - top, x: left, y: top };
  }

  // {input: Float32Array(784) | null (the digit when there is exactly one), reason: string | null,
  // digits: [{input, box}] left to right} for decoded RGBA pixels; `box` (decoded pixels) reads only that
  // part, as a person chose. Synchronous, and no tensors: only plain arrays.
  function preprocess(rgba, spec, box = null) {
    if (!rgba || !rgba.width || !rgba.height || rgba.data.length !== rgba.width * rgba.height * 4) {
      throw new Error("The picture could not be read: it has no pixels.");
    }
    const source = box ? cropRgba(rgba, box) : { ...rgba, x: 0, y: 0 };
    const rgb = compositeAlpha(source, spec); // [H,W,3] 0..255
    const located = window.snapmathLocate.locate(rgb, spec);
    if (located.reason) return { input: null, reason: located.reason, digits: [] };
    const digits = [];
    for (const mark of located.digits) {
      const read = readMark(rgb, located, mark, spec);
      // Beside other digits: a mark of the coarse map without ink in the decoded picture (a shadow's edge).
      if ((read.reason === NO_CONTRAST || read.reason === NO_INK) && located.digits.length > 1) continue;
      if (!read.input) return { input: null, reason: read.reason, digits: [] };
      digits.push({ input: read.input, box: { ...read.box, x: read.box.x + source.x, y: read.box.y + source.y } });
    }
    if (!digits.length) return { input: null, reason: NO_INK, digits: [] };
    return { input: digits.length === 1 ? digits[0].input : null, reason: null, digits };
  }

  window.snapmathPreprocess = { preprocess };
})();
