// Builds the page's size-optimised TF.js: one minified classic script (an IIFE defining `tf`) with
// tfjs-core, the CPU backend and the graph-model converter, cut down to what the page runs.
// Run by build/bundle.py:  node build/bundle.js NODE_MODULES < request.json > result.json
//
// request: {"modelOps": {"<TF op>": "<first node using it>"}, "scripts": {"<name>": "<source>"}, "api": ["memory", ...]}
// result:  {"code", "kernels", "api", "graphOps", "opFunctions", "packages"}; an expected failure
//          (an op the runtime cannot run) exits 1 with one line on stderr that names the op.
//
// How it is cut, following TF.js's "size-optimized browser bundles" guide, with every list derived:
// - graph ops: model.json's op names; the converter functions each one calls are read from the
//   converter's executors (the body of each `case '<op>':`) plus its metadata/kernel2op.json;
// - the page's tf calls: every `tf.<name>` (and `tf.<ns>.<name>`) in the page's scripts, comments removed;
// - kernels: every kernel the bundled code can run (`runKernel(<Kernel>, ...)` in the bundled files),
//   found by bundling until the set stops growing, and registered explicitly from the CPU backend;
// - the converter's op tables and executors keep only the ops and categories model.json uses.
// - tfjs-core's namespaces (util, backend_util, slice_util, io, ...) are imported from their own files, so only
//   the members used are bundled, not the whole namespace object;
// - the browser platform registers no model stores (localStorage, IndexedDB): the page never saves a model.
"use strict";

const fs = require("fs");
const path = require("path");
const vm = require("vm");

const CORE = "@tensorflow/tfjs-core";
const CPU = "@tensorflow/tfjs-backend-cpu";
const CONVERTER = "@tensorflow/tfjs-converter";
const NAMESPACE = "snapmath-bundle";
const IDENTIFIER = "[A-Za-z_$][\\w$]*";

// First line of the bundle, for a person who opens it.
const BANNER =
  "TensorFlow.js (tfjs-core, tfjs-backend-cpu, tfjs-converter) cut to one model by snapmath's build/bundle.js; licences at the end and in LICENSE-tf-snapmath.txt";

class BundleError extends Error {}

// Every node_modules file this script reads, so build/bundle_sources.py can check them against the lockfile.
const FILES_READ = new Set();

function readText(file) {
  FILES_READ.add(path.resolve(file));
  return fs.readFileSync(file, "utf8").replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
}

function readJson(file) {
  return JSON.parse(readText(file));
}

function packageVersion(nodeModules, name) {
  return readJson(path.join(nodeModules, name, "package.json")).version;
}

// The names a package exports (its Node.js build, loaded here only to list them).
function exportedNames(nodeModules, name) {
  const main = require.resolve(path.join(nodeModules, name));
  FILES_READ.add(main);
  return new Set(Object.keys(require(main)));
}

// The converter's op tables: {tfOpName: {category, file}} and each file's entries.
function opTables(nodeModules) {
  const directory = path.join(nodeModules, CONVERTER, "dist", "operations", "op_list");
  const tables = {};
  const ops = {};
  for (const file of fs.readdirSync(directory).sort()) {
    if (!file.endsWith(".js")) continue;
    const entries = evaluateOpTable(path.join(directory, file));
    tables[path.join(directory, file)] = entries;
    for (const entry of entries) ops[entry.tfOpName] = { category: entry.category, file };
  }
  return { tables, ops };
}

// An op table is `export const json = [...]` (a JS literal): evaluated here, at build time, in node.
function evaluateOpTable(file) {
  const sandbox = {};
  vm.runInNewContext(readText(file).replace(/^export const json\s*=/m, "json ="), sandbox, { filename: file });
  return sandbox.json;
}

