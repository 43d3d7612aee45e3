// Find the digits in a picture: the localisation stage in front of the digit reading (issue 9).
//
// Twin: training/locate.py. Both read the "locate" section of the preprocessing spec and run the same
// steps, with the same names, in the same order. Every decision is taken on exact values (block averages
// of whole numbers, order statistics, float32 elementwise maps with Math.fround at each operation as
// numpy's float32 does, pixel counts), so both twins find the same marks and the same boxes. All plain
// loops over typed arrays: the maps are small (long side ~256) and no tensor is made here.
//
// Steps: reduceToMap -> estimateBackground -> findMarks -> clearLines -> labelMarks
//   -> peelFrames -> peelUnderlines -> dropStrayMarks -> levelHeights -> groupParts -> pickDigits
//
// An RGB picture is {data, height, width, channels} (channels 4 when it is the decoded RGBA itself,
// whose alpha is then ignored); a mask is {data: Uint8Array (0/1), height, width}.
(function () {
  "use strict";

  const NO_CONTRAST = "The picture is blank or nearly uniform: no digit found.";
  const NO_MARKS = "There is too little ink in the picture: no digit found.";
  const ONLY_SPECKS = "The picture holds only scattered specks: no digit found.";
  const TOO_MANY = "The picture holds more than four marks in a row: give one number of up to four digits.";
  // How estimateBackground judges the light: evenly lit when the border is even and no large part of the
  // picture is lighter (JUDGED); when the border is even, however much is lighter (BORDER); never (UNEVEN).
  const [JUDGED, BORDER, UNEVEN] = ["judged", "border", "uneven"];
  // ... or evenly lit from one side, when the border lies on a plane (SLOPE; else unevenly).
  const SLOPE = "slope";
  const LUMINANCE_WEIGHTS = Float32Array.from([0.299, 0.587, 0.114]); // float32, as numpy's
  const f32 = Math.fround;
  const { roundHalfUp, makeMap, selectInPlace, orderStatistic, borderRing, windowedExtreme, pixelWords, crop } =
    window.snapmathPixels;

  function makeMask(height, width, data = new Uint8Array(height * width)) {
    return { data, height, width };
  }

  function transpose(mask) {
    const { height, width, data } = mask;
    const result = makeMask(width, height, new data.constructor(height * width)); // labels keep their type
    const transposed = result.data;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) transposed[x * height + y] = data[y * width + x];
    return result;
  }

  // float32 [3] distance sqrt(dr² + dg² + db²) of two colours, each operation rounded as numpy's float32.
  function colourGap(red, green, blue) {
    return f32(Math.sqrt(f32(f32(f32(red * red) + f32(green * green)) + f32(blue * blue))));
  }

  // ---- The steps, in order ----------------------------------------------------------------

  // {image: [h,w,3] float32, factor}: whole f x f blocks averaged so the long side is at most map_side.
  // Block sums in doubles, divided once, so the values equal numpy's.
  function reduceToMap(rgb, spec) {
    const { height, width, channels, data } = rgb;
    let factor = Math.max(1, Math.ceil(Math.max(height, width) / spec.locate.map_side));
    factor = Math.min(factor, height, width);
    const mapHeight = Math.floor(height / factor);
    const mapWidth = Math.floor(width / factor);
    const image = new Float32Array(mapHeight * mapWidth * 3);
    const area = factor * factor;
    const sums = new Float64Array(mapWidth * 3);
    const words = channels === 4 ? pixelWords(data) : null;
    for (let row = 0; row < mapHeight; row++) {
      sums.fill(0);
      for (let y = row * factor; y < (row + 1) * factor; y++) {
        if (words) {
          addWordBlocks(words, y * width, factor, sums);
          continue;
        }
        let at = y * width * channels;
        for (let to = 0; to < sums.length; to += 3) {
          let red = 0;
          let green = 0;
          let blue = 0;
          for (let step = 0; step < factor; step++, at += channels) {
            red += data[at];
            green += data[at + 1];
            blue += data[at + 2];
          }
          sums[to] += red;
          sums[to + 1] += green;
          sums[to + 2] += blue;
        }
      }
      for (let index = 0; index < sums.length; index++) image[row * mapWidth * 3 + index] = f32(sums[index] / area);
    }
    return { image: { data: image, height: mapHeight, width: mapWidth, channels: 3 }, factor };
  }

  // reduceToMap's block sums along one pixel row of decoded RGBA bytes read as words (pixelWords), one load
  // a pixel: per block of `factor` pixels from pixel `at` on, its R, G and B added to sums[3 * block ..].
  function addWordBlocks(words, at, factor, sums) {
    for (let to = 0; to < sums.length; to += 3) {
      let red = 0;
      let green = 0;
      let blue = 0;
      for (let step = 0; step < factor; step++, at++) {
        const pixel = words[at];
        red += pixel & 0xff;
        green += (pixel >>> 8) & 0xff;
        blue += (pixel >>> 16) & 0xff;
      }
      sums[to] += red;
      sums[to + 1] += green;
      sums[to + 2] += blue;
    }
  }

  // float32 luminance of each colour of a float32 RGB array [n*3], summed in channel order as numpy's.
  function luminance(colours) {
    const levels = new Float32Array(colours.length / 3);
    for (let index = 0; index < levels.length; index++) levels[index] = luminanceAt(colours, index * 3);
    return levels;
  }

  // luminance of the one colour at colours[at .. at + 2].
  function luminanceAt(colours, at) {
    return f32(
      f32(f32(colours[at] * LUMINANCE_WEIGHTS[0]) + f32(colours[at + 1] * LUMINANCE_WEIGHTS[1])) +
        f32(colours[at + 2] * LUMINANCE_WEIGHTS[2]),
    );
  }

  // float32 [rows*columns*3]: each cell's per-channel (lower) median.
  function cellMedians(image, cell, rows, columns) {
    const { height, width, data } = image;
    const medians = new Float32Array(rows * columns * 3);
    const full = new Float32Array(cell * cell); // one buffer for every whole cell
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) {
        const top = row * cell;
        const left = column * cell;
        const bottom = Math.min(height, top + cell);
        const right = Math.min(width, left + cell);
        const count = (bottom - top) * (right - left);
        const values = count === full.length ? full : new Float32Array(count);
        for (let channel = 0; channel < 3; channel++) {
          let taken = 0;
          for (let y = top; y < bottom; y++)
            for (let x = left; x < right; x++) values[taken++] = data[(y * width + x) * 3 + channel];
          // orderStatistic's index, selected in the buffer itself: it is refilled for each channel.
          medians[(row * columns + column) * 3 + channel] = selectInPlace(values, Math.floor(0.5 * (count - 1)));
        }
      }
    }
    return medians;
  }

  // float32 [rows*columns*3]: over each cell's window of cells, the per-channel median, or the colour of
  // the lightest ("max") or darkest ("min") cell (the first such in raster order).
  function windowPick(medians, rows, columns, radius, pick) {
    const levels = luminance(medians);
    const picked = new Float32Array(medians.length);
    const buffers = []; // one per window size (a window is cut where the grid ends), refilled for every cell
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) {
        const top = Math.max(0, row - radius);
        const bottom = Math.min(rows, row + radius + 1);
        const left = Math.max(0, column - radius);
        const right = Math.min(columns, column + radius + 1);
        const at = (row * columns + column) * 3;
        if (pick === "median") {
          const size = (bottom - top) * (right - left);
          const values = buffers[size] || (buffers[size] = new Float32Array(size));
          for (let channel = 0; channel < 3; channel++) {
            let taken = 0;
            for (let y = top; y < bottom; y++)
              for (let x = left; x < right; x++) values[taken++] = medians[(y * columns + x) * 3 + channel];
            // orderStatistic's index, selected in the buffer itself: it is refilled for each channel.
            picked[at + channel] = selectInPlace(values, Math.floor(0.5 * (values.length - 1)));
          }
          continue;
        }
        let best = top * columns + left;
        for (let y = top; y < bottom; y++) {
          for (let x = left; x < right; x++) {
            const index = y * columns + x;
            if (pick === "max" ? levels[index] > levels[best] : levels[index] < levels[best]) best = index;
          }
        }
        picked.set(medians.subarray(best * 3, best * 3 + 3), at);
      }
    }
    return picked;
  }

  // Calls visit(next) for each cell side by side with cell `index` of a rows x columns grid, in the order
  // up, down, left, right.
  function forEachNeighbour(index, rows, columns, visit) {
    const row = Math.floor(index / columns);
    const column = index - row * columns;
    if (row > 0) visit(index - columns);
    if (row < rows - 1) visit(index + columns);
    if (column > 0) visit(index - 1);
    if (column < columns - 1) visit(index + 1);
  }

  // How much lighter (darker for light ink) the cells a region encloses are than the picture's border;
  // Infinity when it encloses nothing. Enclosed is what the picture's edge does not reach without
  // crossing the region (side by side).
  function ringContrast(region, levels, borderLevel, darkInk, rows, columns) {
    const inRegion = new Uint8Array(rows * columns);
    for (const index of region) inRegion[index] = 1;
    const outside = new Uint8Array(rows * columns);
    const queue = [];
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) {
        const index = row * columns + column;
        if ((row === 0 || row === rows - 1 || column === 0 || column === columns - 1) && !inRegion[index]) {
          outside[index] = 1;
          queue.push(index);
        }
      }
    }
    const reachOutside = (next) => {
      if (!inRegion[next] && !outside[next]) {
        outside[next] = 1;
        queue.push(next);
      }
    };
    for (let at = 0; at < queue.length; at++) forEachNeighbour(queue[at], rows, columns, reachOutside);
    const enclosed = [];
    const takeEnclosed = (next) => {
      if (!inRegion[next] && !outside[next]) enclosed.push(levels[next]);
    };
    for (const index of region) forEachNeighbour(index, rows, columns, takeEnclosed);
    if (!enclosed.length) return Infinity;
    const difference = orderStatistic(Float32Array.from(enclosed), 50) - borderLevel;
    return darkInk ? difference : -difference;
  }

  // The regions of side-by-side cells of a rows x columns grid for which inside(index) holds: arrays of cell
  // indices, in raster order of their first cell.
  function cellRegions(inside, rows, columns) {
    const seen = new Uint8Array(rows * columns);
    const regions = [];
    for (let start = 0; start < rows * columns; start++) {
      if (!inside(start) || seen[start]) continue;
      const region = [start];
      seen[start] = 1;
      const grow = (next) => {
        if (inside(next) && !seen[next]) {
          seen[next] = 1;
          region.push(next);
        }
      };
      for (let index = 0; index < region.length; index++) forEachNeighbour(region[index], rows, columns, grow);
      regions.push(region);
    }
    return regions;
  }

  // Uint8Array [rows*columns]: the marked cells that belong to the desk, not to a stroke. Cells joined side
  // by side form regions; the desk around a sheet reaches the picture's edge or rings the sheet (its region
  // spans most of the picture and encloses what is unlike the border: ringContrast); a stroke too wide for
  // the window reaches no edge, and a bold digit spanning the picture encloses its own ink or the border's paper.
  function deskCells(cells, levels, borderLevel, darkInk, rows, columns, spec) {
    const span = spec.locate.desk_span;
    const desk = new Uint8Array(rows * columns);
    for (const region of cellRegions((index) => cells[index], rows, columns)) {
      let top = rows;
      let bottom = -1;
      let left = columns;
      let right = -1;
      for (const index of region) {
        const row = Math.floor(index / columns);
        const column = index - row * columns;
        top = Math.min(top, row);
        bottom = Math.max(bottom, row);
        left = Math.min(left, column);
        right = Math.max(right, column);
      }
      const touches = top === 0 || left === 0 || bottom === rows - 1 || right === columns - 1;
      const rings =
        bottom - top + 1 >= span * rows &&
        right - left + 1 >= span * columns &&
        ringContrast(region, levels, borderLevel, darkInk, rows, columns) > spec.locate.desk_ring_contrast;
      if (touches || rings) for (const index of region) desk[index] = 1;
    }
    return desk;
  }

  // Uint8Array [rows*columns]: the desk away from the sheet, which the cells that disagree miss: a region of
  // the cells not yet desk (side by side) that reaches the picture's edge and is clearly darker (lighter for
  // light ink) than the lightest sizeable region, the sheet. See the Python twin for the reasoning.
  function deskBeyondTheSheet(desk, levels, darkInk, rows, columns, spec) {
    const settings = spec.locate;
    const beyond = new Uint8Array(rows * columns);
    if (!desk.includes(1)) return beyond;
    const regions = cellRegions((index) => !desk[index], rows, columns);
    if (regions.length < 2) return beyond;
    const sign = darkInk ? 1 : -1;
    const levelOf = (region) => {
      const values = region.map((index) => levels[index]);
      return f32(sign * orderStatistic(values, 50));
    };
    const regionLevels = regions.map(levelOf);
    let sheetLevel = -Infinity;
    regions.forEach((region, at) => {
      if (region.length >= settings.sheet_min_cells * rows * columns)
        sheetLevel = Math.max(sheetLevel, regionLevels[at]);
    });
    if (sheetLevel === -Infinity) return beyond;
    regions.forEach((region, at) => {
      const reachesEdge = region.some((index) => {
        const row = Math.floor(index / columns);
        const column = index - row * columns;
        return row === 0 || column === 0 || row === rows - 1 || column === columns - 1;
      });
      if (reachesEdge && f32(sheetLevel - regionLevels[at]) > settings.desk_region_gap)
        for (const index of region) beyond[index] = 1;
    });
    return beyond;
  }

  // {cells: float32 [rows*columns*3], pixels: float32 [height*width*3]}: the plane through the medians of the
  // border's four sides, per cell and per pixel, the paper under light from one side (each side's median,
  // not a fit: the digit may cross one side, a corner of the desk show in another).
  function lightSlope(medians, rows, columns, cell, height, width) {
    const side = (count, indexOf) => {
      const values = [new Float32Array(count), new Float32Array(count), new Float32Array(count)];
      for (let at = 0; at < count; at++)
        for (let channel = 0; channel < 3; channel++) values[channel][at] = medians[indexOf(at) * 3 + channel];
      return values.map((channel) => orderStatistic(channel, 50));
    };
    const left = side(rows, (row) => row * columns);
    const right = side(rows, (row) => row * columns + columns - 1);
    const top = side(columns, (column) => column);
    const bottom = side(columns, (column) => (rows - 1) * columns + column);
    const across = [0, 1, 2].map((channel) => f32(f32(right[channel] - left[channel]) / Math.max(1, columns - 1)));
    const down = [0, 1, 2].map((channel) => f32(f32(bottom[channel] - top[channel]) / Math.max(1, rows - 1)));
    const centre = [0, 1, 2].map((channel) =>
      f32(f32(f32(left[channel] + right[channel]) + f32(top[channel] + bottom[channel])) / 4),
    );
    const plane = (rowOffsets, columnOffsets) => {
      const values = new Float32Array(rowOffsets.length * columnOffsets.length * 3);
      let at = 0;
      for (const rowOffset of rowOffsets)
        for (const columnOffset of columnOffsets)
          for (let channel = 0; channel < 3; channel++)
            values[at++] = f32(
              f32(centre[channel] + f32(across[channel] * columnOffset)) + f32(down[channel] * rowOffset),
            );
      return values;
    };
    // A cell's place from the middle cell, and a pixel's, in cells (a cell's centre is at a whole number).
    const cellOffsets = (cells) => Float32Array.from({ length: cells }, (_, index) => index - (cells - 1) / 2);
    const pixelOffsets = (count, cells) =>
      Float32Array.from({ length: count }, (_, index) => f32(f32(f32((index + 0.5) / cell) - 0.5) - (cells - 1) / 2));
    return {
      cells: plane(cellOffsets(rows), cellOffsets(columns)),
      pixels: plane(pixelOffsets(height, rows), pixelOffsets(width, columns)),
    };
  }

  // {background: [h,w,3] float32 the paper colour around each pixel, onPaper: Uint8Array [h*w] where paper
  // is, or null when evenly lit}: see the Python twin for the reasoning of each step.
  function estimateBackground(image, spec, lighting = JUDGED) {
    const settings = spec.locate;
    const { height, width, data } = image;
    const cell = Math.max(1, roundHalfUp(Math.max(height, width) / settings.cells_per_side));
    const rows = Math.ceil(height / cell);
    const columns = Math.ceil(width / cell);
    const columnOf = new Int32Array(width); // each pixel column's cell column
    for (let x = 0; x < width; x++) columnOf[x] = Math.floor(x / cell);
    // Each cell's values spread over its pixels: the first pixel row of a cell row is filled, the
    // others copied from it.
    const cellsOf = (values, channels) => {
      const result = new values.constructor(height * width * channels);
      const rowLength = width * channels;
      for (let top = 0; top < height; top += cell) {
        const rowStart = (top / cell) * columns;
        const first = top * rowLength;
        for (let x = 0; x < width; x++) {
          const from = (rowStart + columnOf[x]) * channels;
          for (let channel = 0; channel < channels; channel++)
            result[first + x * channels + channel] = values[from + channel];
        }
        for (let y = top + 1; y < Math.min(height, top + cell); y++)
          result.copyWithin(y * rowLength, first, first + rowLength);
      }
      return result;
    };
    const medians = cellMedians(image, cell, rows, columns);
    const ring = borderRing(data, height, width, 3, settings.border_fraction);
    const uniform = Float32Array.from(ring.map((channel) => orderStatistic(channel, 50)));
    const spread = new Float32Array(rows * columns);
    for (let index = 0; index < spread.length; index++) {
      const at = index * 3;
      spread[index] = colourGap(
        f32(medians[at] - uniform[0]),
        f32(medians[at + 1] - uniform[1]),
        f32(medians[at + 2] - uniform[2]),
      );
    }
    const uniformLevel = luminance(uniform)[0];
    const levels = luminance(medians);
    const percentile =
      uniformLevel >= settings.light_paper ? settings.uneven_percentile_light : settings.uneven_percentile;
    const borderSpread = borderRing(spread, rows, columns, 1, 0)[0];
    const evenBorder = orderStatistic(borderSpread, percentile) <= settings.uneven_light;
    let lighter = 0;
    for (let index = 0; index < spread.length; index++) {
      if (spread[index] > f32(settings.uneven_light) && levels[index] > uniformLevel) lighter++;
    }
    const muchLighter = lighter > settings.max_lighter_cells * spread.length;
    const uniformBackground = () => {
      const background = new Float32Array(height * width * 3);
      for (let at = 0; at < background.length; at += 3) {
        background[at] = uniform[0];
        background[at + 1] = uniform[1];
        background[at + 2] = uniform[2];
      }
      return background;
    };
    if (evenBorder && (lighting === BORDER || (lighting === JUDGED && !muchLighter))) {
      return { background: uniformBackground(), onPaper: null };
    }
    if (lighting === BORDER) {
      // The border is not even either: no paper to look at (the uneven look was the first one).
      return { background: uniformBackground(), onPaper: new Uint8Array(height * width) };
    }
    if (lighting === SLOPE) {
      // Light from one side: when the border's cells lie on the plane through its sides and no large part of
      // the picture is lighter, the paper is that plane, and a bold stroke stays ink however wide.
      const slope = lightSlope(medians, rows, columns, cell, height, width);
      const slopeSpread = new Float32Array(rows * columns);
      for (let index = 0; index < slopeSpread.length; index++) {
        const at = index * 3;
        slopeSpread[index] = colourGap(
          f32(medians[at] - slope.cells[at]),
          f32(medians[at + 1] - slope.cells[at + 1]),
          f32(medians[at + 2] - slope.cells[at + 2]),
        );
      }
      const evenSlope =
        orderStatistic(borderRing(slopeSpread, rows, columns, 1, 0)[0], percentile) <= settings.uneven_light;
      const slopeLevels = luminance(slope.cells);
      let lighterThanSlope = 0;
      for (let index = 0; index < slopeSpread.length; index++) {
        if (slopeSpread[index] > f32(settings.uneven_light) && levels[index] > slopeLevels[index]) lighterThanSlope++;
      }
      if (evenSlope && lighterThanSlope <= settings.max_lighter_cells * slopeSpread.length) {
        return { background: slope.pixels, onPaper: null };
      }
      // Not lit from one side: no paper to look at (the uneven look was the first one).
      return { background: slope.pixels, onPaper: new Uint8Array(height * width) };
    }
    // Which way the ink goes: on even stretches of paper, small dark marks outnumber light ones for dark ink.
    const radius = settings.window_cells;
    const median = windowPick(medians, rows, columns, radius, "median");
    const lightestCells = windowPick(medians, rows, columns, radius, "max");
    const darkestCells = windowPick(medians, rows, columns, radius, "min");
    const lightest = luminance(lightestCells);
    const darkest = luminance(darkestCells);
    const gap = f32(settings.polarity_gap);
    const flat = new Uint8Array(rows * columns);
    for (let index = 0; index < flat.length; index++)
      flat[index] = f32(lightest[index] - darkest[index]) <= gap ? 1 : 0;
    const flatLevels = levels.filter((_, index) => flat[index]);
    if (flatLevels.length) {
      // The stretches of paper (the commonest flat level), not the middle of a stroke too bold for the window.
      const paperLevel = orderStatistic(flatLevels, 50);
      for (let index = 0; index < flat.length; index++)
        if (Math.abs(f32(levels[index] - paperLevel)) > gap) flat[index] = 0;
    }
    // Each pixel of a flat cell against its own cell's level (the cell looked up, not spread over the pixels).
    const vote = f32(settings.polarity_vote_gap);
    let dark = 0;
    let light = 0;
    for (let y = 0; y < height; y++) {
      const rowStart = Math.floor(y / cell) * columns;
      for (let x = 0; x < width; x++) {
        const own = rowStart + columnOf[x];
        if (!flat[own]) continue;
        const residual = f32(luminanceAt(data, (y * width + x) * 3) - levels[own]);
        if (residual < -vote) dark++;
        else if (residual > vote) light++;
      }
    }
    const darkInk = dark >= light;
    const paper = darkInk ? lightestCells : darkestCells;
    const medianLevels = luminance(median);
    // How far from the border's colour the desk may be: as far as the border's own cells (below).
    let deskReach = f32(settings.desk_gap);
    for (const value of borderSpread) deskReach = Math.max(deskReach, value);
    const disagree = new Uint8Array(rows * columns);
    const far = new Uint8Array(rows * columns);
    for (let index = 0; index < disagree.length; index++) {
      const at = index * 3;
      const gapToMedian = colourGap(
        f32(paper[at] - median[at]),
        f32(paper[at + 1] - median[at + 1]),
        f32(paper[at + 2] - median[at + 2]),
      );
      // A shadow's soft edge is a ramp (the median midway), the sheet's edge a step (the median far from the paper).
      const fromFarSide = darkInk
        ? f32(medianLevels[index] - darkest[index])
        : f32(lightest[index] - medianLevels[index]);
      const step = fromFarSide <= f32(f32(settings.ramp_step) * f32(lightest[index] - darkest[index]));
      disagree[index] = gapToMedian > f32(settings.paper_agreement) && step ? 1 : 0;
      // Far is the cell's own colour too, not only its window's: paper between a bold dark digit and the
      // sheet's edge has a window of ink and desk, and must not carry the desk to the digit.
      const ownGap = colourGap(
        f32(paper[at] - medians[at]),
        f32(paper[at + 1] - medians[at + 1]),
        f32(paper[at + 2] - medians[at + 2]),
      );
      const deskGap = f32(settings.desk_gap);
      far[index] = gapToMedian > deskGap && ownGap > deskGap && spread[index] <= deskReach ? 1 : 0;
    }
    // The sheet's edge on the desk is far from the paper: it is desk, with the cells next to it that
    // disagree. The desk is also what the picture's border shows: a cell farther from the border's colour
    // than every border cell is not desk, however far from the paper (the ink of a bold box drawn by the
    // sheet's edge). What else disagrees is desk when it reaches the picture's edge on its own; a soft
    // shadow's edge across the sheet reaches it only through the sheet's edge, and must not carry
    // the desk to a digit written beside it.
    const strong = deskCells(far, levels, uniformLevel, darkInk, rows, columns, spec);
    const nearStrong = windowedExtreme(makeMap(rows, columns, Float32Array.from(strong)), 1, true);
    const edge = strong.map((value, index) => (value || (nearStrong.data[index] > 0 && disagree[index]) ? 1 : 0));
    const rest = deskCells(
      disagree.map((value, index) => (value && !edge[index] ? 1 : 0)),
      levels,
      uniformLevel,
      darkInk,
      rows,
      columns,
      spec,
    );
    const desk = edge.map((value, index) => (value || rest[index] ? 1 : 0));
    const beyond = deskBeyondTheSheet(desk, levels, darkInk, rows, columns, spec);
    const paperCells = desk.map((value, index) => (value || beyond[index] ? 0 : 1));
    return { background: cellsOf(paper, 3), onPaper: cellsOf(paperCells, 1) };
  }

  // {marks: mask, contrast}: pixels whose colour stands out from the local paper, above a floor set
  // between the paper's own variation and typical ink.
  function findMarks(image, background, spec) {
    const settings = spec.locate;
    const { height, width, data } = image;
    const distance = new Float32Array(height * width);
    for (let pixel = 0; pixel < distance.length; pixel++) {
      const at = pixel * 3;
      distance[pixel] = colourGap(
        f32(data[at] - background[at]),
        f32(data[at + 1] - background[at + 1]),
        f32(data[at + 2] - background[at + 2]),
      );
    }
    const marks = makeMask(height, width);
    // Both order statistics selected in one copy: selection finds the same value in any order.
    const selected = new Float32Array(distance);
    const rank = (percentile) => Math.floor((percentile / 100) * (selected.length - 1)); // as orderStatistic
    const contrast = selectInPlace(selected, rank(settings.peak_percentile));
    if (!(contrast > 0)) return { marks, contrast: 0 };
    const noise = selectInPlace(selected, rank(settings.noise_percentile));
    const floor = f32(
      Math.min(Math.max((settings.noise_margin * noise) / contrast, settings.min_floor), settings.max_floor) * contrast,
    );
    for (let pixel = 0; pixel < distance.length; pixel++) marks.data[pixel] = distance[pixel] > floor ? 1 : 0;
    return { marks, contrast };
  }

  // The (lower) median luminance of the paper under the marks. On a dark desk or board, its grain, scratches
  // and reflections stand out as light marks; chalk and white ink far more, so marks on dark paper must reach
  // min_contrast_dark, not only min_contrast.
  function marksPaperLevel(background, marks) {
    let count = 0;
    for (let pixel = 0; pixel < marks.data.length; pixel++) count += marks.data[pixel];
    const levels = new Float32Array(count);
    let at = 0;
    for (let pixel = 0; pixel < marks.data.length; pixel++) {
      if (marks.data[pixel]) levels[at++] = luminanceAt(background, pixel * 3);
    }
    return selectInPlace(levels, Math.floor(0.5 * (count - 1)));
  }

  // For each marked (not 0) pixel of one row, the length of the horizontal run it belongs to, written into
  // `lengths` (same index; the rest is left as it is): runs separated by at most `bridge` unmarked pixels
  // make one piece, and pieces of at least `minDash` pixels (dashes) separated by at most `dashGap` count as
  // one with the short pieces between them (a dashed or broken-up line; see the Python twin's run_lengths).
  // `pieces` is scratch space: an Int32Array of at least width + 2 entries.
  function rowRunLengths(row, bridge, dashGap, minDash, lengths, pieces) {
    const width = row.length;
    let ends = 0; // pieces[0..ends): start, end (one past the last marked pixel), start, end, ...
    for (let x = 0; x < width;) {
      if (!row[x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < width && row[x]) x++;
      if (ends && start - pieces[ends - 1] <= bridge) {
        pieces[ends - 1] = x;
      } else {
        pieces[ends++] = start;
        pieces[ends++] = x;
      }
    }
    const count = ends / 2;
    const isDash = (piece) => pieces[2 * piece + 1] - pieces[2 * piece] >= minDash;
    for (let piece = 0; piece < count;) {
      let last = piece;
      if (isDash(piece)) {
        for (let probe = piece + 1; probe < count && pieces[2 * probe] - pieces[2 * last + 1] <= dashGap; probe++) {
          if (isDash(probe)) last = probe;
        }
      }
      const start = pieces[2 * piece];
      const end = pieces[2 * last + 1];
      for (let at = start; at < end; at++) if (row[at]) lengths[at] = end - start;
      piece = last + 1;
    }
  }

  // Int32Array [h*w]: for each marked pixel, the length of the vertical run it belongs to (the Python twin's
  // run_lengths of the transposed mask, transposed back), found row by row.
  function columnRunLengths(mask) {
    const { height, width, data } = mask;
    const lengths = new Int32Array(height * width);
    // Down: how many marked pixels run down to each one; then up: the run's length, from its lowest pixel.
    for (let index = 0; index < lengths.length; index++) {
      if (data[index]) lengths[index] = index >= width ? lengths[index - width] + 1 : 1;
    }
    for (let index = lengths.length - width - 1; index >= 0; index--) {
      if (data[index] && data[index + width]) lengths[index] = lengths[index + width];
    }
    return lengths;
  }

  // Int32Array [w]: how far each column moves down so a line of that slope becomes level.
  function shearOffsets(width, slope) {
    const offsets = new Int32Array(width);
    for (let column = 0; column < width; column++) offsets[column] = Math.floor(-slope * (column - width / 2) + 0.5);
    return offsets;
  }

  // How many columns a line must cover on a mask `width` wide.
  function lineMinLength(width, spec) {
    return Math.max(2, roundHalfUp(spec.locate.lines.min_length_fraction * width));
  }

  // Whether a band's pixels (isMarked(shearedRow, x)) cover minLength columns and reach across edge_span of the width.
  function edgeToEdge(first, stop, width, isMarked, minLength, settings) {
    let covered = 0;
    let firstColumn = -1;
    let lastColumn = -1;
    for (let x = 0; x < width; x++) {
      for (let shearedRow = first; shearedRow < stop; shearedRow++) {
        if (isMarked(shearedRow, x)) {
          covered++;
          if (firstColumn < 0) firstColumn = x;
          lastColumn = x;
          break;
        }
      }
    }
    return covered >= minLength && lastColumn - firstColumn + 1 >= settings.edge_span * width;
  }

  // How many rows a mask `height` tall takes once its columns move down by `offsets`.
  function shearedHeightOf(height, offsets) {
    let lowest = 0;
    let highest = 0;
    for (const offset of offsets) {
      lowest = Math.min(lowest, offset);
      highest = Math.max(highest, offset);
    }
    return height + highest - lowest;
  }

  // Marks in `lines` the mask's pixels on lines of one slope (ruled, squared-paper or margin lines), found
  // on the mask sheared so they run level; several parallel ones are needed (see the Python twin for why).
  // `work` (lineWork) holds the mask's marked pixels and the buffers, shared by every slope.
  function levelLines(mask, thickness, slope, spec, work, lines) {
    const settings = spec.locate.lines;
    const { height, width } = mask;
    const offsets = shearOffsets(width, slope);
    let lowest = 0;
    for (const offset of offsets) lowest = Math.min(lowest, offset);
    const shift = -lowest;
    const shearedHeight = shearedHeightOf(height, offsets);
    // The sheared mask, kept sparse (the marks are few): sheared row r is marked at the columns
    // columns[rowStart[r] .. rowStart[r + 1]), which span firstMarked[r] .. lastMarked[r] (width, -1: none).
    const { marked, columns } = work;
    const shearedRowOf = (index) => {
      const y = Math.floor(index / width);
      return y + offsets[index - y * width] + shift;
    };
    const rowStart = new Int32Array(shearedHeight + 1);
    for (const index of marked) rowStart[shearedRowOf(index) + 1]++;
    for (let row = 0; row < shearedHeight; row++) rowStart[row + 1] += rowStart[row];
    const filled = rowStart.slice(0, shearedHeight);
    const firstMarked = work.firstMarked.fill(width);
    const lastMarked = work.lastMarked.fill(-1);
    for (const index of marked) {
      const row = shearedRowOf(index);
      const x = index % width;
      columns[filled[row]++] = x;
      firstMarked[row] = Math.min(firstMarked[row], x);
      lastMarked[row] = Math.max(lastMarked[row], x);
    }
    const minLength = lineMinLength(width, spec);
    const dashGap = roundHalfUp(settings.dash_gap_fraction * width);
    const minDash = Math.max(2, roundHalfUp(settings.min_dash_fraction * width));
    const { runs } = work;
    // Marks in `onRun` (sheared rows x width) the sheared pixels on runs of min_length once the sheared mask
    // is thickened by `slack` rows across, and returns how many each sheared row holds. Row by row, the thickened
    // row counts at each column how many sheared rows within `slack` of it are marked there (marked when
    // not 0), kept as the window of rows slides down. A run spans no more columns than its thickened
    // row's marked pixels, so a row where those span fewer than min_length columns holds none.
    const onRuns = (slack, onRun) => {
      const thickened = work.thickened.fill(0);
      const slide = (row, change) => {
        for (let at = rowStart[row]; at < rowStart[row + 1]; at++) thickened[columns[at]] += change;
      };
      for (let row = 0; row < Math.min(slack, shearedHeight); row++) slide(row, 1);
      const counts = new Int32Array(shearedHeight);
      for (let row = 0; row < shearedHeight; row++) {
        const top = Math.max(0, row - slack);
        const bottom = Math.min(shearedHeight - 1, row + slack);
        if (row + slack < shearedHeight) slide(row + slack, 1);
        if (row - slack > 0) slide(row - slack - 1, -1);
        if (rowStart[row] === rowStart[row + 1]) continue;
        let from = width;
        let to = -1;
        for (let near = top; near <= bottom; near++) {
          from = Math.min(from, firstMarked[near]);
          to = Math.max(to, lastMarked[near]);
        }
        if (to - from + 1 < minLength) continue;
        rowRunLengths(thickened, settings.bridge, dashGap, minDash, runs, work.pieces);
        for (let at = rowStart[row]; at < rowStart[row + 1]; at++) {
          if (runs[columns[at]] >= minLength) {
            onRun[row * width + columns[at]] = 1;
            counts[row]++;
          }
        }
      }
      return counts;
    };
    const longEnough = work.longEnough.subarray(0, shearedHeight * width).fill(0);
    const counts = onRuns(settings.tilt_rows, longEnough);
    // Bands of sheared rows holding such runs, one per line; a band is a line when it covers min_length columns.
    const found = [];
    let row = 0;
    while (row < shearedHeight) {
      if (counts[row] === 0) {
        row++;
        continue;
      }
      const first = row;
      while (row < shearedHeight && counts[row] > 0) row++;
      let covered = 0;
      for (let x = 0; x < width; x++) {
        for (let y = first; y < row; y++) {
          if (longEnough[y * width + x]) {
            covered++;
            break;
          }
        }
      }
      if (covered >= minLength) found.push([first, row]);
    }
    if (found.length < settings.min_lines) return;
    // Taken out is only what lies on a line's own run, thickened by line_rows (see the Python twin).
    const onLine = work.onLine.subarray(0, shearedHeight * width).fill(0);
    onRuns(settings.line_rows, onLine);
    // How thick a line may be: a ruled line up to max_thickness_fraction of the picture; a line from edge to
    // edge (a form's frame) up to thickness_ratio x its own typical thickness (see the Python twin).
    const floor = Math.max(1, roundHalfUp(settings.max_thickness_fraction * Math.max(height, width)));
    const cap = Math.max(1, roundHalfUp(settings.max_line_thickness_fraction * Math.max(height, width)));
    // Only the lines' own sheared rows hold line pixels: map each back to its row in the mask.
    const maskIndex = (shearedRow, x) => (shearedRow - offsets[x] - shift) * width + x;
    for (const [first, stop] of found) {
      const across = [];
      for (let shearedRow = first; shearedRow < stop; shearedRow++) {
        for (let x = 0; x < width; x++) {
          if (longEnough[shearedRow * width + x]) across.push(thickness[maskIndex(shearedRow, x)]);
        }
      }
      const own = orderStatistic(Float32Array.from(across), 50);
      const limit = Math.max(floor, Math.min(cap, roundHalfUp(settings.thickness_ratio * own)));
      const thinAt = (shearedRow, x, most) =>
        longEnough[shearedRow * width + x] && thickness[maskIndex(shearedRow, x)] <= most;
      const most = edgeToEdge(first, stop, width, (shearedRow, x) => thinAt(shearedRow, x, limit), minLength, settings)
        ? limit
        : floor;
      for (let shearedRow = first; shearedRow < stop; shearedRow++) {
        for (let x = 0; x < width; x++) {
          if (thinAt(shearedRow, x, most) && onLine[shearedRow * width + x]) lines.data[maskIndex(shearedRow, x)] = 1;
        }
      }
    }
  }

  // What levelLines needs for every slope of one mask: the mask's marked pixels (indices, in raster order),
  // and its buffers, sized for the tallest sheared mask.
  function lineWork(mask, marked, slopes) {
    const { height, width } = mask;
    const tallest = Math.max(...slopes.map((slope) => shearedHeightOf(height, shearOffsets(width, slope))));
    return {
      marked,
      columns: new Int32Array(marked.length),
      longEnough: new Uint8Array(tallest * width),
      onLine: new Uint8Array(tallest * width),
      firstMarked: new Int32Array(tallest),
      lastMarked: new Int32Array(tallest),
      thickened: new Uint8Array(width), // one sheared row, thickened
      runs: new Int32Array(width), // its run lengths
      pieces: new Int32Array(width + 2), // rowRunLengths' scratch
    };
  }

  // mask: marked pixels on paper lines running along the rows, level or slightly tilted.
  function linePixels(mask, spec) {
    const settings = spec.locate.lines;
    const lines = makeMask(mask.height, mask.width);
    const marked = [];
    const inColumn = new Uint8Array(mask.width);
    for (let index = 0; index < mask.data.length; index++) {
      if (!mask.data[index]) continue;
      marked.push(index);
      inColumn[index % mask.width] = 1;
    }
    // A line covers min_length columns, so marks in fewer columns hold none at any slope.
    let markedColumns = 0;
    for (const column of inColumn) markedColumns += column;
    if (markedColumns < lineMinLength(mask.width, spec)) return lines;
    // How thick the mark is across the lines (down the columns): the same for every slope.
    const thickness = columnRunLengths(mask);
    const slopes = [];
    for (let step = -settings.tilt_steps; step <= settings.tilt_steps; step++) slopes.push(step * settings.tilt_step);
    const work = lineWork(mask, marked, slopes);
    for (const slope of slopes) levelLines(mask, thickness, slope, spec, work, lines);
    return lines;
  }

  // Mask of the pixels of lines running along the rows where a stroke crosses them: reached through line
  // pixels, a column aside at most per row, both from a kept mark above and from one below, not beside a line
  // (see the Python twin).
  function crossings(lines, kept) {
    const { height, width } = lines;
    // A kept mark with line pixels beside it in its row (where two lines cross) lies in the line, not above it.
    const seeds = makeMask(height, width);
    for (let index = 0; index < seeds.data.length; index++) {
      const x = index % width;
      const flanked = (x > 0 && lines.data[index - 1]) || (x < width - 1 && lines.data[index + 1]);
      seeds.data[index] = kept.data[index] && !flanked ? 1 : 0;
    }
    const fromAbove = makeMask(height, width);
    const fromBelow = makeMask(height, width);
    const follow = (reached, row, previous) => {
      for (let x = 0; x < width; x++) {
        const at = row * width + x;
        if (!lines.data[at]) continue;
        const from = previous * width;
        for (let near = Math.max(0, x - 1); near <= Math.min(width - 1, x + 1); near++) {
          if (seeds.data[from + near] || reached.data[from + near]) {
            reached.data[at] = 1;
            break;
          }
        }
      }
    };
    for (let row = 1; row < height; row++) follow(fromAbove, row, row - 1);
    for (let row = height - 2; row >= 0; row--) follow(fromBelow, row, row + 1);
    const crossed = makeMask(height, width);
    for (let index = 0; index < crossed.data.length; index++)
      crossed.data[index] = fromAbove.data[index] & fromBelow.data[index];
    return crossed;
  }

  // {cleared, lines}: the marks without ruled, squared-paper and margin lines, and the line pixels taken out,
  // keeping the lines' pixels where a stroke crosses them.
  function clearLines(marks, spec) {
    const across = linePixels(marks, spec);
    const down = transpose(linePixels(transpose(marks), spec));
    const lines = makeMask(marks.height, marks.width);
    const cleared = makeMask(marks.height, marks.width);
    for (let index = 0; index < marks.data.length; index++) {
      lines.data[index] = across.data[index] | down.data[index];
      cleared.data[index] = marks.data[index] & (1 - lines.data[index]); // masks hold 0 or 1: no branch
    }
    // Most pictures hold no lines at all: nothing is crossed then.
    const hasAcross = across.data.includes(1);
    const hasDown = down.data.includes(1);
    if (!hasAcross && !hasDown) return { cleared, lines };
    const kept = makeMask(marks.height, marks.width, cleared.data.slice());
    const crossedAcross = hasAcross ? crossings(across, kept) : null;
    const crossedDown = hasDown ? transpose(crossings(transpose(down), transpose(kept))) : null;
    for (let index = 0; index < marks.data.length; index++) {
      const crossed = (crossedAcross ? crossedAcross.data[index] : 0) | (crossedDown ? crossedDown.data[index] : 0);
      lines.data[index] &= 1 - crossed;
      cleared.data[index] = marks.data[index] & (1 - lines.data[index]);
    }
    return { cleared, lines };
  }

  // {labels: Int32Array [h*w] (0 = no mark), components: one mark per 8-connected component, numbered in
  // raster order of its first pixel, as scipy's ndimage.label numbers them}.
  function labelMarks(marks) {
    const { height, width, data } = marks;
    const provisional = new Int32Array(height * width);
    const parent = [0];
    const find = (label) => {
      while (parent[label] !== label) {
        parent[label] = parent[parent[label]];
        label = parent[label];
      }
      return label;
    };
    const union = (first, second) => {
      const a = find(first);
      const b = find(second);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    };
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const index = y * width + x;
        if (!data[index]) continue;
        let label = 0;
        // The neighbours already seen: left, then the row above from left to right.
        for (let neighbour = 0; neighbour < 4; neighbour++) {
          const row = neighbour === 0 ? y : y - 1;
          const column = neighbour === 0 ? x - 1 : x + neighbour - 2;
          if (row < 0 || column < 0 || column >= width) continue;
          const other = provisional[row * width + column];
          if (!other) continue;
          if (label === 0) label = other;
          else union(label, other);
        }
        if (label === 0) {
          label = parent.length;
          parent.push(label);
        }
        provisional[index] = label;
      }
    }
    const labels = new Int32Array(height * width);
    const numbers = new Map();
    const components = [];
    for (let index = 0; index < labels.length; index++) {
      if (!provisional[index]) continue;
      const root = find(provisional[index]);
      let number = numbers.get(root);
      const y = Math.floor(index / width);
      const x = index - y * width;
      if (number === undefined) {
        number = numbers.size + 1;
        numbers.set(root, number);
        components.push({ top: y, bottom: y, left: x, right: x, area: 0, labels: [number] });
      }
      labels[index] = number;
      const component = components[number - 1];
      component.bottom = y;
      component.left = Math.min(component.left, x);
      component.right = Math.max(component.right, x);
      component.area++;
    }
    return { labels, components };
  }

  const heightOf = (mark) => mark.bottom - mark.top + 1;
  const widthOf = (mark) => mark.right - mark.left + 1;

  // For a mark's pixels inside its own box ({data, height, width}): [share of the positions along the four
  // sides with a pixel within `band` of that side, share of the pixels further in than `band` that are marked].
  function sideCoverage(inside, band) {
    const { height, width, data } = inside;
    let covered = 0;
    for (let x = 0; x < width; x++) {
      let top = false;
      let bottom = false;
      for (let y = 0; y < band; y++) {
        top ||= Boolean(data[y * width + x]);
        bottom ||= Boolean(data[(height - 1 - y) * width + x]);
      }
      covered += top + bottom;
    }
    for (let y = 0; y < height; y++) {
      let left = false;
      let right = false;
      for (let x = 0; x < band; x++) {
        left ||= Boolean(data[y * width + x]);
        right ||= Boolean(data[y * width + width - 1 - x]);
      }
      covered += left + right;
    }
    let filled = 0;
    for (let y = band; y < height - band; y++) for (let x = band; x < width - band; x++) filled += data[y * width + x];
    const middle = Math.max(0, height - 2 * band) * Math.max(0, width - 2 * band);
    return [covered / (2 * (height + width)), filled / Math.max(1, middle)];
  }

  // The outermost `thickness` marked pixels seen from each of the four sides, row by row and column by
  // column, so the outline of a box drawn at a slant or in perspective is found whole.
  function outlinePixels(inside, thickness) {
    const { height, width, data } = inside;
    const outline = new Uint8Array(height * width);
    // One line of pixels (a row or a column, read from either end): `count` positions from `first`, `step` apart.
    const peelLine = (first, step, count) => {
      let position = 0;
      while (position < count && !data[first + position * step]) position++;
      for (let taken = 0; position < count && data[first + position * step] && taken < thickness; taken++) {
        outline[first + position * step] = 1;
        position++;
      }
    };
    for (let y = 0; y < height; y++) {
      peelLine(y * width, 1, width);
      peelLine(y * width + width - 1, -1, width);
    }
    for (let x = 0; x < width; x++) {
      peelLine(x, width, height);
      peelLine((height - 1) * width + x, -width, height);
    }
    return outline;
  }

  // mask [mark's height, width]: the pixels of a mark's first component inside its own box (labels: stride wide).
  function ownPixels(labels, stride, mark) {
    const height = heightOf(mark);
    const width = widthOf(mark);
    const inside = makeMask(height, width);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        inside.data[y * width + x] = labels[(mark.top + y) * stride + mark.left + x] === mark.labels[0] ? 1 : 0;
      }
    }
    return inside;
  }

  // The marks without the outline of any box drawn around something (a form's cell, a box around the
  // digit): a mark whose thin outline follows all four sides of its own box. The digit often touches
  // such a box, and the two are then one mark; taking the outline off (as thick as the box's line, the
  // lower median of the rows' first runs, plus one) frees the digit. A filled blob fills its bands, a 0 or
  // an 8 leaves the corners empty, so neither is peeled.
  function peelFrames(marks, labels, components, spec) {
    const settings = spec.locate.frames;
    let peeled = marks;
    for (const mark of components) {
      const height = heightOf(mark);
      const width = widthOf(mark);
      if (Math.min(height, width) < settings.min_side) continue;
      const band = Math.max(1, roundHalfUp(settings.band_fraction * Math.min(height, width)));
      const inside = ownPixels(labels, marks.width, mark);
      const [coverage, fill] = sideCoverage(inside, band);
      if (coverage < settings.min_coverage || fill > settings.max_middle_fill) continue;
      if (peeled === marks) peeled = makeMask(marks.height, marks.width, marks.data.slice());
      const runs = [];
      for (let y = 0; y < height; y++) {
        let x = 0;
        while (x < width && !inside.data[y * width + x]) x++;
        let length = 0;
        while (x + length < width && inside.data[y * width + x + length]) length++;
        if (length) runs.push(length);
      }
      runs.sort((a, b) => a - b);
      const outline = outlinePixels(inside, runs[(runs.length - 1) >> 1] + 1);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          if (outline[y * width + x]) peeled.data[(mark.top + y) * marks.width + mark.left + x] = 0;
        }
      }
    }
    return peeled;
  }

  // How many columns lie from the first marked pixel of row y of a mask to its last (0 when none is).
  function rowSpan(mask, y) {
    let first = -1;
    let last = -1;
    for (let x = 0; x < mask.width; x++) {
      if (!mask.data[y * mask.width + x]) continue;
      if (first < 0) first = x;
      last = x;
    }
    return first < 0 ? 0 : last - first + 1;
  }

  // The slopes an underline is looked for at, level first: whole steps of slope_step up to about max_slope (a
  // sheet turned on the desk slopes it).
  function underlineSlopes(spec) {
    const settings = spec.locate.underline;
    const steps = roundHalfUp(settings.max_slope / settings.slope_step);
    const slopes = [];
    for (let step = -steps; step <= steps; step++) slopes.push(step * settings.slope_step);
    return slopes.sort((first, second) => Math.abs(first) - Math.abs(second)); // stable, as Python's sorted
  }

  // The first of a mask's lowest marked rows that are an underline, or -1 when they are not one: they span
  // most of its width, are few, and reach past what stands on them on the left (min_overhang) and the right
  // (min_overhang_right). A 2's base is as flat, but starts where its stroke comes down, at its left end.
  function underlineStart(inside, settings) {
    const { height: rows, width, data } = inside;
    let top = -1;
    let bottom = -1;
    for (let y = 0; y < rows; y++) {
      if (rowSpan(inside, y) === 0) continue;
      if (top < 0) top = y;
      bottom = y;
    }
    const height = bottom + 1;
    const tall = height - top;
    let flat = 0; // the lowest rows spanning most of the mask's width
    while (flat < tall && rowSpan(inside, height - 1 - flat) >= settings.min_span * width) flat++;
    if (flat === 0 || flat > Math.max(2, settings.max_thickness * tall) || tall - flat < settings.min_rest * tall) {
      return -1;
    }
    let first = width;
    let last = -1;
    for (let y = 0; y < height - flat; y++) {
      for (let x = 0; x < width; x++) {
        if (!data[y * width + x]) continue;
        first = Math.min(first, x);
        last = Math.max(last, x);
      }
    }
    const restWidth = last - first + 1;
    const short =
      first < settings.min_overhang * restWidth || width - 1 - last < settings.min_overhang_right * restWidth;
    return short ? -1 : height - flat;
  }

  // The marks without a line drawn under a digit and touching it. The line may slope (a sheet turned on the
  // desk): each mark is sheared so each slope in turn runs level (level first), and the first slope whose
  // lowest rows are an underline (underlineStart) decides.
  function peelUnderlines(marks, labels, components, spec) {
    const settings = spec.locate.underline;
    const slopes = underlineSlopes(spec);
    let peeled = marks;
    for (const mark of components) {
      const height = heightOf(mark);
      const width = widthOf(mark);
      if (height < settings.min_side) continue;
      const inside = ownPixels(labels, marks.width, mark);
      for (const slope of slopes) {
        const offsets = shearOffsets(width, slope);
        const lowest = Math.min(...offsets);
        for (let x = 0; x < width; x++) offsets[x] -= lowest;
        const sheared = makeMask(height + Math.max(...offsets), width);
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++)
            if (inside.data[y * width + x]) sheared.data[(offsets[x] + y) * width + x] = 1;
        }
        const start = underlineStart(sheared, settings);
        if (start < 0) continue;
        if (peeled === marks) peeled = makeMask(marks.height, marks.width, marks.data.slice());
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            if (inside.data[y * width + x] && offsets[x] + y >= start) {
              peeled.data[(mark.top + y) * marks.width + mark.left + x] = 0;
            }
          }
        }
        break;
      }
    }
    return peeled;
  }

  // [top, bottom, left, right]: which sides of the picture a mark comes within the edge band of.
  function edgesReached(mark, height, width, spec) {
    const band = spec.locate.stray.edge_band_fraction;
    return [
      mark.top <= band * height,
      mark.bottom >= (1 - band) * height - 1,
      mark.left <= band * width,
      mark.right >= (1 - band) * width - 1,
    ];
  }

  // Whether a mark reaches two opposite sides of the picture.
  function crosses(mark, height, width, spec) {
    const [top, bottom, left, right] = edgesReached(mark, height, width, spec);
    return (top && bottom) || (left && right);
  }

  // Whether a mark is a thin upright line: a 1, or what is left of a box's or a form cell's side.
  function isUprightLine(mark, spec) {
    return heightOf(mark) >= spec.locate.stray.line_elongation * widthOf(mark);
  }

  // Whether a mark is a thin upright line hugging the picture's left or right edge, however short: a sheet's
  // edge, a cell frame's remnant, a sliver of the desk where the sheet runs out of the picture. (Flat lines,
  // along the top and bottom too, are dropped as flat dashes before this is asked.)
  function isEdgeLine(mark, height, width, spec) {
    if (!isUprightLine(mark, spec)) return false;
    const [, , left, right] = edgesReached(mark, height, width, spec);
    return left || right;
  }

  // Whether a mark is the corner of a cell's frame cut by the picture's edge: two thin lines along adjacent
  // edges, joined, so sparse in its box (a thin digit cropped tight touches all four edges).
  function isFrameCorner(mark, height, width, spec) {
    const settings = spec.locate.stray;
    const [top, bottom, left, right] = edgesReached(mark, height, width, spec);
    const longSide = Math.max(widthOf(mark) / width, heightOf(mark) / height) >= settings.edge_line_length_fraction;
    const sparse = mark.area <= settings.corner_max_density * widthOf(mark) * heightOf(mark);
    return (top || bottom) && (left || right) && !(top && bottom && left && right) && longSide && sparse;
  }

  // Whether a mark is a thin upright line running from the picture's top edge to its bottom edge.
  function isFrameLine(mark, height, width, spec) {
    const [top, bottom] = edgesReached(mark, height, width, spec);
    return top && bottom && isUprightLine(mark, spec);
  }

  // The components that keep a margin of paper around them, all but a tip (desk_touch_share of their pixels):
  // what comes close to the desk along its length is the sheet's edge (or a shadow along it); a digit written
  // down to the desk, or to a photo's dark edge, comes close only at a tip. With the desk in view the sheet
  // lies inside the photo, so what reaches the photo's edge is the desk's too (wood grain, a cable).
  function offTheDesk(components, labels, onPaper, height, width, spec) {
    const margin = Math.max(1, roundHalfUp(spec.locate.desk_margin * Math.max(height, width)));
    // Whether a pixel off the paper lies within `margin` rows and columns of (y, x): the windowed max of the
    // off-paper pixels (the window cut where the map ends), looked at only where the marks are.
    const nearDesk = (y, x) => {
      for (let row = Math.max(0, y - margin); row <= Math.min(height - 1, y + margin); row++) {
        for (let column = Math.max(0, x - margin); column <= Math.min(width - 1, x + margin); column++) {
          if (!onPaper[row * width + column]) return true;
        }
      }
      return false;
    };
    const touching = new Int32Array(components.length + 1); // pixels near the desk, per component
    for (let index = 0; index < labels.length; index++) {
      const label = labels[index];
      if (!label) continue;
      const y = Math.floor(index / width);
      if (nearDesk(y, index - y * width)) touching[label]++;
    }
    const deskInView = onPaper.includes(0);
    const share = spec.locate.desk_touch_share;
    return components.filter(
      (component) =>
        touching[component.labels[0]] <= share * component.area &&
        !(deskInView && reachesTheEdge(component, height, width)),
    );
  }

  // float32 distance of the colour at colours[at .. at + 2] from one colour [3].
  function colourGapAt(colours, at, colour) {
    return colourGap(f32(colours[at] - colour[0]), f32(colours[at + 1] - colour[1]), f32(colours[at + 2] - colour[2]));
  }

  // {ink, paper}, float32 [3] each: the mark's core colour (the desk_band_core percentile of its colours, from
  // the paper's far side: a digit's mark may take in a shadow's edge) and the paper under it.
  function inkAndPaper(mark, labels, image, background, spec) {
    const { width, data } = image;
    const colours = [[], [], []];
    const papers = [[], [], []];
    for (let y = mark.top; y <= mark.bottom; y++) {
      for (let x = mark.left; x <= mark.right; x++) {
        const index = y * width + x;
        if (!mark.labels.includes(labels[index])) continue;
        for (let channel = 0; channel < 3; channel++) {
          colours[channel].push(data[index * 3 + channel]);
          papers[channel].push(background[index * 3 + channel]);
        }
      }
    }
    const paper = papers.map((values) => orderStatistic(values, 50));
    const middle = colours.map((values) => orderStatistic(values, 50));
    const [paperLevel, middleLevel] = luminance(Float32Array.from([...paper, ...middle]));
    const core = paperLevel >= middleLevel ? spec.locate.desk_band_core : 100 - spec.locate.desk_band_core;
    return { ink: colours.map((values) => orderStatistic(values, core)), paper };
  }

  // Whether a mark is a band of the desk along the sheet's edge, not ink: darker than the paper, and more than
  // desk_band_alike of the unmarked ring around it (desk_band_ring pixels wide) nearer its ink than the paper
  // under it. Paper surrounds a pen stroke; where the desk is near the paper's colour, the paper estimated
  // within a cell of the sheet's edge makes the desk there a mark, and the desk beyond it, estimated as its
  // own paper, is left unmarked: the band's colour goes on around it.
  function isDeskBand(mark, labels, marks, image, { ink, paper }, spec) {
    const [inkLevel, paperLevel] = luminance(Float32Array.from([...ink, ...paper]));
    if (inkLevel >= paperLevel) return false; // the sheet is lighter than the desk, as white paper on a desk is
    const ringWidth = spec.locate.desk_band_ring;
    const { height, width, data } = image;
    const top = Math.max(0, mark.top - ringWidth);
    const bottom = Math.min(height, mark.bottom + ringWidth + 1);
    const left = Math.max(0, mark.left - ringWidth);
    const right = Math.min(width, mark.right + ringWidth + 1);
    const rows = bottom - top;
    const columns = right - left;
    const own = new Uint8Array(rows * columns);
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < columns; x++)
        own[y * columns + x] = mark.labels.includes(labels[(top + y) * width + left + x]);
    }
    // What the mark encloses is its own: the middle of a stroke wider than the window that finds the paper.
    // The rest is flooded side by side from the window's border; what the flood misses is enclosed.
    const reached = new Uint8Array(own.length);
    const stack = [];
    for (let at = 0; at < own.length; at++) {
      const y = Math.floor(at / columns);
      const x = at - y * columns;
      if (!own[at] && (y === 0 || x === 0 || y === rows - 1 || x === columns - 1)) {
        reached[at] = 1;
        stack.push(at);
      }
    }
    while (stack.length) {
      const at = stack.pop();
      const y = Math.floor(at / columns);
      const x = at - y * columns;
      for (const [row, column] of [
        [y - 1, x],
        [y + 1, x],
        [y, x - 1],
        [y, x + 1],
      ]) {
        const next = row * columns + column;
        if (row < 0 || column < 0 || row >= rows || column >= columns || own[next] || reached[next]) continue;
        reached[next] = 1;
        stack.push(next);
      }
    }
    const enclosed = own.map((value, at) => (value || !reached[at] ? 1 : 0));
    // Whether an enclosed pixel lies within ringWidth rows and columns of (y, x), inside the window.
    const nearEnclosed = (y, x) => {
      for (let row = Math.max(0, y - ringWidth); row <= Math.min(rows - 1, y + ringWidth); row++) {
        for (let column = Math.max(0, x - ringWidth); column <= Math.min(columns - 1, x + ringWidth); column++) {
          if (enclosed[row * columns + column]) return true;
        }
      }
      return false;
    };
    let ring = 0;
    let alike = 0;
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < columns; x++) {
        const index = (top + y) * width + left + x;
        if (enclosed[y * columns + x] || marks.data[index] || !nearEnclosed(y, x)) continue;
        ring++;
        if (colourGapAt(data, index * 3, ink) < colourGapAt(data, index * 3, paper)) alike++;
      }
    }
    return ring > 0 && alike > spec.locate.desk_band_alike * ring;
  }

  // The components that are neither a band of the desk (isDeskBand, at least desk_band_min_length of the map's
  // long side: it runs along the sheet's edge) nor of a band's colour: once the desk is known by its bands, its
  // grain elsewhere is desk too (within desk_band_likeness of a band's own distance from the paper).
  function offTheDeskBands(components, labels, marks, image, background, spec) {
    const minLength = spec.locate.desk_band_min_length * Math.max(image.height, image.width);
    const colours = components.map((component) =>
      Math.max(heightOf(component), widthOf(component)) >= minLength
        ? inkAndPaper(component, labels, image, background, spec)
        : null,
    );
    const bands = components.map(
      (component, index) =>
        colours[index] !== null && isDeskBand(component, labels, marks, image, colours[index], spec),
    );
    if (!bands.includes(true)) return components;
    const bandColours = colours.filter((_, index) => bands[index]);
    const likeness = f32(spec.locate.desk_band_likeness);
    // Marks smaller than dropStrayMarks keeps are left to it (none is long enough to be a band).
    const minArea = spec.locate.stray.min_area_fraction * image.height * image.width;
    return components.filter((component, index) => {
      if (bands[index]) return false;
      if (component.area < minArea) return true;
      const { ink } = colours[index] ?? inkAndPaper(component, labels, image, background, spec);
      return !bandColours.some(
        (band) => colourGapAt(ink, 0, band.ink) < f32(likeness * colourGapAt(band.ink, 0, band.paper)),
      );
    });
  }

  // Whether a mark's box touches the picture's edge.
  function reachesTheEdge(mark, height, width) {
    return mark.top === 0 || mark.left === 0 || mark.bottom === height - 1 || mark.right === width - 1;
  }

  // How far the mark reaches across its long side, summed over the rows (or columns) along it: about its pixel
  // count for a line, which each row meets once; more for a stroke that comes back (a 6's loop).
  function spansAcross(mark, labels, height, width) {
    let extents;
    if (widthOf(mark) > heightOf(mark)) {
      // Its columns: the rows of the turned map.
      const turned = { ...mark, top: mark.left, bottom: mark.right, left: mark.top, right: mark.bottom };
      extents = rowExtents(turned, transpose(makeMask(height, width, labels)).data, height);
    } else {
      extents = rowExtents(mark, labels, width);
    }
    return extents.reduce((sum, [, first, last]) => sum + last - first, 0);
  }

  // Whether a mark is a thin line longer than a digit can be in a photo: a sheet's edge, a fold, a cable; it
  // does not come back across itself, as a big digit written with a thin pen does.
  function isLongLine(mark, labels, height, width, spec) {
    const settings = spec.locate.stray;
    const length = Math.max(heightOf(mark), widthOf(mark));
    const thickness = settings.long_line_thickness * Math.max(height, width);
    return (
      length >= settings.long_line_fraction * Math.min(height, width) &&
      mark.area <= thickness * length &&
      spansAcross(mark, labels, height, width) <= settings.line_max_spans * mark.area
    );
  }

  // Whether `inner` lies inside `frame`'s box with room on every side: more than `gap` of the frame's height
  // above and below it, of its width left and right.
  function leavesRoom(frame, inner, gap) {
    return (
      inner.top - frame.top > gap * heightOf(frame) &&
      frame.bottom - inner.bottom > gap * heightOf(frame) &&
      inner.left - frame.left > gap * widthOf(frame) &&
      frame.right - inner.right > gap * widthOf(frame)
    );
  }

  // The components that may belong to a digit: no specks, no flat dashes, no lines along the edge, no
  // hollow frame drawn around other marks; in a photo (unevenly lit), no line longer than a digit.
  function dropStrayMarks(components, labels, height, width, even, spec) {
    const settings = spec.locate.stray;
    if (!components.length) return [];
    const largest = Math.max(...components.map((component) => component.area));
    const minimum = Math.max(settings.min_area_fraction * height * width, settings.speck_fraction * largest);
    let kept = components.filter(
      (component) =>
        component.area >= minimum &&
        widthOf(component) < settings.line_elongation * heightOf(component) &&
        !isEdgeLine(component, height, width, spec) &&
        !isFrameCorner(component, height, width, spec),
    );
    if (!even) {
      // A photo's long thin lines are sheets' edges, folds and cables, unless one stands alone on the paper,
      // away from the picture's edges: that is the mark someone made, a bold 1 filling the picture.
      const lines = kept.filter((component) => isLongLine(component, labels, height, width, spec));
      kept = kept.filter((component) => !lines.includes(component));
      if (!kept.length && lines.length === 1 && !edgesReached(lines[0], height, width, spec).some(Boolean))
        kept = lines;
    }
    // A thin upright line from the picture's top edge to its bottom edge, much taller than every other mark
    // that may be a digit, is a cell's frame, not a 1 (a 1 cropped tight is as tall as the digits beside it).
    const frameLines = kept.filter((component) => isFrameLine(component, height, width, spec));
    const others = kept.filter((component) => !frameLines.includes(component));
    if (frameLines.length && others.length) {
      const tallest = Math.max(...others.map(heightOf));
      kept = kept.filter(
        (component) => !frameLines.includes(component) || heightOf(component) < settings.frame_line_ratio * tallest,
      );
    }
    if (kept.length > settings.max_marks) {
      // Grainy paper or a textured desk leaves many marks; a digit is among the biggest, and the grouping
      // below compares every pair, so only the biggest go on (in their raster order).
      kept = kept
        .sort((a, b) => b.area - a.area || a.labels[0] - b.labels[0])
        .slice(0, settings.max_marks)
        .sort((a, b) => a.labels[0] - b.labels[0]);
    }
    // A frame is hollow and leaves room around what it holds; an outlined clip-art digit is hollow too, but
    // the fills inside it hug its outline.
    const gap = settings.frame_min_gap;
    const isFrame = (frame) =>
      frame.area < settings.frame_max_density * heightOf(frame) * widthOf(frame) &&
      kept.some(
        (inner) =>
          inner !== frame &&
          leavesRoom(frame, inner, gap) &&
          heightOf(inner) >= settings.frame_min_inner_height * heightOf(frame),
      );
    return kept.filter((component) => !isFrame(component));
  }

  // The marks without a sheet's outline: a hollow ring spanning most of the map (outline_span both ways) around
  // another mark that is no speck. Where the desk beside a sheet passes for paper, the band of desk along the
  // sheet's edge is marked; the lines step would cut it into pieces, a 1 or a 7 beside the digit. Photos only:
  // a scanned form cell's frame may touch the digit, and the two are one ring.
  function dropOutlines(marks, spec) {
    const settings = spec.locate.stray;
    const { height, width } = marks;
    const { labels, components } = labelMarks(marks);
    const gap = settings.frame_min_gap;
    const outlines = new Set(
      components
        .filter(
          (ring) =>
            heightOf(ring) >= settings.outline_span * height &&
            widthOf(ring) >= settings.outline_span * width &&
            ring.area < settings.frame_max_density * heightOf(ring) * widthOf(ring) &&
            components.some(
              (inner) =>
                inner !== ring &&
                inner.area >= settings.min_area_fraction * height * width &&
                leavesRoom(ring, inner, gap),
            ),
        )
        .map((ring) => ring.labels[0]),
    );
    if (!outlines.size) return marks;
    const data = marks.data.slice();
    for (let index = 0; index < data.length; index++) if (outlines.has(labels[index])) data[index] = 0;
    return makeMask(height, width, data);
  }

  // Whether two parts are one digit: close in height (a dot far under a 1 is not its part), and stacked (a
  // 5's flag, a 4's stroke, a broken stroke), or overlapping side by side no wider than a digit (cut by a
  // ruled line), or misaligned (a 4 in two strokes).
  function belongTogether(first, second, spec) {
    const settings = spec.locate.grouping;
    const tallest = Math.max(heightOf(first), heightOf(second));
    const gap = Math.max(first.top, second.top) - Math.min(first.bottom, second.bottom) - 1;
    if (gap > settings.max_row_gap * tallest) return false;
    const overlap = Math.min(first.right, second.right) - Math.max(first.left, second.left) + 1;
    if (overlap >= settings.min_column_overlap * Math.min(widthOf(first), widthOf(second))) {
      const [upper, lower] = first.top <= second.top ? [first, second] : [second, first];
      const flat = widthOf(lower) >= settings.underline_flatness * (lower.levelHeight || heightOf(lower));
      const underline = flat && lower.top > upper.bottom - heightOf(lower);
      return !underline; // a line under a digit is not a part of it
    }
    if (overlap > 0) {
      const width = Math.max(first.right, second.right) - Math.min(first.left, second.left) + 1;
      const height = Math.max(first.bottom, second.bottom) - Math.min(first.top, second.top) + 1;
      if (width <= settings.max_merged_aspect * height) return true;
    }
    if (-overlap > settings.max_side_gap * tallest) return false;
    const misalignment = Math.abs(first.top - second.top) + Math.abs(first.bottom - second.bottom);
    return misalignment >= settings.min_misalignment * tallest;
  }

  function merge(first, second) {
    return {
      top: Math.min(first.top, second.top),
      bottom: Math.max(first.bottom, second.bottom),
      left: Math.min(first.left, second.left),
      right: Math.max(first.right, second.right),
      area: first.area + second.area,
      labels: first.labels.concat(second.labels).sort((a, b) => a - b),
    };
  }

  // The components with their levelHeight: the fewest rows each spans once sheared at one of the underline
  // slopes. A sloping line is then as flat as a level one, and a curve (a digit's bowl cut off by a ruled
  // line) as tall as its box, whatever the slope (belongTogether).
  function levelHeights(components, labels, stride, spec) {
    const slopes = underlineSlopes(spec);
    return components.map((mark) => {
      const width = widthOf(mark);
      const rows = [];
      const columns = [];
      for (let y = 0; y < heightOf(mark); y++) {
        for (let x = 0; x < width; x++) {
          if (labels[(mark.top + y) * stride + mark.left + x] !== mark.labels[0]) continue;
          rows.push(y);
          columns.push(x);
        }
      }
      let levelHeight = Infinity;
      for (const slope of slopes) {
        const offsets = shearOffsets(width, slope);
        let lowest = Infinity;
        let highest = -Infinity;
        for (let pixel = 0; pixel < rows.length; pixel++) {
          const row = rows[pixel] + offsets[columns[pixel]];
          lowest = Math.min(lowest, row);
          highest = Math.max(highest, row);
        }
        levelHeight = Math.min(levelHeight, highest - lowest + 1);
      }
      return { ...mark, levelHeight };
    });
  }

  // The components merged into digit candidates, merging pairs until none belong together.
  function groupParts(components, spec) {
    const groups = components.slice();
    let merged = true;
    while (merged) {
      merged = false;
      for (let first = 0; first < groups.length && !merged; first++) {
        for (let second = first + 1; second < groups.length; second++) {
          if (belongTogether(groups[first], groups[second], spec)) {
            groups[first] = merge(groups[first], groups[second]);
            groups.splice(second, 1);
            merged = true;
            break;
          }
        }
      }
    }
    return groups;
  }

  // How much a candidate looks like the digit a person meant: big, central, inside the picture, no flatter
  // than a digit (a flat one is a dash, a shadow's or a sheet's edge).
  function candidateScore(mark, height, width, spec) {
    const settings = spec.locate.scoring;
    const rowOffset = ((mark.top + mark.bottom) / 2 - (height - 1) / 2) / height;
    const columnOffset = ((mark.left + mark.right) / 2 - (width - 1) / 2) / width;
    const offset = Math.sqrt(rowOffset * rowOffset + columnOffset * columnOffset);
    const score = mark.area * (1 - settings.centre_weight * Math.min(offset / 0.5, 1));
    const touches = mark.top === 0 || mark.left === 0 || mark.bottom === height - 1 || mark.right === width - 1;
    const flat = widthOf(mark) >= settings.flat_aspect * heightOf(mark);
    return score * (touches ? settings.border_factor : 1) * (flat ? settings.flat_factor : 1);
  }

  // Whether a candidate could be another digit of the anchor's number: similar height, same line. Beside a
  // thin upright line the bounds are closer (line_height_ratio, line_row_overlap): a 1 written in a number is
  // about as tall as its neighbours and stands on their line, but the side of a box drawn around a digit, or
  // a form cell's, is taller, shorter or shifted (a 4 in a cell read as 14).
  function inRow(mark, anchor, spec) {
    const settings = spec.locate.row;
    const line = isUprightLine(mark, spec) || isUprightLine(anchor, spec);
    const minRatio = line ? settings.line_height_ratio : settings.min_height_ratio;
    const ratio = heightOf(mark) / heightOf(anchor);
    if (!(minRatio <= ratio && ratio <= 1 / minRatio)) return false;
    const overlap = Math.min(mark.bottom, anchor.bottom) - Math.max(mark.top, anchor.top) + 1;
    const minOverlap = line ? settings.line_row_overlap : settings.min_row_overlap;
    return overlap >= minOverlap * Math.min(heightOf(mark), heightOf(anchor));
  }

  // {digits: left to right, reason: null} or {digits: [], reason}: the best candidate and its row neighbours.
  // The best is no digit when it is small for the map, or spans fewer than min_digit_pixels of the picture
  // itself (`factor` of them per map pixel) in a picture with room for twice as many: a crumb nobody can read
  // (a picture too small for that, an 8x8 icon, is read as it is).
  function pickDigits(candidates, height, width, factor, spec) {
    const settings = spec.locate.row;
    if (!candidates.length) return { digits: [], reason: ONLY_SPECKS };
    let best = candidates[0];
    let bestScore = candidateScore(best, height, width, spec);
    for (const candidate of candidates.slice(1)) {
      const score = candidateScore(candidate, height, width, spec);
      if (score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
    const extent = Math.max(heightOf(best), widthOf(best));
    const minPixels = spec.locate.min_digit_pixels;
    if (
      extent < spec.locate.min_digit_fraction * Math.min(height, width) ||
      (extent * factor < minPixels && Math.min(height, width) * factor >= 2 * minPixels)
    ) {
      return { digits: [], reason: ONLY_SPECKS };
    }
    const row = candidates
      .filter((candidate) => candidate === best || inRow(candidate, best, spec))
      .sort((a, b) => a.left - b.left || a.top - b.top);
    const position = row.indexOf(best);
    let first = position;
    let last = position;
    const maxGap = settings.max_gap * heightOf(best);
    while (first > 0 && row[first].left - row[first - 1].right - 1 <= maxGap) first--;
    while (last < row.length - 1 && row[last + 1].left - row[last].right - 1 <= maxGap) last++;
    const digits = row.slice(first, last + 1);
    if (digits.length > settings.max_digits) return { digits: [], reason: TOO_MANY };
    return { digits, reason: null };
  }

  // Whether a mark is a block of shade, not a stroke: solid, wider than a stroke both ways, and reaching the
  // picture's edge (a shadow on a sheet that fills the frame, taken for evenly lit paper).
  function isShade(mark, height, width, spec) {
    const settings = spec.locate.shade;
    return (
      reachesTheEdge(mark, height, width) &&
      Math.min(heightOf(mark), widthOf(mark)) >= settings.min_side * Math.min(height, width) &&
      mark.area >= settings.min_fill * heightOf(mark) * widthOf(mark)
    );
  }

  // [row, first column, last column + 1] of each map row holding the mark's pixels (labels: stride wide).
  function rowExtents(mark, labels, stride) {
    const own = new Set(mark.labels);
    const extents = [];
    for (let row = mark.top; row <= mark.bottom; row++) {
      let first = -1;
      let last = -1;
      for (let x = mark.left; x <= mark.right; x++) {
        if (!own.has(labels[row * stride + x])) continue;
        if (first < 0) first = x;
        last = x + 1;
      }
      if (first >= 0) extents.push([row, first, last]);
    }
    return extents;
  }

  // Twice the area of the convex hull of row extents, each row's ends taken as whole pixels (Andrew's
  // monotone chain on their corners: exact in integers).
  function twiceHullArea(extents) {
    const corners = new Map();
    for (const [row, first, last] of extents) {
      for (const point of [
        [first, row],
        [first, row + 1],
        [last, row],
        [last, row + 1],
      ])
        corners.set(`${point[0]},${point[1]}`, point);
    }
    const points = [...corners.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const turn = (origin, first, second) =>
      (first[0] - origin[0]) * (second[1] - origin[1]) - (first[1] - origin[1]) * (second[0] - origin[0]);
    const hull = [];
    for (const chain of [points, points.slice().reverse()]) {
      // the lower half, then the upper
      const start = hull.length;
      for (const point of chain) {
        while (hull.length >= start + 2 && turn(hull[hull.length - 2], hull[hull.length - 1], point) <= 0) hull.pop();
        hull.push(point);
      }
      hull.pop(); // each half ends where the other starts
    }
    let twice = 0;
    for (let index = 0; index < hull.length; index++) {
      const previous = hull[(index + hull.length - 1) % hull.length];
      twice += previous[0] * hull[index][1] - hull[index][0] * previous[1];
    }
    return Math.abs(twice);
  }

  // Whether a mark fills its convex hull as a sheet of paper does (sheet_solidity), however it is turned; a
  // digit's strokes, however bold, leave its hull's corners and its holes empty.
  function isSheet(mark, labels, stride, spec) {
    return 2 * mark.area >= spec.locate.sheet_solidity * twiceHullArea(rowExtents(mark, labels, stride));
  }

  // Whether a mark is a block of ink a digit may be cut out of (a badge, a tile, a sticky note): filled from
  // each row's first pixel to its last, it is as solid as a sheet, and most of that is ink (block_density).
  function isBlock(mark, labels, stride, spec) {
    const extents = rowExtents(mark, labels, stride);
    let filled = 0;
    for (const [, first, last] of extents) filled += last - first;
    const settings = spec.locate;
    const solid = 2 * filled >= settings.sheet_solidity * twiceHullArea(extents);
    return solid && mark.area >= settings.block_density * filled;
  }

  // Each component of a mark (a group) as a mark of its own, over the group's box.
  function partsOf(mark, labels, stride) {
    return mark.labels.map((label) => {
      let area = 0;
      for (let y = mark.top; y <= mark.bottom; y++)
        for (let x = mark.left; x <= mark.right; x++) if (labels[y * stride + x] === label) area++;
      return { ...mark, area, labels: [label] };
    });
  }

  // The digits found inside a block of ink, its box inset by block_inset read as a picture of its own, or null
  // when what is found there is no digit cut out of it: it stands out from the block less than
  // block_min_contrast (the shading of a smudge), reaches the inset box's edge (the paper in a bold digit's
  // bays), is shorter than a frame's content (frame_min_inner_height: a gap in a blot), or every part of it
  // is convex (a bold 0's counter, an 8's two).
  function lookInside(image, factor, block, spec) {
    const settings = spec.locate;
    const insetRows = roundHalfUp(settings.block_inset * heightOf(block));
    const insetColumns = roundHalfUp(settings.block_inset * widthOf(block));
    const top = block.top + insetRows;
    const left = block.left + insetColumns;
    const height = block.bottom + 1 - insetRows - top;
    const width = block.right + 1 - insetColumns - left;
    if (Math.min(height, width) < settings.frames.min_side) return null;
    const inside = locateOnMap(crop(image, top, left, height, width), factor, JUDGED, spec);
    if (inside.labels === null || inside.contrast < settings.block_min_contrast) return null; // a smudge's shading
    for (const digit of inside.digits) {
      if (
        reachesTheEdge(digit, height, width) ||
        heightOf(digit) < settings.stray.frame_min_inner_height * heightOf(block) ||
        partsOf(digit, inside.labels, width).every((part) => isSheet(part, inside.labels, width, spec))
      )
        return null;
    }
    const labels = new Int32Array(image.height * image.width);
    const takenOff = new Uint8Array(image.height * image.width);
    for (let y = 0; y < height; y++) {
      labels.set(inside.labels.subarray(y * width, (y + 1) * width), (top + y) * image.width + left);
      takenOff.set(inside.takenOff.subarray(y * width, (y + 1) * width), (top + y) * image.width + left);
    }
    const digits = inside.digits.map((digit) => ({
      ...digit,
      top: digit.top + top,
      bottom: digit.bottom + top,
      left: digit.left + left,
      right: digit.right + left,
    }));
    return { ...inside, digits, labels, takenOff, mapHeight: image.height, mapWidth: image.width };
  }

  // {digits (left to right), labels, takenOff, mapHeight, mapWidth, factor, reason, even, contrast}: the digits
  // found in an RGB picture; takenOff: 1 at marks taken off as a box's or a cell's frame; even: the paper was
  // taken as evenly lit; contrast: how far the marks stand out (findMarks).
  // Paper judged evenly lit is looked at again as lit unevenly when a block of shade is among the digits; a
  // picture judged a sheet on a darker desk where no digit is found, as evenly lit when its border is; one judged
  // unevenly lit where no digit is found, as lit from one side. A digit found as one block of ink is looked
  // inside: a digit may be cut out of it (a white 5 on a red disc).
  function locate(rgb, spec) {
    const { image, factor } = reduceToMap(rgb, spec); // [h,w,3], long side <= map_side
    let located = locateOnMap(image, factor, JUDGED, spec);
    const { height, width } = image;
    if (located.even && located.digits.some((digit) => isShade(digit, height, width, spec))) {
      return locateOnMap(image, factor, UNEVEN, spec);
    }
    if (!located.even && !located.digits.length) {
      // Much of the picture lighter than its even border is a sheet on a darker desk, or a bold light digit
      // filling the picture (a white 5 on a blue tile), whose strokes are wider than the cells that tell
      // paper from ink. Looking for ink on the sheet found nothing, so the light part is read as ink,
      // unless it is a blank sheet.
      const again = locateOnMap(image, factor, BORDER, spec);
      const { labels } = again; // null when no digit is found
      if (again.even && labels !== null && !again.digits.some((digit) => isSheet(digit, labels, width, spec))) {
        located = again;
      }
    }
    if (!located.even && !located.digits.length) {
      // Nothing found among the cells: a stroke wider than they are, under light from one side, passes for
      // paper or desk. Light from one side is a plane; read against it, the stroke is ink however wide.
      // Not a mark from edge to edge of the photo, though: that is a pen or a cable across the desk.
      const again = locateOnMap(image, factor, SLOPE, spec);
      const { labels } = again;
      const notADigit = (digit) => isSheet(digit, labels, width, spec) || crosses(digit, height, width, spec);
      if (again.even && labels !== null && !again.digits.some(notADigit)) located = again;
    }
    if (located.digits.length === 1 && isBlock(located.digits[0], located.labels, width, spec)) {
      const inside = lookInside(image, factor, located.digits[0], spec);
      if (inside !== null) return inside;
    }
    return located;
  }

  // The digits found on the map, or the reason; the light judged as `lighting` says.
  function locateOnMap(image, factor, lighting, spec) {
    const { height, width } = image;
    const { background, onPaper } = estimateBackground(image, spec, lighting); // [h,w,3], [h*w] or null
    const even = onPaper === null;
    const { marks, contrast } = findMarks(image, background, spec);
    const located = (digits, labels, reason, takenOff = null) => ({
      digits,
      labels,
      takenOff,
      mapHeight: height,
      mapWidth: width,
      factor,
      reason,
      even,
      contrast,
    });
    if (onPaper) for (let index = 0; index < marks.data.length; index++) marks.data[index] &= onPaper[index];
    if (contrast < spec.locate.min_contrast) return located([], null, NO_CONTRAST);
    if (!marks.data.some((value) => value)) return located([], null, NO_MARKS);
    if (contrast < spec.locate.min_contrast_dark && marksPaperLevel(background, marks) < spec.locate.dark_paper) {
      return located([], null, NO_CONTRAST);
    }
    // A photo: a sheet's edge may ring it (a scanned cell's frame is left to the steps below).
    const outlined = even ? marks : dropOutlines(marks, spec);
    const { cleared } = clearLines(outlined, spec);
    let reason = null;
    for (const mask of [cleared, outlined]) {
      // With the lines out nothing may be left: a thin digit filling the frame is itself a long line.
      let labelled = labelMarks(mask);
      const peeled = peelFrames(mask, labelled.labels, labelled.components, spec);
      if (peeled !== mask) labelled = labelMarks(peeled);
      const unlined = peelUnderlines(peeled, labelled.labels, labelled.components, spec);
      if (unlined !== peeled) labelled = labelMarks(unlined);
      const { labels } = labelled;
      const components = onPaper
        ? offTheDeskBands(
            offTheDesk(labelled.components, labels, onPaper, height, width, spec),
            labels,
            mask,
            image,
            background,
            spec,
          )
        : labelled.components;
      // Light from one side is a photo's: its long lines are the desk's (a pen, a cable), as on uneven paper.
      const scan = even && lighting !== SLOPE;
      const kept = levelHeights(dropStrayMarks(components, labels, height, width, scan, spec), labels, width, spec);
      const candidates = groupParts(kept, spec);
      const picked = pickDigits(candidates, height, width, factor, spec);
      if (picked.digits.length) {
        const takenOff = new Uint8Array(mask.data.length); // marks taken off as a box's or a cell's frame
        for (let index = 0; index < takenOff.length; index++) takenOff[index] = mask.data[index] && !peeled.data[index];
        return located(picked.digits, labels, null, takenOff);
      }
      reason = picked.reason;
    }
    return located([], null, reason);
  }

  window.snapmathLocate = { locate, reduceToMap, estimateBackground, findMarks, clearLines, labelMarks };
})();
