#!/usr/bin/env node
// Regenerates src/api/gen/ from src/api/proto/ with ts-proto (needs protoc: Debian's protobuf-compiler).
// The generated files are committed, so building Cairn never needs protoc.
'use strict';
const { execFileSync } = require('node:child_process');
const { rmSync, mkdirSync, readdirSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
const protoDir = join(root, 'src/api/proto');
const outDir = join(root, 'src/api/gen');
const plugin = join(root, 'node_modules/.bin/protoc-gen-ts_proto');

function protoFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return protoFiles(path);
    return name.endsWith('.proto') ? [relative(protoDir, path)] : [];
  });
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const options = [
  'outputServices=grpc-js',
  'env=node',
  'forceLong=bigint',
  'esModuleInterop=true',
  'useDate=false',
  'outputJsonMethods=true',
  'outputPartialMethods=true',
].join(',');
execFileSync('protoc', [
  `--plugin=protoc-gen-ts_proto=${plugin}`,
  `--ts_proto_out=${outDir}`,
  `--ts_proto_opt=${options}`,
  `-I${protoDir}`,
  ...protoFiles(protoDir),
], { stdio: 'inherit' });
console.log(`generated ${outDir}`);