// {tfOpName: [converter op functions]} from the executors: the `ops.<fn>` calls in each case's body.
// Labels with no body of their own fall through to the next body, as in the switch.
function executorCalls(nodeModules) {
  const directory = path.join(nodeModules, CONVERTER, "dist", "operations", "executors");
  const calls = {};
  for (const file of fs.readdirSync(directory).sort()) {
    if (!file.endsWith("_executor.js")) continue;
    const parts = readText(path.join(directory, file)).split(/\bcase '([A-Za-z0-9_]+)':|\bdefault:/);
    let labels = [];
    for (let index = 1; index < parts.length; index += 2) {
      const body = parts[index + 1] || "";
      if (parts[index]) labels.push(parts[index]);
      if (body.trim() === "") continue;
      const used = [...body.matchAll(new RegExp(`\\bops\\.(${IDENTIFIER}(?:\\.${IDENTIFIER})?)`, "g"))].map(
        (m) => m[1],
      );
      for (const label of labels) calls[label] = [...new Set(used)];
      labels = [];
    }
  }
  return calls;
}

// The page's TF.js API: `tf.<name>` and `tf.<ns>.<name>` in the scripts, comments aside. Strings count:
// build/parity.js runs its code from a template string.
function pageApi(esbuild, scripts) {
  const names = new Set();
  for (const name of Object.keys(scripts).sort()) {
    const code = esbuild.transformSync(scripts[name], { minifyWhitespace: true, loader: "js" }).code; // no comments
    for (const match of code.matchAll(new RegExp(`(?<![\\w$])tf\\.(${IDENTIFIER})(?:\\.(${IDENTIFIER}))?`, "g"))) {
      names.add(match[1]);
      if (match[2]) names.add(`${match[1]}.${match[2]}`);
    }
  }
  return names;
}

// {identifier: kernel name} of tfjs-core's kernel_names.js.
function kernelNames(nodeModules) {
  const source = readText(path.join(nodeModules, CORE, "dist", "kernel_names.js"));
  const names = {};
  for (const match of source.matchAll(new RegExp(`export const (${IDENTIFIER}) = '([^']+)';`, "g"))) {
    names[match[1]] = match[2];
  }
  return names;
}

// {kernel name: {file, config}}: the kernels the CPU backend registers, from its register_all_kernels.js.
function cpuKernels(nodeModules, identifiers) {
  const directory = path.join(nodeModules, CPU, "dist");
  const source = readText(path.join(directory, "register_all_kernels.js"));
  const kernels = {};
  for (const match of source.matchAll(new RegExp(`import \\{ (${IDENTIFIER}) \\} from '\\./kernels/([\\w]+)';`, "g"))) {
    const file = path.join(directory, "kernels", `${match[2]}.js`);
    const declared = readText(file).match(
      new RegExp(`export const ${match[1].replace(/\$/g, "\\$")} = \\{\\s*kernelName: (${IDENTIFIER})`),
    );
    kernels[(declared && identifiers[declared[1]]) || match[2]] = { file, config: match[1] };
  }
  return kernels;
}

// Kernels a bundled file can run: `runKernel(<identifier or 'name'>` with a known kernel name.
function kernelsRunBy(source, identifiers) {
  const found = new Set();
  for (const match of source.matchAll(new RegExp(`runKernel\\(\\s*(?:(${IDENTIFIER})|'([^']+)'|"([^"]+)")`, "g"))) {
    const name = match[1] ? identifiers[match[1]] : match[2] || match[3];
    if (name) found.add(name);
  }
  return found;
}

