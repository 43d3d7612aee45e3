// snapmath conv2d: the model's convolutions on the CPU backend, faster than TF.js's stock kernels
// (README design notes, "The model's convolutions"). The stock Conv2D adds every product straight into
// the float32 output, and FusedConv2D adds the bias in a second pass. Here each output value gathers
// the inputs under its window once, sums four output channels at a time in local variables, and leaves
// out the zero inputs (most of them: the background around a digit, and what ReLU zeroed). Same sums,
// rounded once instead of per product. Anything else the stock kernel can do (NCHW, other activations)
// still goes to it.
(function (root) {
  "use strict";

  const KERNELS = ["FusedConv2D", "Conv2D"]; // with a bias (what a trained model's graph holds) and without
  const BACKEND = "cpu";

  // x: NHWC float32 values; filter: HWIO [filterHeight, filterWidth, inChannels, outChannels]; bias:
  // outChannels values or null; conv: TF.js's conv info (backend_util.computeConv2DInfo: sizes, strides,
  // dilations, padInfo). Returns the NHWC output, with max(0, .) applied when relu is true.
  function conv2d(x, filter, bias, conv, relu) {
    const inHeight = conv.inHeight;
    const inWidth = conv.inWidth;
    const inChannels = conv.inChannels;
    const outChannels = conv.outChannels;
    const filterWidth = conv.filterWidth;
    const output = new Float32Array(conv.batchSize * conv.outHeight * conv.outWidth * outChannels);
    // One output value's window: the nonzero inputs and where each one's outChannels weights start.
    const windowValues = new Float64Array(conv.filterHeight * filterWidth * inChannels);
    const windowWeights = new Int32Array(windowValues.length);
    let outOffset = 0;
    for (let b = 0; b < conv.batchSize; b += 1) {
      for (let outRow = 0; outRow < conv.outHeight; outRow += 1) {
        const firstRow = outRow * conv.strideHeight - conv.padInfo.top;
        for (let outCol = 0; outCol < conv.outWidth; outCol += 1) {
          const firstCol = outCol * conv.strideWidth - conv.padInfo.left;
          let taps = 0;
          for (let filterRow = 0; filterRow < conv.filterHeight; filterRow += 1) {
            const row = firstRow + filterRow * conv.dilationHeight;
            if (row < 0 || row >= inHeight) continue;
            for (let filterCol = 0; filterCol < filterWidth; filterCol += 1) {
              const col = firstCol + filterCol * conv.dilationWidth;
              if (col < 0 || col >= inWidth) continue;
              const xOffset = ((b * inHeight + row) * inWidth + col) * inChannels;
              let weightOffset = (filterRow * filterWidth + filterCol) * inChannels * outChannels;
              for (let channel = 0; channel < inChannels; channel += 1, weightOffset += outChannels) {
                const value = x[xOffset + channel];
                if (value !== 0) {
                  windowValues[taps] = value;
                  windowWeights[taps] = weightOffset;
                  taps += 1;
                }
              }
            }
          }
          sumWindow(windowValues, windowWeights, taps, filter, bias, outChannels, output, outOffset, relu);
          outOffset += outChannels;
        }
      }
    }
    return output;
  }

  // output[outOffset + c] = bias[c] + sum over the window of value * weight[c], four channels at a time.
  function sumWindow(values, weights, taps, filter, bias, outChannels, output, outOffset, relu) {
    let channel = 0;
    for (; channel + 4 <= outChannels; channel += 4) {
      let sum0 = 0;
      let sum1 = 0;
      let sum2 = 0;
      let sum3 = 0;
      for (let tap = 0; tap < taps; tap += 1) {
        const value = values[tap];
        const at = weights[tap] + channel;
        sum0 += value * filter[at];
        sum1 += value * filter[at + 1];
        sum2 += value * filter[at + 2];
        sum3 += value * filter[at + 3];
      }
      output[outOffset + channel] = finish(sum0, bias, channel, relu);
      output[outOffset + channel + 1] = finish(sum1, bias, channel + 1, relu);
      output[outOffset + channel + 2] = finish(sum2, bias, channel + 2, relu);
      output[outOffset + channel + 3] = finish(sum3, bias, channel + 3, relu);
    }
    for (; channel < outChannels; channel += 1) {
      let sum = 0;
      for (let tap = 0; tap < taps; tap += 1) {
        sum += values[tap] * filter[weights[tap] + channel];
      }
      output[outOffset + channel] = finish(sum, bias, channel, relu);
    }
  }

  function finish(sum, bias, channel, relu) {
    const value = bias ? sum + bias[channel] : sum;
    return relu && value < 0 ? 0 : value;
  }

  // What this kernel computes; the rest goes to the stock kernel.
  function handles(inputs, attrs) {
    const outChannels = inputs.filter.shape[3];
    const bias = inputs.bias;
    return (
      (attrs.dataFormat === undefined || attrs.dataFormat === "NHWC") &&
      (!attrs.activation || attrs.activation === "linear" || attrs.activation === "relu") &&
      inputs.x.dtype === "float32" &&
      inputs.filter.dtype === "float32" &&
      (!bias || (bias.dtype === "float32" && bias.shape.length === 1 && bias.shape[0] === outChannels))
    );
  }

  // Registers conv2d as the CPU backend's FusedConv2D and Conv2D, in front of the stock kernels (those the
  // runtime holds). Call it after the runtime has loaded and before the model first runs; again, it changes nothing.
  function install(tf) {
    for (const name of KERNELS) {
      const stock = tf.getKernel(name, BACKEND);
      if (!stock || stock.kernelFunc.snapmath) continue;
      const kernelFunc = function (args) {
        return handles(args.inputs, args.attrs) ? run(tf, args) : stock.kernelFunc(args);
      };
      kernelFunc.snapmath = true;
      tf.unregisterKernel(name, BACKEND);
      tf.registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc: kernelFunc });
    }
  }

  function run(tf, args) {
    const inputs = args.inputs;
    const attrs = args.attrs;
    const conv = tf.backend_util.computeConv2DInfo(
      inputs.x.shape,
      inputs.filter.shape,
      attrs.strides,
      attrs.dilations,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const data = args.backend.data;
    const output = conv2d(
      data.get(inputs.x.dataId).values,
      data.get(inputs.filter.dataId).values,
      inputs.bias ? data.get(inputs.bias.dataId).values : null,
      conv,
      attrs.activation === "relu",
    );
    return args.backend.makeTensorInfo(conv.outShape, "float32", output);
  }

  root.snapmathConv2d = { conv2d: conv2d, install: install };
})(globalThis);
