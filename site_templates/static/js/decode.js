// Decode whatever a person gives (a file, a pasted image, a canvas) into RGBA pixels, refusing
// what cannot or should not be decoded with a sentence that person can act on.
//
// Python counterpart: training.decode.decode_file (Pillow). Both read the same formats (PNG, JPEG,
// GIF, WebP, BMP; anything else is refused with the same sentence), find the picture's size wherever
// the format keeps it (every JPEG marker, every GIF frame) and refuse it over the pixel limit before
// decoding; both give upright pixels (EXIF orientation applied) of the first frame, and both shrink
// big pictures to at most limits.maxSide px on the long side (the spec's decode.max_decoded_side).
//
// Memory: one scratch canvas is reused and emptied after each picture, and one picture is decoded at
// a time; a reading whose `signal` was aborted (a newer picture replaced it) stops before its next step.
(function () {
  "use strict";

  const SUPPORTED = "PNG, JPEG, GIF, WebP or BMP";
  const READABLE_FORMATS = ["png", "jpeg", "gif", "webp", "bmp"];
  const MESSAGES = {
    empty: "This file is empty (0 bytes).",
    heic: "This is a HEIC photo, which browsers cannot read: please save it as JPEG or PNG and try again.",
    pdf: "This is a PDF document, not a picture: please use a " + SUPPORTED + " picture.",
    svg: "SVG drawings are not supported: please use a " + SUPPORTED + " picture.",
    unknown: "This file is not a picture this app can read. Please use a " + SUPPORTED + " picture.",
    damaged: "This picture is damaged or not really a picture, so it cannot be read.",
    notLoaded: "This picture has not loaded (or its address is broken), so it cannot be read.",
    noPixels: "This picture has no pixels.",
  };

  function megabytes(bytes) {
    return (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "");
  }

  function tooManyBytes(size, limit) {
    return `This file is too large (${megabytes(size)} MB); the limit is ${megabytes(limit)} MB.`;
  }

  function tooManyPixels(width, height, limit) {
    return (
      `This picture is too large (${width}×${height} pixels); ` + `the limit is ${Math.round(limit / 1e6)} megapixels.`
    );
  }

  function startsWith(bytes, signature, offset = 0) {
    if (bytes.length < offset + signature.length) return false;
    return signature.every((value, index) => bytes[offset + index] === value);
  }

  function ascii(bytes, start, end) {
    return String.fromCharCode(...bytes.subarray(start, Math.min(end, bytes.length)));
  }

  // The format named by the file's first bytes: 'png', 'jpeg', 'gif', 'webp', 'bmp', 'avif', 'ico',
  // 'heic', 'pdf', 'svg' or null.
  function sniffFormat(bytes) {
    if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
    if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "jpeg";
    if (ascii(bytes, 0, 6) === "GIF87a" || ascii(bytes, 0, 6) === "GIF89a") return "gif";
    if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "WEBP") return "webp";
    if (ascii(bytes, 0, 2) === "BM") return "bmp";
    if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00])) return "ico";
    if (ascii(bytes, 4, 8) === "ftyp") {
      const brand = ascii(bytes, 8, 12);
      if (brand === "avif" || brand === "avis") return "avif";
      if (["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"].includes(brand)) return "heic";
    }
    if (ascii(bytes, 0, 5) === "%PDF-") return "pdf";
    const text = ascii(bytes, 0, 512)
      .replace(/^\uFEFF/, "")
      .trimStart()
      .toLowerCase();
    if (text.startsWith("<svg") || (text.startsWith("<?xml") && text.includes("<svg"))) return "svg";
    return null;
  }

  // {width, height} of the picture in a whole PNG, GIF, BMP, WebP or JPEG file, or null when the file
  // does not say (then it is not decoded: what cannot be sized cannot be checked against the limit).
  function headerSize(bytes, format) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const fits = (length) => bytes.length >= length;
    let size = null;
    if (format === "png" && fits(24)) size = { width: view.getUint32(16), height: view.getUint32(20) };
    if (format === "gif") size = gifSize(bytes, view);
    if (format === "bmp" && fits(26)) size = bmpSize(view);
    if (format === "webp" && fits(30)) size = webpSize(bytes, view);
    if (format === "jpeg") size = jpegSize(bytes, view);
    return size && size.width > 0 && size.height > 0 ? size : null;
  }

  // A BMP's info header of 12 bytes (OS/2 1.x) holds 16-bit sizes; the larger ones 32-bit signed sizes.
  function bmpSize(view) {
    if (view.getUint32(14, true) === 12) return { width: view.getUint16(18, true), height: view.getUint16(20, true) };
    return { width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) };
  }

  // The offset after a GIF's chain of data sub-blocks starting at `offset`, or -1 when the file ends first.
  function skipSubBlocks(bytes, offset) {
    while (offset < bytes.length) {
      const length = bytes[offset];
      offset += 1 + length;
      if (length === 0) return offset;
    }
    return -1;
  }

  // The logical screen grown to hold every frame: decoders make room for a frame larger than the
  // screen, so a 1x1 screen can hide a 20000x20000 frame.
  function gifSize(bytes, view) {
    if (bytes.length < 13) return null;
    const colourTable = (packed) => (packed & 0x80 ? 3 * (2 << (packed & 7)) : 0);
    let width = view.getUint16(6, true);
    let height = view.getUint16(8, true);
    let offset = 13 + colourTable(bytes[10]);
    let frames = 0;
    while (offset >= 0 && offset < bytes.length && bytes[offset] !== 0x3b) {
      if (bytes[offset] === 0x21) {
        offset = skipSubBlocks(bytes, offset + 2); // extension: introducer, label, sub-blocks
      } else if (bytes[offset] === 0x2c && offset + 10 <= bytes.length) {
        width = Math.max(width, view.getUint16(offset + 1, true) + view.getUint16(offset + 5, true));
        height = Math.max(height, view.getUint16(offset + 3, true) + view.getUint16(offset + 7, true));
        frames += 1;
        offset = skipSubBlocks(bytes, offset + 10 + colourTable(bytes[offset + 9]) + 1); // + LZW code size
      } else {
        break; // not a GIF block: decoders stop reading here too
      }
    }
    return frames > 0 ? { width, height } : null;
  }

  function webpSize(bytes, view) {
    const chunk = ascii(bytes, 12, 16);
    if (chunk === "VP8X") {
      const width = 1 + (view.getUint16(24, true) | (bytes[26] << 16));
      const height = 1 + (view.getUint16(27, true) | (bytes[29] << 16));
      return { width, height };
    }
    if (chunk === "VP8L") {
      const bits = view.getUint32(21, true);
      return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
    }
    if (chunk === "VP8 ")
      return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
    return null;
  }

  // Walk every JPEG marker segment, however many come first (EXIF, comments), to the start-of-frame,
  // which holds the size; a scan before any frame header means the file cannot be sized.
  function jpegSize(bytes, view) {
    let offset = 2;
    while (offset + 4 <= bytes.length) {
      if (bytes[offset] !== 0xff) return null;
      const marker = bytes[offset + 1];
      if (marker === 0xff) {
        offset += 1; // fill byte
        continue;
      }
      if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
        offset += 2; // TEM, RSTn and SOI stand alone: no length follows
        continue;
      }
      if (marker === 0xd9 || marker === 0xda) return null; // end of image, or a scan, before any frame header
      const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
      if (isFrame) {
        return offset + 9 <= bytes.length
          ? { width: view.getUint16(offset + 7), height: view.getUint16(offset + 5) }
          : null;
      }
      offset += 2 + view.getUint16(offset + 2);
    }
    return null;
  }

  // The Error a superseded reading rejects with (its caller aborted it and ignores it).
  function abortError() {
    const error = new Error("This reading was replaced by a newer one.");
    error.name = "AbortError";
    return error;
  }

  function throwIfAborted(signal) {
    if (signal && signal.aborted) throw abortError();
  }

  // Refuse a Blob before decoding it; resolves to {format, size, bytes} for a picture of a format this
  // app reads whose size, found in the whole file, is within the limits.
  async function checkBlob(blob, limits) {
    if (blob.size === 0) throw new Error(MESSAGES.empty);
    if (limits.maxFileBytes && blob.size > limits.maxFileBytes)
      throw new Error(tooManyBytes(blob.size, limits.maxFileBytes));
    // The whole file (at most maxFileBytes): a JPEG's frame header can follow megabytes of other
    // segments, and a GIF's frames are spread through it.
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const type = (blob.type || "").toLowerCase();
    const name = (blob.name || "").toLowerCase();
    const format = sniffFormat(bytes);
    if (format === "heic" || /hei[cf]/.test(type) || /\.hei[cf]$/.test(name)) throw new Error(MESSAGES.heic);
    if (format === "pdf" || type === "application/pdf") throw new Error(MESSAGES.pdf);
    if (format === "svg" || type.startsWith("image/svg")) throw new Error(MESSAGES.svg);
    if (!READABLE_FORMATS.includes(format)) throw new Error(MESSAGES.unknown); // as the Python twin: not AVIF, ICO
    const size = headerSize(bytes, format);
    if (!size) throw new Error(MESSAGES.damaged); // no size to check against the limit: not decoded
    if (limits.maxPixels && size.width * size.height > limits.maxPixels) {
      throw new Error(tooManyPixels(size.width, size.height, limits.maxPixels));
    }
    return { format, size, bytes };
  }

  // The size to draw at: the long side at most maxSide, aspect kept.
  function boundedSize(width, height, maxSide) {
    const scale = Math.min(1, maxSide / Math.max(width, height));
    return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
  }

  // One canvas for every picture: a new canvas per reading leaves its pixels to the garbage collector,
  // which does not see them (they live outside the JS heap) and lets them pile up.
  let scratch = null;

  function scratchCanvas(width, height) {
    if (!scratch) {
      scratch = typeof OffscreenCanvas !== "undefined" ? new OffscreenCanvas(1, 1) : document.createElement("canvas");
    }
    scratch.width = width; // resizing also clears it
    scratch.height = height;
    return scratch;
  }

  // {data, width, height} of a drawable (ImageBitmap, VideoFrame, image, canvas) drawn at the given size.
  function drawToRgba(drawable, width, height) {
    const canvas = scratchCanvas(width, height);
    try {
      const context = canvas.getContext("2d", { willReadFrequently: true });
      context.imageSmoothingEnabled = true;
      context.imageSmoothingQuality = "high";
      context.drawImage(drawable, 0, 0, width, height);
      const image = context.getImageData(0, 0, width, height);
      return { data: image.data, width, height };
    } finally {
      scratchCanvas(1, 1); // its pixels are copied out: hold none until the next picture
    }
  }

  // An ImageBitmap no larger than maxSide, resized by the browser's high-quality scaler.
  async function boundedBitmap(bitmap, maxSide) {
    const size = boundedSize(bitmap.width, bitmap.height, maxSide);
    if (size.width === bitmap.width && size.height === bitmap.height) return bitmap;
    return createImageBitmap(bitmap, { resizeWidth: size.width, resizeHeight: size.height, resizeQuality: "high" });
  }

  // A big JPEG (a phone photo) decoded straight at a fraction of its size, or null where the browser
  // cannot. JPEG decoders can skip most of the work by scaling while they decode (1/2 ... 1/8 of the
  // size); WebCodecs' ImageDecoder does that when asked for a smaller size, about 3x faster than a
  // full decode then a resize (2000x1500: ~8 ms against ~22 ms in headless Chromium). It picks the
  // largest scale n/8 whose area fits the asked size (else 1/8); what comes out is drawn at most maxSide.
  // It applies EXIF orientation through the frame's rotation, so it is used only where VideoFrame has one.
  async function decodeJpegSmaller(bytes, size, maxSide) {
    const supported =
      typeof ImageDecoder !== "undefined" && typeof VideoFrame !== "undefined" && "rotation" in VideoFrame.prototype;
    if (!supported) return null;
    const asked = boundedSize(size.width, size.height, maxSide);
    let decoder = null;
    let frame = null;
    let bitmap = null;
    try {
      decoder = new ImageDecoder({
        data: bytes,
        type: "image/jpeg",
        desiredWidth: asked.width,
        desiredHeight: asked.height,
      });
      frame = (await decoder.decode()).image;
      const copied = await copiedPixels(frame, maxSide);
      if (copied) return copied;
      // Through an ImageBitmap: drawing the VideoFrame itself on a canvas leaves ~0.5 MB behind in the
      // renderer per picture (measured: +370 MB over 200 readings, none with the bitmap).
      bitmap = await createImageBitmap(frame);
      if (bitmap.width !== frame.displayWidth || bitmap.height !== frame.displayHeight) return null; // not upright
      const drawn = boundedSize(bitmap.width, bitmap.height, maxSide);
      return drawToRgba(bitmap, drawn.width, drawn.height);
    } catch (error) {
      return null; // the ordinary path below decodes it, or says why it cannot
    } finally {
      if (bitmap) bitmap.close();
      if (frame) frame.close();
      if (decoder) decoder.close();
    }
  }

  // {data, width, height} of an upright frame no larger than maxSide, its pixels copied out as RGBA without
  // drawing them (the same bytes as through a canvas, ~1 ms less on a phone photo), or null where the frame
  // is turned, too big, or the browser cannot convert while copying.
  async function copiedPixels(frame, maxSide) {
    const width = frame.displayWidth;
    const height = frame.displayHeight;
    const upright = !frame.rotation && !frame.flip;
    if (!upright || Math.max(width, height) > maxSide) return null;
    if (frame.visibleRect.width !== width || frame.visibleRect.height !== height) return null;
    try {
      const size = frame.allocationSize({ format: "RGBA" });
      if (size !== width * height * 4) return null; // the format asked for was not understood
      const data = new Uint8ClampedArray(size);
      await frame.copyTo(data, { format: "RGBA" });
      return { data, width, height };
    } catch (error) {
      return null;
    }
  }

  async function blobToRgba(blob, limits, maxSide, signal) {
    const checked = await checkBlob(blob, limits);
    throwIfAborted(signal);
    const { format, size } = checked;
    const sourceSide = Math.max(size.width, size.height);
    if (format === "jpeg" && sourceSide > maxSide) {
      const smaller = await decodeJpegSmaller(checked.bytes, size, maxSide);
      if (smaller) return { ...smaller, sourceSide };
    }
    checked.bytes = null; // decoding reads the Blob: let the copy go
    throwIfAborted(signal);
    let bitmap;
    try {
      // 'from-image' applies EXIF orientation; a GIF gives its first frame.
      bitmap = await createImageBitmap(blob, { imageOrientation: "from-image" });
    } catch (error) {
      throw new Error(MESSAGES.damaged, { cause: error });
    }
    try {
      if (!bitmap.width || !bitmap.height) throw new Error(MESSAGES.damaged);
      const upright = Math.max(bitmap.width, bitmap.height);
      throwIfAborted(signal);
      const bounded = await boundedBitmap(bitmap, maxSide);
      if (bounded !== bitmap) bitmap.close();
      bitmap = bounded;
      throwIfAborted(signal);
      return { ...drawToRgba(bitmap, bitmap.width, bitmap.height), sourceSide: upright };
    } finally {
      bitmap.close();
    }
  }

  async function imageDataToRgba(imageData, maxSide) {
    const size = boundedSize(imageData.width, imageData.height, maxSide);
    const sourceSide = Math.max(imageData.width, imageData.height);
    if (size.width === imageData.width && size.height === imageData.height) {
      return {
        data: new Uint8ClampedArray(imageData.data),
        width: imageData.width,
        height: imageData.height,
        sourceSide,
      };
    }
    const bitmap = await createImageBitmap(imageData, {
      resizeWidth: size.width,
      resizeHeight: size.height,
      resizeQuality: "high",
    });
    try {
      return { ...drawToRgba(bitmap, size.width, size.height), sourceSide };
    } finally {
      bitmap.close();
    }
  }

  // Promise<{data: Uint8ClampedArray, width, height, sourceSide}> for a Blob, File, ImageBitmap, HTMLImageElement,
  // HTMLCanvasElement or ImageData (sourceSide: the long side of its own upright pixels, in which boxes
  // are given); rejects with an Error whose message is shown to the person.
  // limits: the page config's {maxFileBytes, maxPixels, maxSide}, which the build takes from the spec's decode
  // section (training/preprocess_spec.json), so decode.js keeps no figure of its own.
  // options.signal (an AbortSignal): once aborted, the reading stops before its next step and rejects
  // with an Error named 'AbortError'. One picture is decoded at a time: 20 pictures given in a second
  // would otherwise each hold a full-size decode at once; each reading waits for the previous one.
  function toRgba(source, limits, options = {}) {
    const run = queue.then(() => decodeOne(source, limits, options.signal));
    queue = run.catch(() => undefined);
    return run;
  }

  let queue = Promise.resolve();

  async function decodeOne(source, limits, signal) {
    throwIfAborted(signal);
    const maxSide = limits.maxSide;
    if (!(maxSide > 0)) throw new TypeError("snapmathDecode.toRgba needs limits.maxSide (the page config's limits)");
    if (!source) throw new Error(MESSAGES.noPixels);
    if (typeof Blob !== "undefined" && source instanceof Blob) return blobToRgba(source, limits, maxSide, signal);
    if (typeof ImageData !== "undefined" && source instanceof ImageData) {
      if (!source.width || !source.height) throw new Error(MESSAGES.noPixels);
      return imageDataToRgba(source, maxSide);
    }
    if (typeof HTMLImageElement !== "undefined" && source instanceof HTMLImageElement) {
      try {
        await source.decode();
      } catch (error) {
        throw new Error(MESSAGES.notLoaded, { cause: error });
      }
      if (!source.naturalWidth || !source.naturalHeight) throw new Error(MESSAGES.notLoaded);
      const size = boundedSize(source.naturalWidth, source.naturalHeight, maxSide);
      return {
        ...drawToRgba(source, size.width, size.height),
        sourceSide: Math.max(source.naturalWidth, source.naturalHeight),
      };
    }
    const width = source.width;
    const height = source.height;
    if (!width || !height) throw new Error(MESSAGES.noPixels);
    const size = boundedSize(width, height, maxSide);
    return { ...drawToRgba(source, size.width, size.height), sourceSide: Math.max(width, height) };
  }

  window.snapmathDecode = { toRgba };
})();
