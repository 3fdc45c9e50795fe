// The hidden entry's keys, as a terminal in canonical mode with echo off edits a line for etcdctl's
// speakeasy (terminal-secret.ts). The real terminal is driven in password-terminal.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HiddenLineEditor, type EditorResult } from '../../src/ctl/terminal-secret';

/** Feeds the keys; the entry and how it ended ('open' while it goes on), and the bytes left over. */
function type(keys: string): { text: string; end: EditorResult | 'open'; rest: string } {
  const editor = new HiddenLineEditor();
  const bytes = Buffer.from(keys);
  for (let i = 0; i < bytes.length; i++) {
    const result = editor.feed(bytes[i]);
    if (result) return { text: editor.text, end: result, rest: bytes.subarray(i + 1).toString() };
  }
  return { text: editor.text, end: 'open', rest: '' };
}

test('Enter ends the entry; what follows is left for the next prompt', () => {
  assert.deepEqual(type('secret\r'), { text: 'secret', end: 'done', rest: '' });
  assert.deepEqual(type('secret\n'), { text: 'secret', end: 'done', rest: '' });
  assert.deepEqual(type('one\rtwo\r'), { text: 'one', end: 'done', rest: 'two\r' });
  assert.deepEqual(type('\r'), { text: '', end: 'done', rest: '' });
  assert.deepEqual(type('abc'), { text: 'abc', end: 'open', rest: '' });
});

test('Backspace, ^U and ^W edit the entry; Backspace takes a whole UTF-8 character', () => {
  assert.equal(type('secx\x7fret\r').text, 'secret');
  assert.equal(type('secx\bret\r').text, 'secret');
  assert.equal(type('\x7f\x7fab\r').text, 'ab', 'nothing to erase is no error');
  assert.equal(type('pässx\x7f\x7f\r').text, 'päs');
  assert.equal(type('pä\x7f\r').text, 'p');
  assert.equal(type('p€\x7fx\r').text, 'px');
  assert.equal(type('wrong\x15right\r').text, 'right');
  assert.equal(type('two words \x17\r').text, 'two ');
  assert.equal(type('two words\x17\x17\r').text, '');
});

test('^V takes the next key as it is; escape sequences stay in the entry, as the terminal keeps them', () => {
  assert.equal(type('a\x16\x7fb\r').text, 'a\x7fb');
  assert.equal(type('a\x16\x03b\r').text, 'a\x03b');
  assert.equal(type('a\x1b[Db\r').text, 'a\x1b[Db');
});

test('^C and ^\\ interrupt; ^Z and flow control keys are ignored', () => {
  assert.deepEqual(type('ab\x03cd'), { text: 'ab', end: 'interrupt', rest: 'cd' });
  assert.equal(type('ab\x1c').end, 'interrupt');
  assert.equal(type('a\x1a\x13\x11\x0f\x12b\r').text, 'ab');
});

test('^D: on an empty line the input ends; after characters it hands them over, and then cannot erase them', () => {
  assert.deepEqual(type('\x04'), { text: '', end: 'done', rest: '' });
  assert.deepEqual(type('ab\x04'), { text: 'ab', end: 'open', rest: '' });
  assert.deepEqual(type('ab\x04\x04'), { text: 'ab', end: 'done', rest: '' });
  assert.deepEqual(type('ab\x04\x7f\x7f\x15\x17cd\r'), { text: 'abcd', end: 'done', rest: '' });
  assert.deepEqual(type('ab\x04cd\x7f\x04\x04'), { text: 'abc', end: 'done', rest: '' });
});
