// A small .xlsx reader for the tests, on node's own zlib: the zip's central directory, then the workbook's sheet
// names, the shared strings and each sheet's cells. Enough to check what eventd writes, not a general reader.
import { inflateRawSync } from 'node:zlib';

/** The zip's files by name: {name: Buffer}. Throws when it is not a zip. */
export function unzip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i -= 1) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a zip: no end of central directory');
  const entries = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = {};
  for (let n = 0; n < entries; n += 1) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad local header of ${name}`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    files[name] = method === 8 ? inflateRawSync(data) : method === 0 ? Buffer.from(data) : null;
    p += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

function unescapeXml(s) {
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, h) => String.fromCharCode(parseInt(h, 16)))
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d))).replace(/&amp;/g, '&');
}

function columnIndex(ref) {
  let n = 0;
  for (const ch of ref.match(/^[A-Z]+/)[0]) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/**
 * The workbook: [{name, rows: [[cell...]], formulas}] in sheet order; a cell is a string (shared or inline), a
 * number, or null; `formulas` counts <f> elements (eventd writes none).
 */
export function readXlsx(buf) {
  const files = unzip(buf);
  const text = (name) => (files[name] ? files[name].toString('utf8') : '');
  const shared = [...text('xl/sharedStrings.xml').matchAll(/<si>([\s\S]*?)<\/si>/g)]
    .map((m) => [...m[1].matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((t) => unescapeXml(t[1])).join(''));
  const names = [...text('xl/workbook.xml').matchAll(/<sheet\s[^>]*name="([^"]*)"/g)].map((m) => unescapeXml(m[1]));
  return names.map((name, i) => {
    const xml = text(`xl/worksheets/sheet${i + 1}.xml`);
    const rows = [];
    for (const r of xml.matchAll(/<row\s[^>]*r="(\d+)"[^>]*>([\s\S]*?)<\/row>/g)) {
      const row = [];
      for (const c of r[2].matchAll(/<c\s([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
        const attrs = c[1];
        const ref = /r="([A-Z]+\d+)"/.exec(attrs)[1];
        const type = (/t="(\w+)"/.exec(attrs) || [])[1];
        const v = /<v>([\s\S]*?)<\/v>/.exec(c[2] || '');
        let value = null;
        if (type === 's' && v) value = shared[Number(v[1])];
        else if (type === 'inlineStr') value = unescapeXml((/<t[^>]*>([\s\S]*?)<\/t>/.exec(c[2]) || [])[1] || '');
        else if (type === 'str' && v) value = unescapeXml(v[1]);
        else if (v) value = Number(v[1]);
        row[columnIndex(ref)] = value;
      }
      rows[Number(r[1]) - 1] = Array.from(row, (x) => (x === undefined ? null : x));
    }
    return { name, rows: Array.from(rows, (x) => x || []), formulas: (xml.match(/<f[\s>]/g) || []).length };
  });
}

/** The sheet's rows as objects keyed by its header row. */
export function records(sheet) {
  const [header, ...rows] = sheet.rows;
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? null])));
}
