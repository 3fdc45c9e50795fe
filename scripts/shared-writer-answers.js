#!/usr/bin/env node
// Rewrites the gRPC service definitions in src/api/gen/ so the server's answers are encoded with the
// shared writer of src/protobuf-writer: ts-proto's `Buffer.from(X.encode(value).finish())` grows a
// new BinaryWriter from 128 bytes (a new array and a copy at each doubling), then copies the result
// twice more. scripts/gen-proto.js runs this after protoc; run alone, it rewrites the committed files.
'use strict';
const { readdirSync, readFileSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');

const root = join(__dirname, '..');
const genDir = join(root, 'src/api/gen');
const writerModule = join(root, 'src/protobuf-writer');
const serializer = /responseSerialize: \(value: (\w+)\): Buffer =>\s*Buffer\.from\((\w+)\.encode\(value\)\.finish\(\)\)/g;

function tsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

function rewrite(file) {
  const text = readFileSync(file, 'utf8');
  const rewritten = text.replace(serializer, (_, type, encoder) => `responseSerialize: (value: ${type}): Buffer => encodeToBuffer((w) => ${encoder}.encode(value, w))`);
  if (rewritten === text) return false;
  const from = relative(dirname(file), writerModule);
  const importLine = `import { encodeToBuffer } from "${from.startsWith('.') ? from : `./${from}`}";\n`;
  const anchor = 'import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";\n';
  if (!rewritten.includes(anchor)) throw new Error(`${file}: no BinaryWriter import to put the encodeToBuffer import after`);
  writeFileSync(file, rewritten.includes(importLine) ? rewritten : rewritten.replace(anchor, anchor + importLine));
  return true;
}

function main() {
  const changed = tsFiles(genDir).filter(rewrite);
  console.log(`answers encoded with the shared writer in ${changed.map((f) => relative(root, f)).join(', ') || 'no file (already rewritten)'}`);
}

module.exports = { main };
if (require.main === module) main();
