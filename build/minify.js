// Minifies the page's scripts for dist/: reads {"path": "source", ...} as JSON on stdin and
// writes {"path": "minified", ...}. Run by build/minify.py with terser from node_modules.
"use strict";

const path = require("path");

async function main() {
  const nodeModules = process.argv[2];
  const { minify } = require(path.join(nodeModules, "terser"));
  let input = "";
  for await (const chunk of process.stdin) input += chunk;
  const sources = JSON.parse(input);
  const minified = {};
  for (const name of Object.keys(sources).sort()) {
    // Each file is a classic script sharing globals with the others: only local names are mangled.
    const result = await minify(sources[name], { compress: true, mangle: true, format: { comments: false } });
    minified[name] = result.code;
  }
  process.stdout.write(JSON.stringify(minified));
}

main().catch((error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