// The API the page gets as `tf`: each name from tfjs-core (base) or the converter, nested names as objects.
function entryModule(api, kernels, cpu, coreNames, converterNames, coreNamespaces) {
  const lines = [
    `import { registerKernel } from "${CORE}/dist/base";`,
    `import "${CORE}/dist/base_side_effects";`,
    `import "${CPU}/dist/base";`,
  ];
  kernels.forEach((kernel, index) => {
    const { file, config } = cpu[kernel];
    lines.push(`import { ${config} as kernel${index} } from ${JSON.stringify(file)};`);
  });
  lines.push(
    `for (const config of [${kernels.map((_, index) => `kernel${index}`).join(", ")}]) registerKernel(config);`,
  );
  const namespaces = {};
  for (const name of [...api].sort()) {
    const [head, member] = name.split(".");
    const from = converterNames.has(head) ? CONVERTER : coreNames.has(head) ? `${CORE}/dist/base` : null;
    if (from === null)
      throw new BundleError(`the page calls tf.${name}, which TF.js ${coreNames.version} does not have`);
    if (member === undefined) {
      if (!api.has(name) || [...api].some((other) => other.startsWith(`${name}.`))) continue;
      lines.push(`export { ${head} } from "${from}";`);
    } else {
      (namespaces[head] = namespaces[head] || { from, members: [] }).members.push(member);
    }
  }
  for (const head of Object.keys(namespaces).sort()) {
    const { from, members } = namespaces[head];
    if (from !== CONVERTER && head in coreNamespaces) {
      lines.push(`import * as namespace_${head} from "${CORE}/dist/${coreNamespaces[head]}";`);
    } else {
      lines.push(`import { ${head} as namespace_${head} } from "${from}";`);
    }
    lines.push(
      `export const ${head} = { ${members.map((member) => `${member}: namespace_${head}.${member}`).join(", ")} };`,
    );
  }
  return lines.join("\n") + "\n";
}

// ops_for_converter, cut to the op functions the graph calls. A namespaced one (`fused.conv2d`) is
// imported from its own file: esbuild keeps every member of a namespace object it has to build.
function opsModule(opFunctions, nodeModules) {
  const lines = [];
  const namespaces = {};
  for (const name of [...opFunctions].sort()) {
    const [head, member] = name.split(".");
    if (member === undefined) lines.push(`export { ${head} } from "${CORE}/dist/ops/ops";`);
    else (namespaces[head] = namespaces[head] || []).push(member);
  }
  for (const head of Object.keys(namespaces).sort()) {
    const files = namespaceFiles(nodeModules, head);
    namespaces[head].forEach((member, index) => {
      const from = files[member] ? `${CORE}/dist/ops/${files[member]}` : `${CORE}/dist/ops/ops`;
      const imported = files[member] ? member : head;
      lines.push(`import { ${imported} as ${head}_${index} } from "${from}";`);
    });
    const members = namespaces[head].map(
      (member, index) => `${member}: ${head}_${index}${files[member] ? "" : `.${member}`}`,
    );
    lines.push(`export const ${head} = { ${members.join(", ")} };`);
  }
  return lines.join("\n") + "\n";
}

// {member: file under dist/ops/} of an ops namespace (`import * as fused from './fused_ops'` in ops.js,
// whose `import { conv2d } from './fused/conv2d'` lines name the files).
function namespaceFiles(nodeModules, head) {
  const opsDir = path.join(nodeModules, CORE, "dist", "ops");
  const declared = readText(path.join(opsDir, "ops.js")).match(
    new RegExp(`import \\* as ${head} from '\\./([\\w/]+)';`),
  );
  if (!declared) return {};
  const files = {};
  for (const match of readText(path.join(opsDir, `${declared[1]}.js`)).matchAll(
    /import \{ (\w+) \} from '\.\/([\w/]+)';/g,
  )) {
    files[match[1]] = match[2];
  }
  return files;
}

