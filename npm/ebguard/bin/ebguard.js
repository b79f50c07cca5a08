#!/usr/bin/env node
// Launcher for the ebguard executable, which npm installs from a per-platform package listed in
// `optionalDependencies` (npm skips those whose `os`/`cpu` do not match this machine). The same
// layout as esbuild's `@esbuild/<os>-<cpu>` packages.
"use strict";

const { spawn } = require("child_process");
const fs = require("fs");
const path = require("path");

// process.platform-process.arch -> the package holding the executable.
const PACKAGES = {
  "linux-x64": "@ebguard/linux-x64",
  "linux-arm64": "@ebguard/linux-arm64",
};

function findBinary() {
  const override = process.env.EBGUARD_BINARY;
  if (override) {
    if (!fs.existsSync(override)) {
      fail(`EBGUARD_BINARY is set to ${override}, which does not exist`);
    }
    return override;
  }
  const key = `${process.platform}-${process.arch}`;
  const pkg = PACKAGES[key];
  if (!pkg) {
    fail(
      `no prebuilt ebguard for ${key} yet (there are: ${Object.keys(PACKAGES).join(", ")}); ` +
        "install it with `cargo install ebguard` and set EBGUARD_BINARY to its path"
    );
  }
  try {
    return require.resolve(`${pkg}/bin/ebguard`);
  } catch (err) {
    fail(
      `the package ${pkg} is not installed; it is an optional dependency of ebguard, so ` +
        "reinstall without --no-optional / --omit=optional (and without --ignore-scripts " +
        "pruning optional packages)"
    );
  }
}

function fail(message) {
  process.stderr.write(`ebguard (npm launcher): ${message}\n`);
  process.exit(127);
}

const binary = findBinary();
const child = spawn(binary, process.argv.slice(2), { stdio: "inherit" });

// Pass termination signals on, so `ebguard migrate` can forward them to the migration and
// release its lock instead of being orphaned when this process dies.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}

child.on("error", (err) => fail(`cannot run ${binary}: ${err.message}`));
child.on("exit", (code, signal) => {
  if (signal) {
    // Die of the same signal, so the caller sees 128+N as with the executable itself.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code === null ? 1 : code);
});
