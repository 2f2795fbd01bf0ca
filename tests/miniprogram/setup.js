'use strict';
// Shared setup of the mini-program tests: the built package, and a temporary copy of
// examples/miniprogram with the tarball installed (`npm install <tgz>`) and miniprogram_npm/ built by
// miniprogram-ci's packNpmManually, with the paths its project.config.json names.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const repo = path.resolve(__dirname, '..', '..');
const pkgDir = path.join(repo, 'pkg');
const example = path.join(repo, 'examples', 'miniprogram');

function tarball() {
  const dist = path.join(repo, 'dist');
  const found = fs.existsSync(dist) ? fs.readdirSync(dist).filter((f) => /^wxsocket-.*\.tgz$/.test(f)) : [];
  if (found.length !== 1 || !fs.existsSync(path.join(pkgDir, 'package.json'))) {
    throw new Error('the package is not built (or dist/ holds several tarballs): run `bash scripts/build-pkg.sh` first');
  }
  return path.join(dist, found[0]);
}

function copyTree(from, to, skip) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (skip.includes(entry.name)) continue;
    const a = path.join(from, entry.name);
    const b = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(a, b, skip);
    else fs.copyFileSync(a, b);
  }
}

function npm(args, cwd) {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
}

/**
 * A fresh copy of the example with the package installed and "Build npm" done.
 * Returns { dir, miniprogramRoot, packResult, relation, cleanup() }.
 */
async function prepareExample({ serverUrl } = {}) {
  const tgz = tarball();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsocket-example-'));
  copyTree(example, dir, ['node_modules', 'miniprogram_npm', 'package-lock.json']);
  npm(['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tgz], dir);

  const project = JSON.parse(fs.readFileSync(path.join(dir, 'project.config.json'), 'utf8'));
  const relation = project.setting.packNpmRelationList[0];
  const ci = require(path.join(repo, 'node_modules', 'miniprogram-ci'));
  const packResult = await ci.packNpmManually({
    packageJsonPath: path.join(dir, relation.packageJsonPath),
    miniprogramNpmDistDir: path.join(dir, relation.miniprogramNpmDistDir),
  });
  const miniprogramRoot = path.join(dir, project.miniprogramRoot || '');
  if (serverUrl) {
    fs.writeFileSync(path.join(miniprogramRoot, 'config.js'), `module.exports = { url: ${JSON.stringify(serverUrl)} };\n`);
  }
  return {
    dir,
    miniprogramRoot,
    project,
    relation,
    packResult,
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { repo, pkgDir, example, tarball, prepareExample, copyTree, npm };