// Library files the page never runs, replaced by modules whose exports throw: model storage in the
// browser (the page loads its model from memory or over http and never saves one), the string
// hashing that only the StringToHashBucketFast kernel uses (it needs the 9 KB `long` package), and
// the convolution's backward ops, which the fused conv2d imports only for its gradient (the page
// never computes one; with them go the Conv2DBackpropInput and Conv2DBackpropFilter kernels) unless
// the graph or the page calls them (a transposed convolution runs conv2DBackpropInput).
const CONV_BACKWARD = ["conv2dTranspose", "conv2DBackpropInput", "conv2DBackpropFilter"];
const UNUSED_FILES = [
  { file: "io/browser_files.js", unlessKernel: null },
  { file: "io/local_storage.js", unlessKernel: null },
  { file: "io/indexed_db.js", unlessKernel: null },
  { file: "io/model_management.js", unlessKernel: null },
  { file: "hash_util.js", unlessKernel: "StringToHashBucketFast" },
  { file: "ops/conv2d_backprop_input.js", unlessCalled: CONV_BACKWARD },
  { file: "ops/conv2d_backprop_filter.js", unlessCalled: CONV_BACKWARD },
];

// tfjs-core's browser platform registers the localStorage and IndexedDB model stores, each in a
// try/catch. Their modules are stubs here (UNUSED_FILES), so each registration would throw and be
// caught, and a first Error in a page is costly: Chromium then works out source positions for the
// whole bundle (README, "Cold start"). Nothing is registered instead.
const MODEL_STORE_REGISTRATION =
  /try \{\s*ModelStoreManagerRegistry\.registerManager\([^;]*\);\s*\}\s*catch \(err\) \{\s*\}/g;

function withoutModelStores(file) {
  const source = readText(file);
  const found = source.match(MODEL_STORE_REGISTRATION) || [];
  if (found.length !== 2) {
    throw new BundleError(
      `${file}: expected the 2 model store registrations build/bundle.js removes, found ${found.length}`,
    );
  }
  return source.replace(MODEL_STORE_REGISTRATION, "");
}

// A module with the same export names as `file`, each one throwing when used.
function unusedModule(file) {
  const source = readText(file);
  const names = new Set();
  for (const match of source.matchAll(
    new RegExp(`^export (?:async )?(?:function|class|const|let) (${IDENTIFIER})`, "gm"),
  ))
    names.add(match[1]);
  for (const match of source.matchAll(/^export \{([^}]*)\};?$/gm)) {
    for (const part of match[1].split(",")) {
      const exported = part
        .trim()
        .split(/\s+as\s+/)
        .pop();
      if (exported) names.add(exported);
    }
  }
  const what = path.basename(file, ".js");
  const lines = [`const unavailable = () => { throw new Error("${what} is not in this TF.js bundle"); };`];
  for (const name of [...names].sort()) lines.push(`export const ${name} = unavailable;`);
  return lines.join("\n") + "\n";
}

// tfjs-core's namespaces ({name: file under dist/}): `import * as util from './util'` in base.js, exported as
// objects. A namespace object reached through the package keeps every member (esbuild has to build the object);
// imported from its own file, only the members used are bundled.
function coreNamespaces(nodeModules) {
  const source = readText(path.join(nodeModules, CORE, "dist", "base.js"));
  const namespaces = {};
  for (const match of source.matchAll(new RegExp(`^import \\* as (${IDENTIFIER}) from '\\./([\\w/]+)';`, "gm"))) {
    namespaces[match[1]] = match[2];
  }
  return namespaces;
}

// `source` with each tfjs-core namespace it imports by name (`import { util, Tensor } from
// '@tensorflow/tfjs-core'`) imported from its own file instead (`import * as util from '.../dist/util'`); one
// reached through the whole package (`import * as tfc ...`, then `tfc.util.isPromise`) likewise (`tfc_util.`).
function directNamespaces(source, namespaces) {
  const star = source.match(new RegExp(`\\bimport \\* as (${IDENTIFIER}) from '@tensorflow/tfjs-core';`));
  if (star) {
    const used = new Set();
    source = source.replace(new RegExp(`(?<![\\w$.])${star[1]}\\.(${IDENTIFIER})\\.`, "g"), (whole, name) => {
      if (!(name in namespaces)) return whole;
      used.add(name);
      return `${star[1]}_${name}.`;
    });
    const imports = [...used]
      .sort()
      .map((name) => `import * as ${star[1]}_${name} from "${CORE}/dist/${namespaces[name]}";`);
    source = source.replace(star[0], [star[0], ...imports].join(" "));
  }
  return source.replace(/\bimport\s*\{([^}]*)\}\s*from\s*'@tensorflow\/tfjs-core';/g, (statement, names) => {
    const kept = [];
    const direct = [];
    for (const part of names.split(",")) {
      const name = part.trim();
      if (!name) continue;
      if (name in namespaces) direct.push(`import * as ${name} from "${CORE}/dist/${namespaces[name]}";`);
      else kept.push(name);
    }
    if (direct.length === 0) return statement;
    return [...(kept.length ? [`import { ${kept.join(", ")} } from "${CORE}";`] : []), ...direct].join(" ");
  });
}

