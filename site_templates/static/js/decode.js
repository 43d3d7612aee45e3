// Decode whatever a person gives (a file, a pasted image, a canvas) into RGBA pixels, refusing
// what cannot or should not be decoded with a sentence that person can act on.
//
// Python counterpart: training.preprocess.decode_file (Pillow). Both give upright pixels (EXIF
// orientation applied) of the first frame, and both shrink big pictures to at most
// limits.maxSide px on the long side (default: the spec's decode.max_decoded_side, 256, which is
// also the preprocessing's working size), so the pixel work after decoding stays small.
(function () {
  'use strict';

  const DEFAULT_MAX_SIDE = 256; // training/preprocess_spec.json decode.max_decoded_side
  const HEADER_BYTES = 256 * 1024; // JPEG size markers can sit behind a large EXIF block

  const SUPPORTED = 'PNG, JPEG, GIF, WebP or BMP';
  const MESSAGES = {
    empty: 'This file is empty (0 bytes).',
    heic: 'This is a HEIC photo, which browsers cannot read: please save it as JPEG or PNG and try again.',
    pdf: 'This is a PDF document, not a picture: please use a ' + SUPPORTED + ' picture.',
    svg: 'SVG drawings are not supported: please use a ' + SUPPORTED + ' picture.',
    unknown: 'This file is not a picture this app can read: please use a ' + SUPPORTED + ' picture.',
    damaged: 'This picture is damaged or not really a picture, so it cannot be read.',
    notLoaded: 'This picture has not loaded (or its address is broken), so it cannot be read.',
    noPixels: 'This picture has no pixels.',
  };

  function megabytes(bytes) {
    return (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '');
  }

  function tooManyBytes(size, limit) {
    return `This file is too large (${megabytes(size)} MB); the limit is ${megabytes(limit)} MB.`;
  }

  function tooManyPixels(width, height, limit) {
    return (
      `This picture is too large (${width}×${height} pixels); ` +
      `the limit is ${Math.round(limit / 1e6)} megapixels.`
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
    if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
    if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
    if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return 'gif';
    if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
    if (ascii(bytes, 0, 2) === 'BM') return 'bmp';
    if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00])) return 'ico';
    if (ascii(bytes, 4, 8) === 'ftyp') {
      const brand = ascii(bytes, 8, 12);
      if (brand === 'avif' || brand === 'avis') return 'avif';
      if (['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'heic';
    }
    if (ascii(bytes, 0, 5) === '%PDF-') return 'pdf';
    const text = ascii(bytes, 0, 512).replace(/^\uFEFF/, '').trimStart().toLowerCase();
    if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) return 'svg';
    return null;
  }

  // {width, height} from the header of a PNG, GIF, BMP, WebP or JPEG, or null if not found.
  function headerSize(bytes, format) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const fits = (length) => bytes.length >= length;
    if (format === 'png' && fits(24)) return { width: view.getUint32(16), height: view.getUint32(20) };
    if (format === 'gif' && fits(10)) return { width: view.getUint16(6, true), height: view.getUint16(8, true) };
    if (format === 'bmp' && fits(26)) {
      return { width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) };
    }
    if (format === 'webp' && fits(30)) return webpSize(bytes, view);
    if (format === 'jpeg') return jpegSize(bytes, view);
    return null;
  }

  function webpSize(bytes, view) {
    const chunk = ascii(bytes, 12, 16);
    if (chunk === 'VP8X') {
      const width = 1 + (view.getUint16(24, true) | (bytes[26] << 16));
      const height = 1 + (view.getUint16(27, true) | (bytes[29] << 16));
      return { width, height };
    }
    if (chunk === 'VP8L') {
      const bits = view.getUint32(21, true);
      return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
    }
    if (chunk === 'VP8 ') return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
    return null;
  }

  // Walk the JPEG markers to the first start-of-frame, which holds the size.
  function jpegSize(bytes, view) {
    let offset = 2;
    while (offset + 9 < bytes.length) {
      if (bytes[offset] !== 0xff) return null;
      const marker = bytes[offset + 1];
      if (marker === 0xff) {
        offset += 1;
        continue;
      }
      const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
      if (isFrame) return { width: view.getUint16(offset + 7), height: view.getUint16(offset + 5) };
      offset += 2 + view.getUint16(offset + 2);
    }
    return null;
  }

  // Refuse a Blob before decoding it; resolves to {format, size (from the header, or null)} when it
  // looks decodable.
  async function checkBlob(blob, limits) {
    if (blob.size === 0) throw new Error(MESSAGES.empty);
    if (limits.maxFileBytes && blob.size > limits.maxFileBytes) throw new Error(tooManyBytes(blob.size, limits.maxFileBytes));
    const bytes = new Uint8Array(await blob.slice(0, HEADER_BYTES).arrayBuffer());
    const type = (blob.type || '').toLowerCase();
    const name = (blob.name || '').toLowerCase();
    const format = sniffFormat(bytes);
    if (format === 'heic' || /hei[cf]/.test(type) || /\.hei[cf]$/.test(name)) throw new Error(MESSAGES.heic);
    if (format === 'pdf' || type === 'application/pdf') throw new Error(MESSAGES.pdf);
    if (format === 'svg' || type.startsWith('image/svg')) throw new Error(MESSAGES.svg);
    if (!format) throw new Error(MESSAGES.unknown);
    const size = headerSize(bytes, format);
    if (size && limits.maxPixels && size.width * size.height > limits.maxPixels) {
      throw new Error(tooManyPixels(size.width, size.height, limits.maxPixels));
    }
    return { format, size };
  }

  // The size to draw at: the long side at most maxSide, aspect kept.
  function boundedSize(width, height, maxSide) {
    const scale = Math.min(1, maxSide / Math.max(width, height));
    return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
  }

  function makeCanvas(width, height) {
    if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(width, height);
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    return canvas;
  }

  // {data, width, height} of a drawable (ImageBitmap, VideoFrame, image, canvas) drawn at the given size.
  function drawToRgba(drawable, width, height) {
    const context = makeCanvas(width, height).getContext('2d', { willReadFrequently: true });
    context.imageSmoothingEnabled = true;
    context.imageSmoothingQuality = 'high';
    context.drawImage(drawable, 0, 0, width, height);
    const image = context.getImageData(0, 0, width, height);
    return { data: image.data, width, height };
  }

  // An ImageBitmap no larger than maxSide, resized by the browser's high-quality scaler.
  async function boundedBitmap(bitmap, maxSide) {
    const size = boundedSize(bitmap.width, bitmap.height, maxSide);
    if (size.width === bitmap.width && size.height === bitmap.height) return bitmap;
    const smaller = await createImageBitmap(bitmap, {
      resizeWidth: size.width,
      resizeHeight: size.height,
      resizeQuality: 'high',
    });
    bitmap.close();
    return smaller;
  }

  // A big JPEG (a phone photo) decoded straight at a fraction of its size, or null where the browser
  // cannot. JPEG decoders can skip most of the work by scaling while they decode (1/2 ... 1/8 of the
  // size); WebCodecs' ImageDecoder does that when asked for a smaller size, about 3x faster than a
  // full decode then a resize (2000x1500: ~8 ms against ~22 ms in headless Chromium). It picks the
  // largest scale n/8 whose area fits the asked size (else 1/8); what comes out is drawn at most maxSide.
  // It applies EXIF orientation through the frame's rotation, so it is used only where VideoFrame has one.
  async function decodeJpegSmaller(blob, size, maxSide) {
    const supported =
      typeof ImageDecoder !== 'undefined' && typeof VideoFrame !== 'undefined' && 'rotation' in VideoFrame.prototype;
    if (!supported) return null;
    const asked = boundedSize(size.width, size.height, maxSide);
    let decoder = null;
    let frame = null;
    try {
      decoder = new ImageDecoder({
        data: await blob.arrayBuffer(),
        type: 'image/jpeg',
        desiredWidth: asked.width,
        desiredHeight: asked.height,
      });
      frame = (await decoder.decode()).image;
      const drawn = boundedSize(frame.displayWidth, frame.displayHeight, maxSide);
      return drawToRgba(frame, drawn.width, drawn.height);
    } catch (error) {
      return null; // the ordinary path below decodes it, or says why it cannot
    } finally {
      if (frame) frame.close();
      if (decoder) decoder.close();
    }
  }

  async function blobToRgba(blob, limits, maxSide) {
    const { format, size } = await checkBlob(blob, limits);
    if (format === 'jpeg' && size && Math.max(size.width, size.height) > maxSide) {
      const smaller = await decodeJpegSmaller(blob, size, maxSide);
      if (smaller) return { ...smaller, sourceSide: Math.max(size.width, size.height) };
    }
    let bitmap;
    try {
      // 'from-image' applies EXIF orientation; a GIF gives its first frame.
      bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
    } catch (error) {
      throw new Error(MESSAGES.damaged);
    }
    if (limits.maxPixels && bitmap.width * bitmap.height > limits.maxPixels) {
      bitmap.close();
      throw new Error(tooManyPixels(bitmap.width, bitmap.height, limits.maxPixels));
    }
    const sourceSide = Math.max(bitmap.width, bitmap.height);
    bitmap = await boundedBitmap(bitmap, maxSide);
    try {
      return { ...drawToRgba(bitmap, bitmap.width, bitmap.height), sourceSide };
    } finally {
      bitmap.close();
    }
  }

  async function imageDataToRgba(imageData, maxSide) {
    const size = boundedSize(imageData.width, imageData.height, maxSide);
    const sourceSide = Math.max(imageData.width, imageData.height);
    if (size.width === imageData.width && size.height === imageData.height) {
      return { data: new Uint8ClampedArray(imageData.data), width: imageData.width, height: imageData.height, sourceSide };
    }
    const bitmap = await createImageBitmap(imageData, {
      resizeWidth: size.width,
      resizeHeight: size.height,
      resizeQuality: 'high',
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
  async function toRgba(source, limits = {}) {
    const maxSide = limits.maxSide || DEFAULT_MAX_SIDE;
    if (!source) throw new Error(MESSAGES.noPixels);
    if (typeof Blob !== 'undefined' && source instanceof Blob) return blobToRgba(source, limits, maxSide);
    if (typeof ImageData !== 'undefined' && source instanceof ImageData) {
      if (!source.width || !source.height) throw new Error(MESSAGES.noPixels);
      return imageDataToRgba(source, maxSide);
    }
    if (typeof HTMLImageElement !== 'undefined' && source instanceof HTMLImageElement) {
      try {
        await source.decode();
      } catch (error) {
        throw new Error(MESSAGES.notLoaded);
      }
      if (!source.naturalWidth || !source.naturalHeight) throw new Error(MESSAGES.notLoaded);
      const size = boundedSize(source.naturalWidth, source.naturalHeight, maxSide);
      return { ...drawToRgba(source, size.width, size.height), sourceSide: Math.max(source.naturalWidth, source.naturalHeight) };
    }
    const width = source.width;
    const height = source.height;
    if (!width || !height) throw new Error(MESSAGES.noPixels);
    const size = boundedSize(width, height, maxSide);
    return { ...drawToRgba(source, size.width, size.height), sourceSide: Math.max(width, height) };
  }

  window.snapmathDecode = { toRgba, sniffFormat, headerSize };
})();
