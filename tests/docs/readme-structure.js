// The structure of a README, and the differences between the English README and its Chinese translation.
//
// A translation may reword every sentence, but what a reader copies or looks up must be the same in both:
// - headings: the same count, at the same levels, in the same order (their text is translated);
// - fenced code blocks: the same blocks in the same sections, with the same info string, identical after
//   comments are stripped (comments may be translated): `# …` in sh/bash blocks, `// …` and `/* … */` in
//   js/ts/rust blocks (a `//` or `#` counts as a comment only at the start of a line or after whitespace, so
//   `wss://…` is code); a block with no info string is a listing, whose first column is compared (the rest of
//   each line describes it and may be translated);
// - the option names in the Options table, in order;
// - the error codes in the tables of the Errors section, in order;
// - the commands quoted inline, headings included (`bash …`, `node …`, `cargo …`, …), as a set;
// - link and image targets, as a set, apart from the link from each file to the other.
'use strict';

const COMMAND_WORDS = ['bash', 'node', 'cargo', 'npm', 'npx', 'uni', 'taro', 'wasm-pack', 'rustup'];
const COMMENT_STYLES = {
  sh: 'hash',
  bash: 'hash',
  js: 'slash',
  javascript: 'slash',
  ts: 'slash',
  typescript: 'slash',
  rust: 'slash',
};