// The esbuild plugin: virtual entry and ops modules, `@tensorflow/tfjs-core` as its side-effect-free
// base, op tables and executors cut to the model, no Node.js platform (the page runs in a browser).
function cutPlugin({ nodeModules, entry, ops, usedOps, usedCategories, tables, kernels, namespaces, called, stubbed }) {
  const resolveDir = path.dirname(nodeModules);
  const executors = path.join(nodeModules, CONVERTER, "dist", "operations", "executors");
  return {
    name: "snapmath-cut",
    setup(build) {
      build.onResolve({ filter: /^snapmath:(entry|ops|core)$/ }, (args) => ({ path: args.path, namespace: NAMESPACE }));
      build.onResolve({ filter: new RegExp(`^${CORE}$`) }, () => ({ path: "snapmath:core", namespace: NAMESPACE }));
      build.onResolve({ filter: /ops_for_converter$/ }, () => ({ path: "snapmath:ops", namespace: NAMESPACE }));
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        const contents = {
          "snapmath:entry": entry,
          "snapmath:ops": ops,
          "snapmath:core": `export * from "${CORE}/dist/base";\nimport "${CORE}/dist/base_side_effects";\n`,
        }[args.path];
        return { contents, resolveDir, loader: "js" };
      });
      build.onLoad({ filter: /platform_node\.js$/ }, () => ({ contents: "export {};\n", loader: "js" }));
      const coreDist = path.join(nodeModules, CORE, "dist");
      const browserPlatform = path.join(coreDist, "platforms", "platform_browser.js");
      build.onLoad({ filter: /platform_browser\.js$/ }, (args) =>
        args.path === browserPlatform ? { contents: withoutModelStores(browserPlatform), loader: "js" } : undefined,
      );
      for (const { file, unlessKernel, unlessCalled } of UNUSED_FILES) {
        if (unlessKernel && kernels.includes(unlessKernel)) continue;
        if (unlessCalled && unlessCalled.some((name) => called.has(name))) continue;
        const absolute = path.join(coreDist, file);
        build.onLoad({ filter: new RegExp(`${escapeRegExp(file)}$`) }, (args) => {
          if (args.path !== absolute) return undefined;
          stubbed.add(absolute); // its kernels are not run: bundledKernels skips it
          return { contents: unusedModule(absolute), loader: "js" };
        });
      }
      build.onLoad({ filter: /[\\/]op_list[\\/]\w+\.js$/ }, (args) => {
        const entries = (tables[args.path] || []).filter((entry) => usedOps.has(entry.tfOpName));
        return { contents: `export const json = ${JSON.stringify(entries)};\n`, loader: "js" };
      });
      build.onLoad({ filter: /_executor\.js$/ }, (args) => {
        const category = path.basename(args.path, "_executor.js");
        if (path.dirname(args.path) !== executors || usedCategories.has(category)) return undefined;
        return {
          contents: `export const executeOp = (node) => { throw new TypeError("Node type " + node.op + " is not in this bundle"); };\n`,
          loader: "js",
        };
      });
      const packages = [CPU, CONVERTER].map((name) => path.join(nodeModules, name, "dist") + path.sep);
      build.onLoad({ filter: /\.js$/ }, (args) => {
        if (!packages.some((directory) => args.path.startsWith(directory))) return undefined;
        return { contents: directNamespaces(readText(args.path), namespaces), loader: "js" };
      });
    },
  };
}

