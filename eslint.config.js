// ESLint flat config: `make lint` runs `npx eslint .`. Two kinds of JS live here:
// the page's classic scripts (browser globals, no modules: module scripts do not load from file://)
// and the Node helpers that build/ runs (CommonJS). Formatting is Prettier's job (.prettierrc.json).
"use strict";

const js = require("@eslint/js");
const globals = require("globals");

const CHECKS = {
  ...js.configs.recommended.rules,
  eqeqeq: ["error", "always"],
  "no-var": "error",
  "prefer-const": "error",
  "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
};

module.exports = [
  { ignores: ["node_modules/", "dist/", "dist.*/", ".venv/", ".artifacts/"] },
  {
    files: ["site_templates/static/js/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "script", globals: { ...globals.browser } },
    rules: CHECKS,
  },
  {
    files: ["build/**/*.js", "tests/**/*.js", "eslint.config.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "commonjs", globals: { ...globals.node } },
    rules: CHECKS,
  },
];