function stripComment(line, style) {
  if (style === 'hash') return line.replace(/(^|\s)#.*$/, '$1');
  if (style === 'slash') return line.replace(/\/\*.*?\*\//g, '').replace(/(^|\s)\/\/.*$/, '$1');
  return line;
}

// The comparable text of a fenced block: see the file's opening comment.
function blockCode(info, lines) {
  const language = info.split(/\s+/)[0];
  if (language === '') return lines.map((line) => line.trim().split(/\s+/)[0]).join('\n');
  const style = COMMENT_STYLES[language];
  const kept = [];
  for (const line of lines) {
    const code = stripComment(line, style).trimEnd();
    if (code === '' && line.trim() !== '') continue; // a line that was only a comment
    kept.push(code);
  }
  return kept.join('\n');
}

function tableCells(row) {
  return row
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

// Sections: one per heading (the text before the first heading, if any, is section 0 with level 0).
function parse(text) {
  const sections = [{ level: 0, title: '', blocks: [], tables: [], prose: [] }];
  let fence = null;
  let table = null;
  for (const line of text.split('\n')) {
    const section = sections[sections.length - 1];
    if (fence) {
      if (/^```\s*$/.test(line)) {
        section.blocks.push({ info: fence.info, code: blockCode(fence.info, fence.lines) });
        fence = null;
      } else {
        fence.lines.push(line);
      }
      continue;
    }
    const opening = /^```(.*)$/.exec(line);
    if (opening) {
      fence = { info: opening[1].trim(), lines: [] };
      table = null;
      continue;
    }
    const heading = /^(#{1,6}) +(.*)$/.exec(line);
    if (heading) {
      sections.push({ level: heading[1].length, title: heading[2].trim(), blocks: [], tables: [], prose: [] });
      table = null;
      continue;
    }
    if (line.startsWith('|')) {
      if (!table) {
        table = [];
        section.tables.push(table);
      }
      const cells = tableCells(line);
      if (!cells.every((cell) => /^:?-+:?$/.test(cell))) table.push(cells);
    } else {
      table = null;
    }
    section.prose.push(line);
  }
  if (fence) throw new Error('a fenced code block is not closed');
  if (sections[0].blocks.length === 0 && sections[0].prose.every((l) => l.trim() === '')) sections.shift();
  return sections;
}

function firstColumnCodes(tables, pattern) {
  const names = [];
  for (const table of tables) {
    for (const row of table.slice(1)) {
      const m = /^`([^`]+)`$/.exec(row[0]);
      if (m && pattern.test(m[1])) names.push(m[1]);
    }
  }
  return names;
}

function inlineCommands(sections) {
  const commands = new Set();
  for (const section of sections) {
    for (const m of [section.title, ...section.prose].join('\n').matchAll(/`([^`\n]+)`/g)) {
      const word = m[1].split(' ')[0];
      if (COMMAND_WORDS.includes(word) && m[1].includes(' ')) commands.add(m[1]);
    }
  }
  return commands;
}

function linkTargets(sections, otherFile) {
  const targets = new Set();
  for (const section of sections) {
    for (const m of section.prose.join('\n').matchAll(/\]\(([^)\s]+)\)/g)) {
      if (m[1] !== otherFile) targets.add(m[1]);
    }
  }
  return targets;
}

function setDifference(a, b) {
  return [...a].filter((x) => !b.has(x)).sort();
}

function sectionNamed(sections, title) {
  const index = sections.findIndex((s) => s.title === title);
  if (index < 0) throw new Error(`README.md has no "${title}" heading`);
  return index;
}

function describe(english, index) {
  const s = english[index];
  return s ? `section ${index} ("${'#'.repeat(s.level)} ${s.title}")` : `section ${index}`;
}

// Every difference between the two files' structures, as sentences naming the English section; [] when in step.
function compare(englishText, chineseText, names = { english: 'README.md', chinese: 'README.zh-CN.md' }) {
  const en = parse(englishText);
  const zh = parse(chineseText);
  const diffs = [];

  const levels = (sections) => sections.map((s) => s.level).join(' ');
  if (levels(en) !== levels(zh)) {
    const i = en.findIndex((s, k) => !zh[k] || zh[k].level !== s.level);
    const at = i < 0 ? en.length : i;
    const zhTitle = zh[at] ? `"${'#'.repeat(zh[at].level)} ${zh[at].title}"` : 'nothing';
    diffs.push(
      `headings: ${en.length} in ${names.english}, ${zh.length} in ${names.chinese}; first difference at ` +
        `${describe(en, at)}, where ${names.chinese} has ${zhTitle}`,
    );
    return diffs; // sections cannot be paired; the other checks would only repeat this one
  }

  en.forEach((section, i) => {
    const a = section.blocks;
    const b = zh[i].blocks;
    if (a.length !== b.length) {
      diffs.push(`code blocks: ${describe(en, i)} has ${a.length} in ${names.english}, ${b.length} in ${names.chinese}`);
      return;
    }
    a.forEach((block, k) => {
      if (block.info !== b[k].info) {
        diffs.push(`code blocks: block ${k + 1} of ${describe(en, i)} is "${block.info}" in ${names.english}, "${b[k].info}" in ${names.chinese}`);
      } else if (block.code !== b[k].code) {
        const la = block.code.split('\n');
        const lb = b[k].code.split('\n');
        const line = la.findIndex((l, n) => l !== lb[n]);
        const n = line < 0 ? la.length : line;
        diffs.push(
          `code blocks: block ${k + 1} of ${describe(en, i)} differs at line ${n + 1} (comments stripped): ` +
            `${JSON.stringify(la[n])} in ${names.english}, ${JSON.stringify(lb[n])} in ${names.chinese}`,
        );
      }
    });
  });

  const options = sectionNamed(en, 'Options');
  const optionNames = (sections) => firstColumnCodes(sections[options].tables.slice(0, 1), /^[A-Za-z]+$/);
  if (optionNames(en).join(' ') !== optionNames(zh).join(' ')) {
    diffs.push(`options table: ${names.english} lists ${optionNames(en).join(', ')}; ${names.chinese} lists ${optionNames(zh).join(', ')}`);
  }

  const errors = sectionNamed(en, 'Errors');
  const errorCodes = (sections) => firstColumnCodes(sections[errors].tables, /^[A-Z][A-Z_]+$/);
  if (errorCodes(en).join(' ') !== errorCodes(zh).join(' ')) {
    diffs.push(`errors tables: ${names.english} lists ${errorCodes(en).join(', ')}; ${names.chinese} lists ${errorCodes(zh).join(', ')}`);
  }

  const ca = inlineCommands(en);
  const cb = inlineCommands(zh);
  for (const c of setDifference(ca, cb)) diffs.push(`commands: \`${c}\` is in ${names.english}, not in ${names.chinese}`);
  for (const c of setDifference(cb, ca)) diffs.push(`commands: \`${c}\` is in ${names.chinese}, not in ${names.english}`);

  const la = linkTargets(en, names.chinese);
  const lb = linkTargets(zh, names.english);
  for (const t of setDifference(la, lb)) diffs.push(`links: ${t} is linked from ${names.english}, not from ${names.chinese}`);
  for (const t of setDifference(lb, la)) diffs.push(`links: ${t} is linked from ${names.chinese}, not from ${names.english}`);

  return diffs;
}

// The link from a file's first lines (before its second heading) to the other language.
function linksTo(text, file) {
  const head = text.split('\n').slice(0, 6).join('\n');
  return head.includes(`](${file})`);
}

module.exports = { parse, blockCode, compare, linksTo };