async function bundle(esbuild, options, minify) {
  return esbuild.build({
    entryPoints: ["snapmath:entry"],
    bundle: true,
    write: false,
    metafile: true,
    format: "iife",
    banner: { js: `/*! ${BANNER} */` },
    globalName: "tf",
    platform: "browser",
    target: "es2017",
    minify,
    legalComments: minify ? "eof" : "inline",
    charset: "utf8",
    logLevel: "silent",
    absWorkingDir: path.dirname(options.nodeModules),
    plugins: [cutPlugin(options)],
  });
}

// The bundled files (those that put bytes in the output) and the kernels their code can run (not a file
// replaced by unusedModule: `stubbed`).
function bundledKernels(result, identifiers, resolveDir, stubbed) {
  const kernels = new Set();
  const files = [];
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, info] of Object.entries(output.inputs)) {
      if (info.bytesInOutput === 0 || input.startsWith(`${NAMESPACE}:`)) continue;
      const file = path.resolve(resolveDir, input);
      files.push(file);
      if (stubbed.has(file)) continue;
      for (const kernel of kernelsRunBy(readText(file), identifiers)) kernels.add(kernel);
    }
  }
  return { kernels, files };
}

// The packages (name and version) whose files are in the bundle, for the licences shipped beside it.
function bundledPackages(files, nodeModules) {
  const packages = {};
  for (const file of files) {
    const parts = path.relative(nodeModules, file).split(path.sep);
    const name = parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
    packages[name] = packageVersion(nodeModules, name);
  }
  return Object.fromEntries(Object.entries(packages).sort());
}

async function build(nodeModules, request) {
  const esbuild = require(path.join(nodeModules, "esbuild"));
  const version = packageVersion(nodeModules, CORE);
  const { tables, ops: knownOps } = opTables(nodeModules);
  const calls = executorCalls(nodeModules);
  const kernel2op = readJson(path.join(nodeModules, CONVERTER, "metadata", "kernel2op.json"));

  // 1. The graph's ops: each must be one the converter maps and executes.
  const usedOps = new Set();
  const usedCategories = new Set();
  const opFunctions = new Set();
  for (const [op, node] of Object.entries(request.modelOps).sort()) {
    if (!(op in knownOps) || !(op in calls)) {
      throw new BundleError(`model.json uses the op ${op} (node ${node}), which TF.js ${version} cannot run`);
    }
    usedOps.add(op);
    usedCategories.add(knownOps[op].category);
    for (const name of [...calls[op], ...(kernel2op[op] || [])]) opFunctions.add(name);
  }

  // 2. The page's API, and the names it always offers (tests and tools use them).
  const api = pageApi(esbuild, request.scripts);
  for (const name of request.api) api.add(name);
  const coreNames = exportedNames(nodeModules, CORE);
  coreNames.version = version;
  const converterNames = exportedNames(nodeModules, CONVERTER);

  // 3. Bundle until the set of kernels the bundled code can run stops growing.
  const identifiers = kernelNames(nodeModules);
  const cpu = cpuKernels(nodeModules, identifiers);
  const ops = opsModule(opFunctions, nodeModules);
  const namespaces = coreNamespaces(nodeModules);
  // Names the graph's ops and the page call, with and without their namespace (`fused.conv2d`: conv2d too).
  const called = new Set([...opFunctions, ...api].flatMap((name) => [name, name.split(".").pop()]));
  const stubbed = new Set();
  const options = { nodeModules, ops, usedOps, usedCategories, tables, namespaces, called, stubbed };
  let kernels = [];
  for (;;) {
    const entry = entryModule(
      api,
      kernels.filter((kernel) => kernel in cpu),
      cpu,
      coreNames,
      converterNames,
      namespaces,
    );
    const { kernels: found } = bundledKernels(
      await bundle(esbuild, { ...options, entry, kernels }, false),
      identifiers,
      path.dirname(nodeModules),
      stubbed,
    );
    const next = [...new Set([...kernels, ...found])].sort();
    if (next.length === kernels.length) break;
    kernels = next;
  }
  const missing = kernels.filter((kernel) => !(kernel in cpu));
  if (missing.length > 0) {
    throw new BundleError(
      missingKernelMessage(missing, request.modelOps, calls, kernel2op, nodeModules, identifiers, version),
    );
  }

  // 4. The shipped bundle: minified, licence comments kept at the end.
  const entry = entryModule(api, kernels, cpu, coreNames, converterNames, namespaces);
  const result = await bundle(esbuild, { ...options, entry, kernels }, true);
  const { files } = bundledKernels(result, identifiers, path.dirname(nodeModules), stubbed);
  for (const input of Object.keys(result.metafile.inputs)) {
    if (!/^[\w-]+:|^\(disabled\):/.test(input)) FILES_READ.add(path.resolve(path.dirname(nodeModules), input));
  }
  return {
    code: await squeeze(nodeModules, result.outputFiles[0].text),
    analysis: request.analyze ? await esbuild.analyzeMetafile(result.metafile, { verbose: false }) : null,
    kernels,
    api: [...api].sort(),
    graphOps: [...usedOps].sort(),
    opFunctions: [...opFunctions].sort(),
    packages: bundledPackages(files, nodeModules),
    inputs: [...FILES_READ].map((file) => path.relative(nodeModules, file).split(path.sep).join("/")).sort(),
  };
}

// A second pass with terser (pinned, already the page scripts' minifier): about 2.5 KB less after gzip
// than esbuild alone. `/*!` comments (the banner, the licences) stay.
async function squeeze(nodeModules, code) {
  const { minify } = require(path.join(nodeModules, "terser"));
  const result = await minify(code, { compress: { passes: 2 }, mangle: true, format: { comments: "some" } });
  return result.code + "\n";
}

// Names the graph op (else the page's call) that needs a kernel the CPU backend does not have.
function missingKernelMessage(missing, modelOps, calls, kernel2op, nodeModules, identifiers, version) {
  const opsDir = path.join(nodeModules, CORE, "dist", "ops");
  for (const [op, node] of Object.entries(modelOps).sort()) {
    for (const name of [...(calls[op] || []), ...(kernel2op[op] || [])]) {
      const file =
        path.join(
          opsDir,
          ...name.split(".").map((part, index, all) => (index < all.length - 1 ? part : snakeCase(part))),
        ) + ".js";
      if (!fs.existsSync(file)) continue;
      const needed = [...kernelsRunBy(readText(file), identifiers)].filter((kernel) => missing.includes(kernel));
      if (needed.length > 0) {
        return `model.json uses the op ${op} (node ${node}), whose kernel ${needed[0]} the TF.js ${version} CPU backend does not have`;
      }
    }
  }
  return `the bundled TF.js runs the kernel ${missing[0]}, which the TF.js ${version} CPU backend does not have`;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function snakeCase(name) {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

async function main() {
  const nodeModules = path.resolve(process.argv[2]);
  let input = "";
  for await (const chunk of process.stdin) input += chunk;
  const request = JSON.parse(input);
  // {"scripts": ..., "apiOnly": true}: only the page's TF.js API, which (with model.json's ops) decides the bundle.
  const result = request.apiOnly
    ? { api: [...pageApi(require(path.join(nodeModules, "esbuild")), request.scripts)].sort() }
    : await build(nodeModules, request);
  process.stdout.write(JSON.stringify(result));
}

main().catch((error) => {
  const message = error instanceof BundleError ? error.message : (error && error.stack) || String(error);
  process.stderr.write(`${message.split("\n").join(" | ")}\n`);
  process.exit(1);
});
